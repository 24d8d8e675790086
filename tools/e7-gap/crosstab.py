# morse E7: pass rate (max flag-2 relres > 0.9) by final ||g||^2 band, and timing of first crossing
import gzip
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
import json, numpy as np, csv
m = json.load(open(WORK + '/morse_per_run.json'))
bands = [(1e-6, 1), (1e-8, 1e-6), (1e-10, 1e-8), (0, 1e-10)]
for lo, hi in bands:
    sel = [o for o in m if lo <= o['final_sgn'] < hi]
    print(f'final sgn in [{lo:g},{hi:g}): runs {len(sel)}, pass {sum(o["max"] > 0.9 for o in sel)}, maxes', sorted(round(o['max'], 3) for o in sel))
fa = np.array([o['first_above'] for o in m if o['first_above'] >= 0])
print('first crossing >0.9 quartiles', np.percentile(fa, [0, 25, 50, 75, 100]), 'n', len(fa), ' <=20:', (fa <= 20).sum())
na = np.array([o['n_above'] for o in m if o['max'] > 0.9]); print('flag-2 steps above 0.9 per passing run: quartiles', np.percentile(na, [0, 25, 50, 75, 100]))
# state at first crossing: sgn and solver iterations
D = ROOT + '/docs/results/e7-random-labels/'
rows = []
for o in m:
    if o['first_above'] < 0: continue
    tr = list(csv.DictReader(gzip.open(D + f'traces/newton-mr-{o["run"]}.csv.gz', 'rt')))
    r = tr[o['first_above']]; rm = tr[o['argmax']]
    rows.append((float(r['grad_norm_sq']), int(r['solver_iterations']), float(r['alpha']), float(rm['grad_norm_sq']), int(rm['solver_iterations'])))
rows = np.array(rows)
print('sgn at first crossing quartiles', np.percentile(rows[:, 0], [0, 25, 50, 75, 100]))
print('solver iterations at first crossing: <=2:', (rows[:, 1] <= 2).sum(), 'of', len(rows), '; at argmax <=2:', (rows[:, 4] <= 2).sum())
print('sgn at argmax < 1e-6:', (rows[:, 3] < 1e-6).sum(), '; in [1e-10,1e-6):', ((rows[:, 3] < 1e-6) & (rows[:, 3] >= 1e-10)).sum())
