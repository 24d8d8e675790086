# Read the authors' "Maximal Gradient-Flatness" ECDF (thesis-figs chapter3/gfp-mem.ipynb, Fig 3.8 C lower) off the PNG
import numpy as np, sys
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
sys.path.insert(0, WORK); import png
img = png.read(WORK + '/fig_cell17_0.png')[..., :3].astype(int)
Y0, X0 = 640, 60
sub = img[Y0:800, X0:460]
d = sub.sum(-1) < 400
rs = d.sum(1); cs = d.sum(0)
print('rows', [(y, rs[y]) for y in range(len(rs)) if rs[y] > 150])
print('cols', [(x, cs[x]) for x in range(len(cs)) if cs[x] > 50])
xa, xb, ya, yb = 28, 384, 131, 18   # axis pixels: relres 0 -> xa, 1 -> xb; ECDF 0 -> ya, 1 -> yb
cur = (sub.sum(-1) < 400) | ((sub[..., 0] > 200) & (sub[..., 2] < 100))   # black or orange curve
def height(t):
    x = int(round(xa + t * (xb - xa)))
    ys = [y for y in range(yb + 1, ya) if cur[y, x]]
    return (ya - min(ys)) / (ya - yb) if ys else float('nan')
import json
m = json.load(open(WORK + '/morse_per_run.json')); mx = np.array([o['max'] for o in m])
print(' t    authors F(t)  authors n<=t   morse n<=t (of 50)')
for t in [0.05, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99]:
    h = height(t); print(f'{t:.2f}  {h:.3f}        {h*50:5.1f}         {(mx <= t).sum()}')
