"""A local credential endpoint (the container-credentials format) for ``mfa-tui exec`` and ``mfa-tui serve``.

Serves a profile's current credentials through the service facade, re-minting chained roles from the
live MFA session. May import the core; never the UI.
"""
