#!/usr/bin/env python3
"""An independent computation of the Krishnamoorthy-Thomson (2004) E-test,
to check src/stats/signif.c against.

It shares nothing with the C code's method: it walks the whole grid of count
pairs (x1, x2) from 0 up, decides "at least as extreme" exactly in integer
arithmetic, and adds the Poisson probabilities in 60-digit decimal
arithmetic.  The sum stops where the rest of each distribution is provably
below 1e-45, so every p-value printed is exact to far more digits than a
double holds.  Python standard library only.

usage: etest-exact.py K1 K2 [N1 N2]   one p-value triple
       etest-exact.py --grid          the grid the unit test checks
Prints "k1 k2 n1 n2 two-sided greater less" per line (n1, n2 whole numbers).
"""
import sys
from decimal import Decimal, getcontext

getcontext().prec = 60
TAIL = Decimal("1e-45")


def poisson(mu):
    """[P(X = 0), P(X = 1), ...] for X ~ Poisson(mu), mu a Decimal > 0,
    up to where P(X >= next) is below TAIL."""
    p = (-mu).exp()
    out = []
    x = 0
    while True:
        out.append(p)
        x += 1
        p = p * mu / x
        # for x > mu the terms fall at least geometrically with ratio mu / (x + 1)
        if x > mu and p / (1 - mu / (x + 1)) < TAIL:
            return out


def extreme(k1, k2, n1, n2):
    """Three predicates on (x1, x2): is the statistic at least as extreme as
    the observed one, two-sided, upwards, downwards?  With A = x1 n2 - x2 n1
    and B = x1 n2^2 + x2 n1^2 the statistic is sign(A) sqrt(A^2 / B)."""
    ak = k1 * n2 - k2 * n1
    bk = k1 * n2 * n2 + k2 * n1 * n1
    sk = (ak > 0) - (ak < 0)

    def sq_ge(a, b):  # A^2/B >= ak^2/bk, with 0/0 read as 0
        return a * a * bk >= ak * ak * b if b else ak == 0

    def sq_le(a, b):
        return a * a * bk <= ak * ak * b if b else True

    def two(x1, x2):
        return sq_ge(x1 * n2 - x2 * n1, x1 * n2 * n2 + x2 * n1 * n1)

    def up(x1, x2):  # T(x) >= T(k)
        a = x1 * n2 - x2 * n1
        b = x1 * n2 * n2 + x2 * n1 * n1
        s = (a > 0) - (a < 0)
        if s >= 0 and sk <= 0:
            return True
        if s > 0 and sk > 0:
            return sq_ge(a, b)
        if s < 0 and sk < 0:
            return sq_le(a, b)
        return False

    def down(x1, x2):  # T(x) <= T(k), the mirror image
        a = x1 * n2 - x2 * n1
        b = x1 * n2 * n2 + x2 * n1 * n1
        s = (a > 0) - (a < 0)
        if s <= 0 and sk >= 0:
            return True
        if s < 0 and sk < 0:
            return sq_ge(a, b)
        if s > 0 and sk > 0:
            return sq_le(a, b)
        return False

    return two, up, down


def etest(k1, k2, n1=1, n2=1):
    if k1 == 0 and k2 == 0:
        return Decimal(1), Decimal(1), Decimal(1)
    lam = Decimal(k1 + k2) / Decimal(n1 + n2)
    p1 = poisson(n1 * lam)
    p2 = poisson(n2 * lam)
    preds = extreme(k1, k2, n1, n2)
    sums = [Decimal(0)] * 3
    for x1, a in enumerate(p1):
        for i, pred in enumerate(preds):
            s = Decimal(0)
            for x2, b in enumerate(p2):
                if pred(x1, x2):
                    s += b
            sums[i] += a * s
    return tuple(min(s, Decimal(1)) for s in sums)


GRID_COUNTS = [0, 1, 2, 3, 5, 8, 13, 25, 40]
GRID_EXPOSURES = [(1, 1), (1, 2), (3, 1)]


def main(argv):
    if len(argv) == 2 and argv[1] == "--grid":
        cases = [(a, b, n1, n2) for (n1, n2) in GRID_EXPOSURES for a in GRID_COUNTS for b in GRID_COUNTS]
    elif len(argv) in (3, 5):
        cases = [tuple(int(v) for v in argv[1:]) + ((1, 1) if len(argv) == 3 else ())]
    else:
        sys.stderr.write(__doc__)
        return 2
    for k1, k2, n1, n2 in cases:
        two, up, down = etest(k1, k2, n1, n2)
        print(k1, k2, n1, n2, "%.20e %.20e %.20e" % (two, up, down))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
