"""`python -m cajal`: the `cajal` command line (cajal/cli.py)."""

from .cli import main

raise SystemExit(main())
