"""``python -m mfa_tui`` runs the same entry point as the ``mfa-tui`` script."""

from mfa_tui.cli import main

raise SystemExit(main())
