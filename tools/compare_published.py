#!/usr/bin/env python3
"""A measured fraction beside a published one, with binomial standard errors.

    python3 tools/compare_published.py RUNS_JSONL METHOD FIELD OP VALUE PUBLISHED_P PUBLISHED_N

counts the records of METHOD whose FIELD satisfies OP VALUE (OP: lt, le, gt, ge, eq; a
string VALUE compares with eq), and prints ours = k/n ± sqrt(p(1-p)/n), the published
p ± sqrt(p(1-p)/N), and the gap in combined standard errors |p - q| / sqrt(se1^2 + se2^2)
(a gap above 2 is called significant). A missing or null FIELD counts as not satisfying.
"""
import json
import math
import sys


def main(argv):
    path, method, field, op, value, pub_p, pub_n = argv[1:8]
    pub_p, pub_n = float(pub_p), int(pub_n)
    recs = [json.loads(l) for l in open(path) if l.strip()]
    recs = [r for r in recs if r.get("method") == method]
    try:
        v = float(value)
    except ValueError:
        v = value
    ops = {"lt": lambda a: a < v, "le": lambda a: a <= v, "gt": lambda a: a > v,
           "ge": lambda a: a >= v, "eq": lambda a: a == v}
    k = 0
    for r in recs:
        a = r.get(field)
        if a is not None and ops[op](a):
            k += 1
    n = len(recs)
    p = k / n
    se = math.sqrt(p * (1 - p) / n)
    se_pub = math.sqrt(pub_p * (1 - pub_p) / pub_n)
    comb = math.sqrt(se ** 2 + se_pub ** 2)
    gap = abs(p - pub_p) / comb if comb > 0 else (0.0 if p == pub_p else float("inf"))
    print("%s %s %s %s: ours %d/%d = %.0f%% ± %.0f; published %.0f%% ± %.0f (n = %d); gap %.1f SE%s"
          % (method, field, op, value, k, n, 100 * p, 100 * se, 100 * pub_p, 100 * se_pub, pub_n, gap,
             " (significant)" if gap > 2 else ""))


if __name__ == "__main__":
    main(sys.argv)
