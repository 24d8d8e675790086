# Compare morse E7 per-run max-relres stats with the authors' (argmax steps from mem_flat_lambdas.npz keys)
import json, numpy as np
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
m = json.load(open(WORK + '/morse_per_run.json'))
mx = np.array([o['max'] for o in m]); am = np.array([o['argmax'] for o in m]); sg = np.array([o['sgn_at_max'] for o in m])
fs = np.array([o['final_sgn'] for o in m])
print('morse: max>0.9 (flag2, it<500):', (mx > 0.9).sum(), '/50')
print('morse: critical(sgn<1e-8) at argmax:', (sg < 1e-8).sum(), '; flat&crit at max:', ((mx > 0.9) & (sg < 1e-8)).sum(), '; flat&~crit:', ((mx > 0.9) & ~(sg < 1e-8)).sum())
print('morse argmax quartiles', np.percentile(am, [0, 25, 50, 75, 100]))
d = np.load(WORK + '/mem_flat_lambdas.npz')
a_steps = np.array([int(k.split('_')[1]) for k in d.keys()])
print('authors argmax quartiles', np.percentile(a_steps, [0, 25, 50, 75, 100]), 'n', len(a_steps), '>=490:', (a_steps >= 490).sum())
print('morse argmax >=490:', (am >= 490).sum())
print('morse final sgn decades:', np.histogram(np.log10(fs), bins=[-40, -20, -15, -12, -10, -9, -8, -7, -6, -5, -4, 0])[0])
# authors: index at their max-flat points and at final points
for f in ['mem_flat_lambdas.npz', 'mem_final_lambdas.npz']:
    e = np.load(WORK + '/' + f)
    idx = [np.mean(e[k] < -1e-3) for k in e]
    l2 = [np.mean(np.abs(e[k] - 1.724e-4) < 1e-6) for k in e]
    print(f, 'index quartiles', np.round(np.percentile(idx, [0, 25, 50, 75, 100]), 3), 'points with >50% eigvals at 2*0.1/1160:', sum(x > 0.5 for x in l2))
