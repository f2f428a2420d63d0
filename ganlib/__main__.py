"""``python -m ganlib train ...``: see ganlib/cli.py."""
from ganlib.cli import main

raise SystemExit(main())
