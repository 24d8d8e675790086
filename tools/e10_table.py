#!/usr/bin/env python3
"""The width study's cross-width table, and the projection of the full-size study.

    python3 tools/e10_table.py SUITE_DIR [H=MS_PER_HVP_AT_FULL_DATA ...]

reads SUITE_DIR/e10-h*/runs.jsonl and the traces the records name (plain or .csv.gz) and prints
a markdown table per width: runs, end classes (text's and figures' definitions), the index
(median estimate, median band, δ used), time per run, Newton-MR HVPs per iteration and the
index's HVPs and time. With H=MS arguments (the marginal HVP time of 784-H-10 at the full
spec's 10000 images, e.g. from `morse bench hvp --no-peer --networks 784-16-10@10000`) it adds
the projected CPU time of the full spec (20 runs x 200 iterations): runs x iterations x
HVPs per iteration (as measured here) x ms per HVP, plus the index's HVPs at that cost. The
projection assumes the HVPs per iteration of the reduced data; say so when quoting it.
"""
import csv
import glob
import gzip
import json
import os
import re
import statistics
import sys


def trace_rows(d, rel):
    for p in (os.path.join(d, rel), os.path.join(d, rel) + ".gz"):
        if os.path.exists(p):
            op = gzip.open if p.endswith(".gz") else open
            with op(p, "rt") as f:
                return list(csv.DictReader(f))
    return []


def main(argv):
    suite = argv[1]
    cost = {}
    for a in argv[2:]:
        h, ms = a.split("=")
        cost[int(h)] = float(ms)
    print("| width | N | runs | critical (text / figures) | flat (text / figures) | index: median [median band], δ used | time per run | Newton-MR HVPs per iteration | index HVPs, time per run |")
    print("|---:|---:|---:|---|---|---|---:|---:|---|")
    proj = []
    saddles = []
    for d in sorted(glob.glob(os.path.join(suite, "e10-h*")), key=lambda p: int(re.search(r"h(\d+)", p).group(1))):
        h = int(re.search(r"h(\d+)", d).group(1))
        rs = [json.loads(l) for l in open(os.path.join(d, "runs.jsonl")) if l.strip()]
        if not rs:
            continue
        n = int(re.search(r"N = (\d+)", rs[0]["problem"]).group(1))
        k = len(rs)
        ct = sum(r["status_text"] == "critical" for r in rs)
        cf = sum(r["status_figures"] == "critical" for r in rs)
        ft = sum(r["status_text"] == "gradient-flat" for r in rs)
        ff = sum(r["status_figures"] == "gradient-flat" for r in rs)
        idx = [r["index"] for r in rs if r.get("index") is not None]
        lo = [r["index_low"] for r in rs if r.get("index_low") is not None]
        hi = [r["index_high"] for r in rs if r.get("index_high") is not None]
        th = sorted({r["index_threshold"] for r in rs if r.get("index_threshold") is not None})
        # the trivial saddle: ‖g‖² tiny at the loss of the class frequencies (the lowest loss with the hidden layer
        # off), 2.2969 on the reduced run's 1000 images (seed 10); another data subset has another value
        triv = [r for r in rs if r["grad_norm_sq"] < 1e-20 and abs(r["loss"] - 2.2969) < 1e-3]
        saddles.append((h, n, [(r["index"], r["index_low"], r["index_high"]) for r in triv]))
        secs = statistics.median(r["seconds"] for r in rs)
        hvps, its = 0, 0
        for r in rs:
            t = trace_rows(d, r.get("trace", ""))
            if t:
                hvps += float(t[-1]["hvps"])
                its += len(t)
        per_it = hvps / its if its else float("nan")
        ih = statistics.mean(r.get("index_hvps", 0) for r in rs)
        isec = statistics.median(r.get("index_seconds", 0) for r in rs)
        th_s = ", ".join("%.2g" % x for x in th)
        print("| %d | %d | %d | %d / %d | %d / %d | %.4f [%.4f, %.4f], δ %s | %.0f s | %.0f | %.0f, %.0f s |" % (
            h, n, k, ct, cf, ft, ff, statistics.median(idx), statistics.median(lo), statistics.median(hi), th_s,
            secs, per_it, ih, isec))
        if h in cost:
            newton = 20 * 200 * per_it * cost[h] / 1e3
            index = 20 * ih * cost[h] / 1e3
            proj.append((h, cost[h], per_it, newton, index))
    for h in sorted(cost):
        if h not in [p[0] for p in proj]:
            proj.append((h, cost[h], None, None, None))
    print()
    print("End points at the trivial saddle (loss within 1e-3 of the class-frequency loss, hidden layer switched off: W1 = 0,")
    print("W2 = 0, b2 the class log-frequencies): their exact index is 9H/N (docs/INDEX.md, E10).")
    print()
    print("| width | runs at the trivial saddle | 9H/N | their SLQ estimates | bands containing 9H/N |")
    print("|---:|---:|---:|---|---:|")
    for h, n, pts in saddles:
        exact = 9 * h / n
        inside = sum(lo <= exact <= hi for _, lo, hi in pts)
        est = ", ".join("%.5f [%.5f, %.5f]" % p for p in pts) if pts else "–"
        print("| %d | %d | %.6f | %s | %d of %d |" % (h, len(pts), exact, est, inside, len(pts)))
    if proj:
        print()
        print("| width | ms per HVP at 10000 images | HVPs per iteration (from the reduced run) | projected Newton-MR, 20 runs x 200 iterations | projected index, 20 end points |")
        print("|---:|---:|---:|---:|---:|")
        for h, ms, pi, nw, ix in sorted(proj):
            if pi is None:
                print("| %d | %.1f | not run | – | – |" % (h, ms))
            else:
                print("| %d | %.1f | %.0f | %.1f h | %.2f h |" % (h, ms, pi, nw / 3600, ix / 3600))


if __name__ == "__main__":
    main(sys.argv)
