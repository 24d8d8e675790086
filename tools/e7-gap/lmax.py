# Largest Hessian eigenvalue at the final points: authors (mem_final_lambdas.npz) vs morse (runs.jsonl max_eig)
import numpy as np, json
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
fi = np.load(WORK + '/mem_final_lambdas.npz')
a = np.array([fi[k].max() for k in fi]); amin = np.array([fi[k].min() for k in fi])
m = np.array([json.loads(l)['max_eig'] for l in open(ROOT + '/docs/results/e7-random-labels/runs.jsonl')])
mm = np.array([json.loads(l)['min_eig'] for l in open(ROOT + '/docs/results/e7-random-labels/runs.jsonl')])
q = [10, 25, 50, 75, 90, 100]
print('authors lmax pct', np.round(np.percentile(a, q), 2), ' lmax<0.1:', (a < 0.1).sum())
print('morse   lmax pct', np.round(np.percentile(m, q), 2), ' lmax<0.1:', (m < 0.1).sum())
print('authors lmin pct', np.round(np.percentile(amin, [0, 10, 50, 90]), 3)); print('morse   lmin pct', np.round(np.percentile(mm, [0, 10, 50, 90]), 3))
