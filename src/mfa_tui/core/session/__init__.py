"""Sessions: the refresh plan and engine, the session store, state, and the credential-process peek.

Owns: :mod:`.refresh` (what a refresh hands its caller: code requests, progress, results, the
report), :mod:`.plan` (which identities need a code), :mod:`.engine` (runs a plan: one code per
device, then every role; re-mints, who-am-I) with :mod:`.clients` (its STS clients), :mod:`.run`
(one run's context and code prompt) and :mod:`.roles` (assuming roles), :mod:`.store` (the state
file and the credentials file as one unit), :mod:`.status` (the status rule), :mod:`.state`
(state.json) with :mod:`.entries` (its records) and :mod:`.state_json` (its JSON), :mod:`.peek`
(the credential-process hot path, importing only the standard library).

May import: the top of ``core``, :mod:`mfa_tui.core.aws` and :mod:`mfa_tui.core.credentials`.
Never the registry package (a registry is passed in) or the UI.
"""
