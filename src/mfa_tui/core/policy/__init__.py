"""IAM policy evaluation and the with/without-MFA report.

Owns: :mod:`.evaluator` (pure evaluation of one request), :mod:`.documents` (a policy document's
structure and defects), :mod:`.conditions` (condition operators), :mod:`.wildcards` (request
contexts, wildcards, policy variables), :mod:`.matrix` (the pure MFA matrix and its input rules),
:mod:`.fetch` (a principal's policies from IAM), :mod:`.report` (AWS's own answer and the report
for a profile), :mod:`.principals` (whether a ``Principal`` names a requester) and :mod:`.trust`
(the one trust-policy rule: the policy pane's verdict and the local AWS's AssumeRole).

May import: the top of ``core`` and :mod:`mfa_tui.core.aws` (only :mod:`.fetch` and :mod:`.report`
call AWS; the evaluator and the matrix are pure). The local AWS authorises with the same evaluator.
"""
