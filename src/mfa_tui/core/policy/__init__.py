"""IAM policy evaluation and the with/without-MFA report.

Owns: :mod:`.evaluator` (pure evaluation of one request), :mod:`.conditions` (wildcards, policy
variables, condition operators), :mod:`.fetch` (a principal's policies from IAM), :mod:`.report`
(the MFA matrix and the report for a profile).

May import: the top of ``core`` and :mod:`mfa_tui.core.aws` (only :mod:`.fetch` and :mod:`.report`
call AWS; the evaluator is pure). The local AWS authorises with the same evaluator.
"""
