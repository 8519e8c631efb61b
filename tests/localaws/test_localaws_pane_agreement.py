"""The policy pane's prediction and the local AWS's decision agree, for the demo's user and a
demo role, on every action of the pane's matrix and each kind of credentials.

The pane reads the policies over IAM (as it does for a profile); the local AWS gathers them from
moto and builds its own request context for a caller made the way each column says. Only the
policy decision is compared: STS's own rules for sessions made without a code (no IAM calls at
all) are not something the pane predicts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mfa_tui.core.policy.fetch import fetch_role, fetch_user
from mfa_tui.core.policy.report import analyse
from mfa_tui.localaws.authorisation import decide, identity_policies, request_context
from mfa_tui.localaws.callers import ROLE, SESSION, USER, Caller
from mfa_tui.localaws.request_actions import Requested

MFA_AGE = 300


def _caller(kind: str, column: str, now, *, arn, account, user_id, user_name=None, role_arn=None) -> Caller:
    mfa = column == "mfa"
    return Caller(
        kind=USER if column == "long_term" else kind,
        access_key_id="AKIAEXAMPLE",
        account=account,
        arn=arn,
        user_id=user_id,
        user_name=user_name,
        mfa=mfa,
        mfa_time=now - timedelta(seconds=MFA_AGE) if mfa else None,
        long_term_key=None,
        role_arn=role_arn,
    )


def _disagreements(report, callers, now) -> list[str]:
    found = []
    for row in report.rows:
        want = Requested(row.action, row.resource)
        for column, caller in callers.items():
            local = decide(identity_policies(caller), want, request_context(caller, now)).result
            predicted = row.cells[column].result
            if str(local) != str(predicted):
                found.append(f"{row.action} on {row.resource}, {column}: pane {predicted}, local AWS {local}")
    return found


@pytest.fixture
def mfa_creds(authorising_aws, demo_world, client):
    return client("sts", demo_world.keys()).get_session_token(
        SerialNumber=demo_world.alice_serial, TokenCode=demo_world.code()
    )["Credentials"]


def test_pane_and_local_aws_agree_for_alice(authorising_aws, demo_world, client, mfa_creds, frozen_clock):
    principal = fetch_user(client("iam", mfa_creds), "alice")
    now = frozen_clock.now()
    report = analyse(principal, mfa_age=MFA_AGE, clock=frozen_clock)
    alice = demo_world.alice
    user = client("iam", mfa_creds).get_user()["User"]
    callers = {
        column: _caller(SESSION, column, now, arn=alice.arn, account=alice.account, user_id=user["UserId"],
                        user_name="alice")
        for column in ("long_term", "no_mfa", "mfa")
    }
    assert report.rows and _disagreements(report, callers, now) == []
    # And the answers are real ones: the force-MFA policy splits the columns.
    s3 = next(r for r in report.rows if r.action == "s3:ListAllMyBuckets")
    assert (s3.long_term.allowed, s3.no_mfa.allowed, s3.mfa.allowed) == (False, False, True)


def test_pane_and_local_aws_agree_for_a_demo_role(authorising_aws, demo_world, client, mfa_creds, frozen_clock):
    arn = next(a for a in demo_world.role_arns if ":222222222222:role/ReadOnly" in a)
    role_creds = client("sts", mfa_creds).assume_role(RoleArn=arn, RoleSessionName="alice")
    principal = fetch_role(client("iam", role_creds["Credentials"]), "ReadOnly")
    now = frozen_clock.now()
    report = analyse(principal, mfa_age=MFA_AGE, clock=frozen_clock)
    session_arn = role_creds["AssumedRoleUser"]["Arn"]
    callers = {
        column: _caller(ROLE, column, now, arn=session_arn, account="222222222222",
                        user_id=role_creds["AssumedRoleUser"]["AssumedRoleId"], role_arn=arn)
        for column in ("no_mfa", "mfa")
    }
    assert report.rows and _disagreements(report, callers, now) == []
    iam_read = next(r for r in report.rows if r.action.startswith("iam:List") or r.action.startswith("iam:Get"))
    assert iam_read.mfa.allowed
