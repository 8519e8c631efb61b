"""Console sign-in: a federation sign-in URL built from a role session's credentials.

May import the registry, the session, AWS calls and the base.
"""
