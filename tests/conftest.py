"""Shared test configuration: hypothesis profiles.

`ci` (loaded when the environment variable CI is set) runs 500 examples per property (the
fuzz tests scale this up); `default` runs 100, for a quick local run. HYPOTHESIS_PROFILE
overrides the choice. Deadlines are off: timings on shared machines are noisy.
"""

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))  # `from strategies import ...` from any test

settings.register_profile(
    "ci",
    max_examples=500,
    deadline=None,
    print_blob=True,
    derandomize=True,  # CI runs the same examples every time: a red CI is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))


@pytest.fixture(autouse=True, scope="session")
def _close_widgets_before_exit():
    """Widgets the tests made (steppers) are closed while Python still runs: otherwise their
    __del__ runs during interpreter shutdown and prints ignored ImportErrors."""
    yield
    widgets = sys.modules.get("ipywidgets")
    if widgets is None:
        return
    from ipywidgets.widgets.widget import _instances  # ipywidgets 8's registry of live widgets
    for widget in list(_instances.values()):
        try:
            widget.close()
        except Exception:  # its comm manager is gone (a kernel test replaced it): just forget it
            widget.comm = None
