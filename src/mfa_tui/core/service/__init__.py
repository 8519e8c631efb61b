"""The façade the CLI and the dashboard use, and what is built only on top of it.

Owns: :mod:`.facade` (:class:`Service`: registry + session store + refresh engine), :mod:`.env`
(the environment for a profile), :mod:`.doctor` (the machine's setup checks).

May import: every concern package of ``core``. Imported by ``mfa_tui.cli`` and ``mfa_tui.ui``.
"""
