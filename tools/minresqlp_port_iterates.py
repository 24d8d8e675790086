#!/usr/bin/env python3
"""Expected MINRES-QLP iterates for MinresQlpReferenceExitTest (plain Python, no numpy).

What it computes: the solve of the Python port of the reference MINRES-QLP that the
papers' experiments ran (autocrit/finders/minresQLP.py, no preconditioner), written
here from that algorithm's description, for maxit = 1, 2, ... on small seeded systems.
It reproduces the port's choices that matter for the returned x: the QLP update of x at
every iteration that goes on, x_k formed with mu_k *before* the stopping tests and
returned as is, |gamma_k| <= tiny (not eps) as singular, a dropped mu_k leaving mu_{k-1}
alone, and the port's order of stopping tests (the last test that holds wins).

Usage: python3 tools/minresqlp_port_iterates.py > src/test/resources/dev/morse/krylov/port-iterates.txt
"""
import math
import random
import sys

TINY = sys.float_info.min          # numpy's finfo(double).tiny
EPS = sys.float_info.epsilon


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def nrm(a):
    return math.sqrt(dot(a, a))


def matvec(a, v):
    return [dot(row, v) for row in a]


def sym_givens(a, b):
    """c, s, r with [c s; s -c][a; b] = [r; 0] (the stable SymOrtho of Choi-Paige-Saunders)."""
    sign = lambda t: (t > 0) - (t < 0)
    if b == 0:
        return (1.0 if a == 0 else float(sign(a))), 0.0, abs(a)
    if a == 0:
        return 0.0, float(sign(b)), abs(b)
    if abs(b) > abs(a):
        t = a / b
        s = sign(b) / math.sqrt(1 + t * t)
        return s * t, s, b / s
    t = b / a
    c = sign(a) / math.sqrt(1 + t * t)
    return c, c * t, a / c


def lin(*terms):
    """sum of coef * vector over (coef, vector) pairs."""
    n = len(terms[0][1])
    return [sum(c * v[i] for c, v in terms) for i in range(n)]


