# Sensitivity of morse's E7 count (max flag-2 relres > 0.9) to plausible definitional variants
import gzip
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
import json, csv, numpy as np
D = ROOT + '/docs/results/e7-random-labels/'
runs = [json.loads(l) for l in open(D + 'runs.jsonl')]
def count(fn):
    return sum(fn([{k: float(v) for k, v in r.items()} for r in csv.DictReader(gzip.open(D + run['trace'] + '.gz', 'rt'))]) for run in runs)
f2 = lambda tr, lo=0, hi=500: [r for r in tr if r['flag'] == 2 and lo <= r['iteration'] < hi]
print('authors def (flag 2, steps 0..499, relres > 0.9):', count(lambda tr: max([r['relres'] for r in f2(tr)], default=-1) > 0.9))
print('incl. row 500:', count(lambda tr: max([r['relres'] for r in f2(tr, 0, 501)], default=-1) > 0.9))
print('excluding steps 0..9:', count(lambda tr: max([r['relres'] for r in f2(tr, 10)], default=-1) > 0.9))
print('all flags:', count(lambda tr: max(r['relres'] for r in tr if r['iteration'] < 500) > 0.9))
print('flag 2 and not critical (sgn >= 1e-8) at that step:', count(lambda tr: max([r['relres'] for r in f2(tr) if r['grad_norm_sq'] >= 1e-8], default=-1) > 0.9))
print('flag 2 with > 2 solver iterations:', count(lambda tr: max([r['relres'] for r in f2(tr) if r['solver_iterations'] > 2], default=-1) > 0.9))
mx = np.sort([max([r['relres'] for r in f2(tr)], default=np.nan) for tr in
             [[{k: float(v) for k, v in r.items()} for r in csv.DictReader(gzip.open(D + run['trace'] + '.gz', 'rt'))] for run in runs]])
for t in [0.95, 0.97, 0.98, 0.985, 0.99]:
    print(f'threshold {t}: {(mx > t).sum()}/50')
