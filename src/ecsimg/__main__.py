"""Run ecsimg with ``python -m ecsimg``."""

from ecsimg.cli.main import main

raise SystemExit(main())
