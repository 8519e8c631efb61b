"""Role trust policies for the local AWS's AssumeRole (the part moto skips).

The rule is the core's one trust rule, :func:`mfa_tui.core.policy.trust.trust_decision`, which the
policy pane uses too (docs/aws-behaviour.md, "Who a trust policy trusts"); the core reads the
document as moto stores it (a dict, JSON text or IAM's URL-encoded JSON).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mfa_tui.core.policy.trust import trust_decision


def allows(policy_document: str | Mapping, principals: Iterable[str], context: Mapping[str, str]) -> bool:
    """Whether a trust policy lets a caller known by ``principals`` assume the role.

    ``principals``: every way a ``Principal`` can name the caller (account id, root ARN, its ARN and,
    for a role session, the role's ARN). ``context`` holds condition keys that exist for this
    request, e.g. ``{"aws:MultiFactorAuthPresent": "true", "sts:ExternalId": "x"}``; absent keys are left out.
    """
    return trust_decision(policy_document, principals, context).allowed
