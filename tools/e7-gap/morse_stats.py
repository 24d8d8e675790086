# Recompute E7 "max relres over flag-2 steps" from morse traces, with variants.
import gzip
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
import csv, json, math, sys
D = ROOT + '/docs/results/e7-random-labels/'
runs = [json.loads(l) for l in open(D + 'runs.jsonl')]
def load(run):
    rows = list(csv.DictReader(gzip.open(D + run['trace'] + '.gz', 'rt')))
    return [{k: float(v) for k, v in r.items()} for r in rows]
out = []
for run in runs:
    tr = load(run)
    f2 = [r for r in tr if r['flag'] == 2 and r['iteration'] < 500]
    best = max(f2, key=lambda r: r['relres']) if f2 else None
    out.append(dict(run=run['run'], n=len(tr), nf2=len(f2),
        rec_max=run['max_relres'], max=best['relres'] if best else float('nan'),
        argmax=int(best['iteration']) if best else -1,
        sgn_at_max=best['grad_norm_sq'] if best else float('nan'),
        first_above=next((int(r['iteration']) for r in f2 if r['relres'] > 0.9), -1),
        n_above=sum(r['relres'] > 0.9 for r in f2),
        final_relres=tr[-1]['relres'], final_sgn=tr[-1]['grad_norm_sq'], final_flag=tr[-1]['flag']))
json.dump(out, open(WORK + '/morse_per_run.json', 'w'), indent=0)
for o in out:
    print(' '.join(f'{k}={v:.4g}' if isinstance(v, float) else f'{k}={v}' for k, v in o.items()))
