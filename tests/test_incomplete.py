"""The plain-Python incomplete gamma and beta functions agree with scipy's over the spike rule's range."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from analysis import incomplete

ROOT = Path(__file__).resolve().parent.parent
SIZES = [0.5, 1, 1.5, 2, 3, 4.5, 7, 10, 13.5, 20, 33, 50, 99.5, 250, 1000, 4000]
POINTS = [1e-4, 0.01, 0.1, 0.5, 1, 2, 3, 5, 8, 13, 21, 40, 80, 150, 400, 1000, 3000, 6000]


def _close(mine: float, theirs: float, rel: float) -> bool:
    return theirs < 1e-290 or abs(mine - theirs) <= rel * theirs


@pytest.mark.parametrize("a", SIZES)
def test_gammainc_matches_scipy(a: float) -> None:
    for x in POINTS:
        lower = incomplete.gammainc(a, x)
        assert _close(lower, float(special.gammainc(a, x)), 1e-9), (a, x)
        # the upper tail to absolute precision (it is 1 - P)
        assert abs((1.0 - lower) - float(special.gammaincc(a, x))) < 1e-13, (a, x)


def test_poisson_tail_for_counts() -> None:
    """P(X >= k) for Poisson(mu), summed term by term, for the counts a spike check sees."""
    for mu in (0.02, 0.7, 3.0, 12.5, 60.0):
        for k in (1, 2, 5, 10, 30, 100):
            below = sum(math.exp(-mu + j * math.log(mu) - math.lgamma(j + 1)) for j in range(k))
            assert incomplete.gammainc(k, mu) == pytest.approx(1.0 - below, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10, 30, 100, 1000, 5000])
def test_betainc_matches_scipy(k: int) -> None:
    for r in (0.05, 0.5, 1, 3, 10, 30, 100, 1e4):
        for mu in (0.01, 0.1, 1, 3, 10, 50, 200, 1000, 6000):
            x = mu / (r + mu)
            assert _close(incomplete.betainc(k, r, x), float(special.betainc(k, r, x)), 1e-9), (k, r, mu)
    rng = np.random.default_rng(k)
    for a, b, x in zip(rng.uniform(0.1, 40, 50), rng.uniform(0.1, 40, 50), rng.uniform(0, 1, 50), strict=True):
        assert _close(incomplete.betainc(a, b, x), float(special.betainc(a, b, x)), 1e-9), (a, b, x)


def test_gammaincinv_inverts_and_matches_scipy() -> None:
    for a in SIZES:
        for p in (1e-6, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999):
            x = incomplete.gammaincinv(a, p)
            assert x == pytest.approx(float(special.gammaincinv(a, p)), rel=1e-11), (a, p)
            assert incomplete.gammainc(a, x) == pytest.approx(p, rel=1e-10)


def test_edges_and_bad_input() -> None:
    assert incomplete.gammainc(3, 0) == 0.0
    assert incomplete.gammainc(3, math.inf) == 1.0
    assert incomplete.betainc(2, 3, 0.0) == 0.0 and incomplete.betainc(2, 3, 1.0) == 1.0
    assert incomplete.gammaincinv(2, 0.0) == 0.0 and incomplete.gammaincinv(2, 1.0) == math.inf
    for call in (lambda: incomplete.gammainc(0, 1), lambda: incomplete.gammainc(1, -1),
                 lambda: incomplete.gammainc(math.nan, 1), lambda: incomplete.betainc(1, 0, 0.5),
                 lambda: incomplete.betainc(1, 1, 1.5), lambda: incomplete.gammaincinv(1, 2)):
        with pytest.raises(ValueError):
            call()


def test_the_dashboards_query_modules_do_not_import_scipy() -> None:
    """Importing scipy.special cost the first render about 0.3 s; the Overview's modules need none of it."""
    code = ("import sys; import pages._ui, storage.queries_metrics, analysis.spikes; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'sklearn')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
