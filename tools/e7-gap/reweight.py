# Pass rate (max flag-2 relres > 0.9) split by end-state curvature; reweight morse to the authors' mix of collapsed runs
import json, numpy as np
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
D = ROOT + '/docs/results/e7-random-labels/'
runs = {json.loads(l)['run']: json.loads(l) for l in open(D + 'runs.jsonl')}
per = {o['run']: o for o in json.load(open(WORK + '/morse_per_run.json'))}
col = [r for r in runs if runs[r]['max_eig'] < 0.1]; oth = [r for r in runs if runs[r]['max_eig'] >= 0.1]
pc = np.mean([per[r]['max'] > 0.9 for r in col]); po = np.mean([per[r]['max'] > 0.9 for r in oth])
print(f'morse collapsed (lmax<0.1): {len(col)} runs, pass {pc:.2f}; others {len(oth)} runs, pass {po:.2f}')
fi = np.load(WORK + '/mem_final_lambdas.npz'); na = sum(fi[k].max() < 0.1 for k in fi)
print(f'authors collapsed (lmax<0.1): {na} of 50')
for p_col in [0.0, pc]:
    est = p_col * na + po * (50 - na)
    print(f'morse reweighted to {na} collapsed runs passing at {p_col:.2f}: {est:.1f}/50 = {est/50:.0%} (published 31/50)')