def port_solve(a, b, rtol, maxit, maxxnorm, acondlim, trancond):
    """Returns (x, flag, iters) as the port does for A x = b, shift 0."""
    n = len(b)
    zero = [0.0] * n
    beta1 = nrm(b)
    r1 = zero[:]
    r2 = b[:]
    r3 = b[:]
    st = dict(beta=0.0, tau=0.0, taul=0.0, phi=beta1, betan=beta1, cs=-1.0, sn=0.0,
              cr1=-1.0, sr1=0.0, cr2=-1.0, sr2=0.0, dltan=0.0, eplnn=0.0, gama=0.0, gamal=0.0,
              gamal2=0.0, eta=0.0, etal=0.0, etal2=0.0, vepln=0.0, veplnl=0.0, veplnl2=0.0,
              ul3=0.0, ul2=0.0, ul=0.0, u=0.0, rnorm=beta1, xnorm=0.0, xl2norm=0.0,
              anorm=0.0, acond=1.0, gmin=0.0, gminl=0.0)
    g = st
    relres = g['rnorm'] / (beta1 + 1e-50)
    x = zero[:]
    w = zero[:]
    wl = zero[:]
    wl2 = zero[:]
    xl2 = zero[:]
    flag = None if beta1 != 0 else 0
    iters = 0
    qlp = 0
    keep = {}
    while flag is None and iters < maxit:
        iters += 1
        betal = g['beta']
        g['beta'] = g['betan']
        v = [t / g['beta'] for t in r3]
        r3 = matvec(a, v)
        if iters > 1:
            r3 = lin((1.0, r3), (-g['beta'] / betal, r1))
        alfa = dot(r3, v)
        r3 = lin((1.0, r3), (-alfa / g['beta'], r2))
        r1, r2 = r2, r3
        g['betan'] = nrm(r3)
        if iters == 1 and g['betan'] == 0:
            if alfa == 0:
                flag = 0
            else:
                flag = -1
                x = [t / alfa for t in b]
            break
        pnorm = math.sqrt(betal ** 2 + alfa ** 2 + g['betan'] ** 2)
        # previous left rotation
        dbar = g['dltan']
        dlta = g['cs'] * dbar + g['sn'] * alfa
        epln = g['eplnn']
        gbar = g['sn'] * dbar - g['cs'] * alfa
        g['eplnn'] = g['sn'] * g['betan']
        g['dltan'] = -g['cs'] * g['betan']
        dlta_qlp = dlta
        # current left rotation
        gamal3 = g['gamal2']
        g['gamal2'] = g['gamal']
        g['gamal'] = g['gama']
        g['cs'], g['sn'], g['gama'] = sym_givens(gbar, g['betan'])
        gama_tmp = g['gama']
        taul2 = g['taul']
        g['taul'] = g['tau']
        g['tau'] = g['cs'] * g['phi']
        g['phi'] = g['sn'] * g['phi']
        # previous right rotation
        if iters > 2:
            g['veplnl2'] = g['veplnl']
            g['etal2'] = g['etal']
            g['etal'] = g['eta']
            dlta_tmp = g['sr2'] * g['vepln'] - g['cr2'] * dlta
            g['veplnl'] = g['cr2'] * g['vepln'] + g['sr2'] * dlta
            dlta = dlta_tmp
            g['eta'] = g['sr2'] * g['gama']
            g['gama'] = -g['cr2'] * g['gama']
        # current right rotation
        if iters > 1:
            g['cr1'], g['sr1'], g['gamal'] = sym_givens(g['gamal'], dlta)
            g['vepln'] = g['sr1'] * g['gama']
            g['gama'] = -g['cr1'] * g['gama']
        # coefficients mu and |x|
        ul4 = g['ul3']
        g['ul3'] = g['ul2']
        if iters > 2:
            g['ul2'] = (taul2 - g['etal2'] * ul4 - g['veplnl2'] * g['ul3']) / g['gamal2']
        if iters > 1:
            g['ul'] = (g['taul'] - g['etal'] * g['ul3'] - g['veplnl'] * g['ul2']) / g['gamal']
        xnorm_tmp = math.sqrt(g['xl2norm'] ** 2 + g['ul2'] ** 2 + g['ul'] ** 2)
        if abs(g['gama']) > TINY and xnorm_tmp < maxxnorm:
            g['u'] = (g['tau'] - g['eta'] * g['ul2'] - g['vepln'] * g['ul']) / g['gama']
            if math.sqrt(xnorm_tmp ** 2 + g['u'] ** 2) > maxxnorm:
                g['u'] = 0.0
                flag = 6
        else:
            g['u'] = 0.0
            flag = 9
        g['xl2norm'] = math.sqrt(g['xl2norm'] ** 2 + g['ul2'] ** 2)
        g['xnorm'] = math.sqrt(g['xl2norm'] ** 2 + g['ul'] ** 2 + g['u'] ** 2)
        # update of x
        if g['acond'] < trancond and flag is not None and qlp == 0:
            wl2, wl = wl, w
            w = lin((1 / gama_tmp, v), (-epln / gama_tmp, wl2), (-dlta_qlp / gama_tmp, wl))
            if g['xnorm'] < maxxnorm:
                x = lin((1.0, x), (g['tau'], w))
            else:
                flag = 6
        else:
            qlp += 1
            if qlp == 1:
                xl2 = zero[:]
                if iters > 1:
                    if iters > 3:
                        wl2 = lin((gamal3, wl2), (g['veplnl2'], wl), (g['etal'], w))
                    if iters > 2:
                        wl = lin((keep['gamal'], wl), (keep['vepln'], w))
                    w = [keep['gama'] * t for t in w]
                    xl2 = lin((1.0, x), (-keep['ul'], wl), (-keep['u'], w))
            cr1, sr1, cr2, sr2 = g['cr1'], g['sr1'], g['cr2'], g['sr2']
            if iters == 1:
                wl2, wl, w = wl, [sr1 * t for t in v], [-cr1 * t for t in v]
            elif iters == 2:
                wl2, wl, w = wl, lin((cr1, w), (sr1, v)), lin((sr1, w), (-cr1, v))
            else:
                # [w_{k-2} w_{k-1} v_k] P_{k-2,k} P_{k-1,k}
                t = lin((sr2, wl), (-cr2, v))
                wl2 = lin((cr2, wl), (sr2, v))
                wl, w = lin((cr1, w), (sr1, t)), lin((sr1, w), (-cr1, t))
            xl2 = lin((1.0, xl2), (g['ul2'], wl2))
            x = lin((1.0, xl2), (g['ul'], wl), (g['u'], w))
        # next right rotation
        gamal_tmp = g['gamal']
        g['cr2'], g['sr2'], g['gamal'] = sym_givens(g['gamal'], g['eplnn'])
        keep = dict(gamal=gamal_tmp, vepln=g['vepln'], gama=g['gama'], ul=g['ul'], u=g['u'])
        # norms
        abs_gama = abs(g['gama'])
        g['anorm'] = max(g['anorm'], pnorm, g['gamal'], abs_gama)
        if iters == 1:
            g['gmin'] = g['gama']
            g['gminl'] = g['gmin']
        else:
            gminl2 = g['gminl']
            g['gminl'] = g['gmin']
            g['gmin'] = min(gminl2, g['gamal'], abs_gama)
        acondl = g['acond']
        g['acond'] = g['anorm'] / g['gmin']
        rnorml = g['rnorm']
        if flag != 9:
            g['rnorm'] = g['phi']
        relres = g['rnorm'] / (g['anorm'] * g['xnorm'] + beta1)
        rootl = math.sqrt(gbar ** 2 + g['dltan'] ** 2)
        relaresl = rootl / g['anorm']
        epsx = g['anorm'] * g['xnorm'] * EPS
        if flag is None or flag == 9:
            if iters >= maxit:
                flag = 8
            if epsx >= beta1:
                flag = 5
            if 1 + relaresl <= 1:
                flag = 4
            if 1 + relres <= 1:
                flag = 3
            if relaresl <= rtol:
                flag = 2
            if relres <= rtol:
                flag = 1
            if g['acond'] >= acondlim:
                flag = 7
            if g['xnorm'] >= maxxnorm:
                flag = 6
        if flag in (2, 4, 6, 7):
            iters -= 1
            g['acond'] = acondl
    if flag is None:
        flag = 8
    return x, flag, iters


