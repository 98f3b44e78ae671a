import os

# pytest -n 2 already runs one worker per core; BLAS threads on top would spin against each other
# and make small matmuls ~10x slower. Must be set before NumPy loads its BLAS.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest
from hypothesis import settings

import gradnote as gn

# CI must not turn red by chance: examples are derived from each test, the same on every run.
# HYPOTHESIS_PROFILE=explore draws fresh random examples when hunting for bugs locally.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state, so failures reproduce."""
    gn.manual_seed(0)
    gn.set_anomaly_detection(False)
    yield
