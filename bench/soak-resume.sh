#!/usr/bin/env bash
# Soak test of kill-and-resume (issue 9): runs a small batch once without interruption, then
# again into another directory, killing it at random moments (SIGKILL, SIGTERM or SIGINT,
# chosen at random) and continuing with --resume until it completes, and checks that the two
# runs.jsonl hold the same records (wall-clock fields aside), that no lock was left behind
# and that every kill left the records whole.
#
#   bench/soak-resume.sh [KILLS] [RUNS] [WORKDIR]      (defaults: 20 kills, 1000 + 250 runs)
#
# Prints one line per kill and a summary. Exit 0 when the records agree. Runs under nice.
set -euo pipefail
set -m # job control: background jobs keep SIGINT (a script's '&' would ignore it)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KILLS="${1:-20}"
RUNS="${2:-1000}"
WORK="${3:-$(mktemp -d /tmp/morse-soak.XXXXXX)}"
MORSE=(nice -n 10 "$ROOT/morse")
mkdir -p "$WORK"
SPEC="$WORK/soak.yaml"
cat > "$SPEC" <<YAML
name: soak
seed: 11
workers: 2
problem: {kind: quartic}
start: {kind: uniform, low: [-4.0, -3.0], high: [4.0, 3.0]}
methods:
  - {kind: newton-mr, runs: $RUNS, iterations: 60, rtol: 1.0e-10, hessian: dense}
  - {kind: gnm, runs: $((RUNS / 4)), iterations: 300}
record: {theta: true}
YAML
"${MORSE[@]}" info > /dev/null # build once, outside the timings
echo "soak: $KILLS kills of a $((RUNS + RUNS / 4))-run batch in $WORK ($(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
t0=$(date +%s)
"${MORSE[@]}" run "$SPEC" --out "$WORK/whole" --backend cpu > /dev/null 2> "$WORK/whole.log"
t1=$(date +%s)
echo "soak: uninterrupted batch $((t1 - t0)) s"

count() { if [ -f "$WORK/killed/runs.jsonl" ]; then wc -l < "$WORK/killed/runs.jsonl"; else echo 0; fi; }
kills=0; attempts=0; torn=0
signals=(KILL KILL TERM INT)
while :; do
  attempts=$((attempts + 1))
  "${MORSE[@]}" run "$SPEC" --out "$WORK/killed" --resume --backend cpu > /dev/null 2>> "$WORK/killed.log" &
  pid=$!
  if [ "$kills" -ge "$KILLS" ]; then
    rc=0; wait "$pid" || rc=$?
    [ "$rc" -eq 0 ] || { echo "soak: final resume exited $rc (see $WORK/killed.log)"; exit 1; }
    break
  fi
  # a random moment: one kill in four 0.5 to 8 s after the start (JVM start, preparation,
  # early runs), the others after 1 to 60 new records and a jitter of up to 0.3 s (mid-batch)
  before=$(count)
  if [ $((RANDOM % 4)) -eq 0 ]; then
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.5 + 7.5 * rand() }')"
  else
    target=$((before + 1 + RANDOM % 60))
    while kill -0 "$pid" 2> /dev/null && [ "$(count)" -lt "$target" ]; do sleep 0.05; done
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.3 * rand() }')"
  fi
  sig=${signals[$((RANDOM % ${#signals[@]}))]}
  if kill -0 "$pid" 2> /dev/null; then
    kill -s "$sig" "$pid" 2> /dev/null || true
  fi
  rc=0; wait "$pid" || rc=$?
  after=$(count)
  if [ "$rc" -eq 0 ]; then
    echo "soak: attempt $attempts finished before the SIG$sig ($after records)"
    break
  fi
  kills=$((kills + 1))
  if [ -f "$WORK/killed/runs.jsonl" ] && [ -n "$(tail -c1 "$WORK/killed/runs.jsonl")" ]; then
    torn=$((torn + 1))
  fi
  echo "soak: kill $kills: SIG$sig, exit $rc, $before -> $after records"
done
t2=$(date +%s)
python3 - "$WORK/whole/runs.jsonl" "$WORK/killed/runs.jsonl" <<'PY'
import json, sys
def load(p):
    recs = {}
    for line in open(p):
        r = json.loads(line)
        r.pop("seconds", None)
        key = (r["method"], r["run"])
        assert key not in recs, f"duplicate record {key} in {p}"
        recs[key] = r
    return recs
a, b = load(sys.argv[1]), load(sys.argv[2])
same = a == b
print(f"soak: records {len(a)} uninterrupted, {len(b)} killed and resumed: {'identical' if same else 'DIFFERENT'}")
sys.exit(0 if same else 1)
PY
echo "soak: $kills kills in $attempts starts, $torn left a torn last line (moved aside on resume), $((t2 - t1)) s in all;" \
  "$(grep -c 'interrupted:' "$WORK/killed.log" || true) 'interrupted:' lines; load $(cut -d' ' -f1-3 /proc/loadavg)"
