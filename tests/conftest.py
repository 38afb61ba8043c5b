"""Shared test configuration: hermetic homes, hypothesis profiles and test tiers.

Every test module runs with a fresh, empty IPython and Jupyter home (IPYTHONDIR and the
JUPYTER_*_DIR variables), so kernels, shells and servers the tests start never read the
user's history, profiles, kernelspecs or settings: a test passes the same on a machine where
someone has used Jupyter for a year. Kernelspecs the tests need are installed into a temporary
prefix and found through JUPYTER_PATH; the package's own ones (sys.prefix) stay visible.

`ci` (loaded when the environment variable CI is set) runs 500 examples per property (the
fuzz tests scale this up); `default` runs 100, for a quick local run. HYPOTHESIS_PROFILE
overrides the choice. Deadlines are off: timings on shared machines are noisy.

Tiers (docs/TESTING.md): every test is `unit`, `integration` or `browser`, by its module
(INTEGRATION, tests/browser/); `slow` marks whole modules (SLOW) or single tests
(`@pytest.mark.slow`). `pytest -m "not slow"` is the quick loop; plain `pytest` runs all.
"""

import os
import shutil
import sys
import tempfile

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

# Modules that start kernels, IPython shells, servers, notebooks or other processes.
INTEGRATION = {
    "test_display", "test_first_command", "test_kernel", "test_kernel_protocol", "test_labextension",
    "test_live_check", "test_magic", "test_nbconvert", "test_notebook_pictures", "test_notebooks",
    "test_notebooks_experiments", "test_packaging", "test_soak",
}
# Modules slow as a whole (each test starts a notebook, a server or a long stream).
SLOW = {
    "test_first_command", "test_kernel_protocol", "test_nbconvert", "test_notebook_pictures", "test_notebooks",
    "test_notebooks_experiments", "test_soak",
}


def pytest_collection_modifyitems(config, items):
    """Mark each test with its tier, from its module (see the module docstring)."""
    for item in items:
        module = item.path.stem
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            continue
        item.add_marker(pytest.mark.integration if module in INTEGRATION else pytest.mark.unit)
        if module in SLOW:
            item.add_marker(pytest.mark.slow)


_HOMES = ("IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")


def _fresh_homes(root: str) -> dict[str, str]:
    return {var: os.path.join(root, var.lower()) for var in _HOMES}


def pytest_configure(config):
    """Before anything is imported or collected: no test ever sees the real homes."""
    root = tempfile.mkdtemp(prefix="cajal-test-home-")
    os.environ.update(_fresh_homes(root))
    os.environ.pop("JUPYTER_PATH", None)  # only what a test itself installs
    os.environ.pop("JUPYTER_CONFIG_PATH", None)
    config.add_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))


@pytest.fixture(autouse=True, scope="module")
def _hermetic_homes(tmp_path_factory):
    """A fresh home per test module: a kernel's history holds only what its module ran."""
    saved = {var: os.environ.get(var) for var in _HOMES}
    os.environ.update(_fresh_homes(str(tmp_path_factory.mktemp("home"))))
    yield
    os.environ.update({var: value for var, value in saved.items() if value is not None})


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