def householder(n, seed):
    """Q = I - 2 v v'/v'v for a seeded integer v."""
    rnd = random.Random(seed)
    v = [float(rnd.randint(-9, 9)) for _ in range(n)]
    vv = dot(v, v)
    return [[(1.0 if i == j else 0.0) - 2 * v[i] * v[j] / vv for j in range(n)] for i in range(n)]


def with_spectrum(q1, q2, lam):
    """A = Q diag(lam) Q' with Q = Q1 Q2, symmetrized exactly."""
    n = len(lam)
    q = [[sum(q1[i][k] * q2[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    a = [[sum(q[i][k] * lam[k] * q[j][k] for k in range(n)) for j in range(n)] for i in range(n)]
    return [[0.5 * (a[i][j] + a[j][i]) for j in range(n)] for i in range(n)]


NEWTON_MR = (5e-4, 1e4, 1e7, 1e4)  # rtol, maxxnorm, acondlim, trancond of the papers' Newton-MR
FLAT = [4.0, -3.0, 2.5, -1.5, 1.0, 0.7, -0.4, 1.2, 1e-5, -2e-5]
CASES = [
    # name, spectrum, weight of b on the eigenvectors with |lambda| >= 0.4 (1 on the others), settings
    ("least-squares-exit", FLAT, 0.01) + NEWTON_MR,
    ("maxxnorm-exit", FLAT, 0.1) + NEWTON_MR,
    ("indefinite-compatible", [5.0, -4.0, 3.0, -2.0, 1.5, -1.0, 0.5, 2.0], 1.0, 1e-10, 1e7, 1e15, 1e7),
]


def main():
    out = sys.stdout
    out.write("# written by tools/minresqlp_port_iterates.py; one block per case\n")
    for name, lam, weight, rtol, maxxnorm, acondlim, trancond in CASES:
        n = len(lam)
        q1, q2 = householder(n, 101), householder(n, 201)
        a = with_spectrum(q1, q2, lam)
        q = [[sum(q1[i][k] * q2[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
        rnd = random.Random(5)
        c = [(weight if abs(lam[k]) >= 0.4 else 1.0) * rnd.uniform(-1, 1) for k in range(n)]
        b = [sum(q[i][k] * c[k] for k in range(n)) for i in range(n)]
        out.write("case %s\n" % name)
        out.write("n %d\nrtol %r\nmaxxnorm %r\nacondlim %r\ntrancond %r\n" % (n, rtol, maxxnorm, acondlim, trancond))
        for row in a:
            out.write("A " + " ".join(repr(t) for t in row) + "\n")
        out.write("b " + " ".join(repr(t) for t in b) + "\n")
        maxit = 1
        while True:
            x, flag, iters = port_solve(a, b, rtol, maxit, maxxnorm, acondlim, trancond)
            out.write("maxit %d flag %d iters %d x %s\n" % (maxit, flag, iters, " ".join(repr(t) for t in x)))
            if flag != 8 or maxit >= 3 * n:
                break
            maxit += 1
        out.write("end\n")


if __name__ == "__main__":
    main()
