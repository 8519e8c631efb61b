"""AWS calls: botocore clients built from explicit keys, STS, and botocore errors as domain errors.

Owns: :mod:`.clients` (the shared botocore session, client cache, endpoint and retry settings,
clock-skew watch, long-term keys), :mod:`.errors` (botocore errors as one-line domain errors) and :mod:`.sts` (GetSessionToken, AssumeRole,
GetCallerIdentity, a role's maximum session).

May import: the top of ``core`` (models, clock, errors, logfile) and :mod:`mfa_tui.core.credentials.reader`
(long-term keys are read from the credentials file, and a config file botocore refuses is read again
for the line to name, with the same INI rules). Never the registry, sessions or the UI.
"""
