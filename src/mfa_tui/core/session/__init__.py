"""Sessions: the refresh plan and engine, the session store, state, and the credential-process peek.

Owns: :mod:`.refresh` (one code per device, then every role), :mod:`.store` (the state file and
the credentials file as one unit: the status rule), :mod:`.state` (state.json), :mod:`.peek` (the
credential-process hot path, importing only the standard library).

May import: the top of ``core``, :mod:`mfa_tui.core.aws` and :mod:`mfa_tui.core.credentials`.
Never the registry package (a registry is passed in) or the UI.
"""
