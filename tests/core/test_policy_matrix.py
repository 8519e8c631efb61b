"""The pure MFA matrix: policy documents in, with/without-MFA answers out, no AWS call."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.errors import ConfigError
from mfa_tui.core.models import MFA_SESSION_MAX
from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.fetch import PolicyDoc, Principal
from mfa_tui.core.policy.matrix import (
    NOT_SIMULATED,
    Cell,
    PolicyReport,
    aws_letter,
    check_mfa_age,
    clamp_mfa_age,
    local_matrix,
    reevaluate,
)
from mfa_tui.core.policy.report import analyse

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NEEDS_MFA_FOR_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoEc2WithoutMFA", "Effect": "Deny", "Action": "ec2:*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Sid": "FreshMFAForDelete", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*",
         "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "600"}}},
    ],
}


def principal() -> Principal:
    doc = PolicyDoc("Guard", "inline", "user bob", NEEDS_MFA_FOR_EC2, label="Guard")
    return Principal("user", "bob", arn="arn:aws:iam::111111111111:user/bob", account_id="111111111111",
                     policies=[doc])


def test_local_matrix_answers_from_the_documents_alone():
    report = local_matrix(principal(), now=NOW, actions=["ec2:RunInstances"])
    assert report.simulation == NOT_SIMULATED and not report.simulated
    rows = {r.action: r for r in report.rows}
    run = rows["ec2:RunInstances"]
    assert run.origin == "requested" and run.needs_mfa
    assert run.long_term.result is Result.EXPLICIT_DENY and run.long_term.deciding == ("Guard#NoEc2WithoutMFA",)
    assert rows["s3:ListAllMyBuckets"].mfa.allowed and rows["s3:ListAllMyBuckets"].long_term.allowed


def test_local_matrix_is_analyse_without_a_simulator():
    assert analyse(principal(), actions=["ec2:RunInstances"], mfa_age=900, clock=FrozenClock(NOW)) == local_matrix(
        principal(), now=NOW, actions=["ec2:RunInstances"], mfa_age=900
    )


def test_reevaluate_changes_only_what_the_mfa_age_decides():
    first = PolicyReport("bob", "bob", NOW, 300, [local_matrix(principal(), now=NOW)])
    older = reevaluate(first, mfa_age=900)
    rows = {r.action: r for r in older.principals[0].rows}
    assert older.mfa_age == 900 and rows["s3:DeleteBucket"].mfa.result is Result.EXPLICIT_DENY
    assert {r.action: r for r in first.principals[0].rows}["s3:DeleteBucket"].mfa.allowed


def test_aws_letter_reads_each_answer_and_marks_unasked_cells():
    assert [aws_letter(Cell(Result.ALLOWED, aws=r)) for r in (*Result, None)] == ["A", "D", "n", "?"]


def test_mfa_age_range_is_checked_and_clamped_by_one_rule():
    assert check_mfa_age(0) == 0 and check_mfa_age(MFA_SESSION_MAX) == MFA_SESSION_MAX
    with pytest.raises(ConfigError, match=rf"^--mfa-age -1: expected 0 to {MFA_SESSION_MAX} seconds$"):
        check_mfa_age(-1, what="--mfa-age")
    with pytest.raises(ConfigError, match="^MFA age"):
        check_mfa_age(MFA_SESSION_MAX + 1)
    assert [clamp_mfa_age(s) for s in (-5, 42, MFA_SESSION_MAX + 1)] == [0, 42, MFA_SESSION_MAX]
