# Positions of the 'critical' ticks (light blue vlines, relres of max-flat points with ||g||^2 < 1e-8) in Fig 3.8 C lower
import numpy as np, sys
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
sys.path.insert(0, WORK); import png
img = png.read(WORK + '/fig_cell17_0.png')[..., :3].astype(int)
sub = img[640:800, 60:460]; xa, xb = 28, 384
row = sub[125]
blue = [(x, tuple(row[x])) for x in range(xa - 2, xb + 3) if row[x][2] > 180 and row[x][0] < 220 and row[x][2] - row[x][0] > 30]
print([(round((x - xa) / (xb - xa), 3), c) for x, c in blue])
