"""The experiments of notebooks 04 and 05: data, models, training loops and Cajal programs.

Importable so that the notebooks stay short and the pieces are unit-tested
(tests/test_experiments.py). Nothing here downloads anything.
"""

from . import data, models, programs, train  # noqa: F401
