import pytest

import gradnote as gn


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state, so failures reproduce."""
    gn.manual_seed(0)
    gn.set_anomaly_detection(False)
    yield
