# Read starting ||g||^2 of the authors' E7 runs off Fig 3.8 A (gfp-mem.ipynb PNG): colours in the first pixel columns
import numpy as np, sys
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
sys.path.insert(0, WORK); import png
img = png.read(WORK + '/fig_cell17_0.png')[..., :3].astype(int)
# locate y ticks: short dark horizontal marks just left of the axis frame
col = img[:, :, :].sum(-1)
# find frame column: the x with longest dark vertical run in rows 40..450
xs = [(x, (col[40:450, x] < 300).sum()) for x in range(60, 120)]
print('frame candidates', [t for t in xs if t[1] > 200])
# tick marks: dark pixels at x = 84..87
ticks = [y for y in range(40, 450) if (col[y, 84:88] < 300).sum() >= 3]
print('tick rows', ticks)
def cls(p):
    r, g, b = p
    if r > 235 and g > 235 and b > 235: return '.'
    if b > 180 and r < 200 and b - r > 40: return 'b'
    if r > 200 and b < 150 and r - b > 80: return 'o'
    if r < 150 and g < 150 and b < 150: return 'k'
    return '?'
top = lambda y: (79 - y) / 9.26   # log10 ||g||^2
for x in [89, 90, 91, 93]:
    s = ''.join(cls(img[y, x]) for y in range(40, 200))
    print(x, s)
    ys = [y for y in range(40, 200) if cls(img[y, x]) != '.']
    print('   colored rows -> log10 sgn range', round(top(min(ys)), 2), round(top(max(ys)), 2))
