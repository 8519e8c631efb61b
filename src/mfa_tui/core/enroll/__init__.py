"""Virtual MFA enrolment: the IAM calls, the two-code check, and the QR code.

Owns: :mod:`.device` (the guided create/enable/delete flow), :mod:`.iam_devices` (listing a user's
devices, IAM errors as one line), :mod:`.registry_entry` (what enabling writes to the registry), :mod:`.cleanup` (deletes that need MFA:
the identity's live MFA session, or one line saying how),
:mod:`.codes` (two consecutive codes checked against the seed before AWS sees them), :mod:`.qr`
(the otpauth URI drawn as text).

May import: the top of ``core``, :mod:`mfa_tui.core.aws`, and :mod:`mfa_tui.core.registry` (an
enrolled device is written into the registry through the exact editor).
"""
