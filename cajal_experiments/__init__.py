"""The experiments of the notebooks 04–09: five task families of the original code, each a
linked Cajal program with its model variants (`families/`), on shared data, models, training
loops, sweeps, statistics and reports.

Importable so that the notebooks stay short and the pieces are unit-tested
(tests/test_experiments.py). Nothing here downloads anything.
"""
