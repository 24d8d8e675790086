# The authors' E7 eigenvalues at the max-flat point (mem_flat_lambdas.npz, key traj_step) and final point (mem_final_lambdas.npz)
import numpy as np
import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))  # the repository
WORK = os.environ.get('E7GAP_DIR', '.')  # the authors' files and this analysis's outputs
fl = np.load(WORK + '/mem_flat_lambdas.npz'); fi = np.load(WORK + '/mem_final_lambdas.npz')
c = 2 * 0.1 / 1160
for k in sorted(fl.keys(), key=lambda s: int(s.split('_')[0])):
    i, s = map(int, k.split('_')); a = fl[k]; b = fi[f'{i}_-1']
    same = np.allclose(np.sort(a), np.sort(b), rtol=1e-6, atol=1e-12)
    print(f'traj {i:2d} step {s:3d}  frac@c(max) {np.mean(abs(a-c)<1e-6):.2f} idx {np.mean(a<-1e-3):.3f} | final frac@c {np.mean(abs(b-c)<1e-6):.2f} idx {np.mean(b<-1e-3):.3f} lmax {b.max():.2f} {"SAME" if same else ""}')
print('final 49:', 'frac@c', np.mean(abs(fi['49_-1']-c)<1e-6), 'idx', np.mean(fi['49_-1']<-1e-3))
