"""AssumeRole on the local AWS: trust policies, MFA, ExternalId, duration limits, chaining."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from localaws_helpers import error_of

from mfa_tui.localaws import backends

DEV_ADMIN = "arn:aws:iam::222222222222:role/Admin"
PROD_READONLY = "arn:aws:iam::444444444444:role/ReadOnly"
CHAINING = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
MAX_SESSION = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."


@pytest.fixture
def alice_sts(demo_world, client):
    return client("sts", demo_world.keys("alice"))


@pytest.fixture
def mfa_session(demo_world, alice_sts, client):
    creds = alice_sts.get_session_token(SerialNumber=demo_world.alice_serial, TokenCode=demo_world.code())
    return client("sts", creds["Credentials"])


@pytest.fixture
def without_force_mfa(demo_world):
    """alice and bob without the force-MFA policy (admin still attached): here the trust policy alone decides.

    Under it, AWS would refuse AssumeRole without MFA in the identity policy first, and these tests
    are about what the trust policy itself admits.
    """
    iam = backends.iam("111111111111")
    for name in ("alice", "bob"):
        iam.detach_user_policy("arn:aws:iam::111111111111:policy/ForceMFA", name)


def _allow_role(account: str, role: str, action: str) -> None:
    """Give a demo role one more action (its policy allows S3 and IAM reads only), in-process."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    backends.iam(account).put_role_policy(role, "TestExtra", json.dumps(document))


def _not_authorized(caller_arn: str, role_arn: str) -> str:
    return f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


def _make_role(account: str, name: str, trust: dict, max_session: int = 3600) -> str:
    role = backends.iam(account).create_role(
        role_name=name,
        assume_role_policy_document=json.dumps(trust),
        path="/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration=str(max_session),
    )
    return role.arn


def _trust(principal, condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_chained_role_from_mfa_session(demo_world, mfa_session, client):
    result = mfa_session.assume_role(RoleArn=DEV_ADMIN, RoleSessionName="alice")
    assert result["AssumedRoleUser"]["Arn"] == "arn:aws:sts::222222222222:assumed-role/Admin/alice"
    assert result["Credentials"]["Expiration"] == demo_world.clock.now() + timedelta(hours=1)
    me = client("sts", result["Credentials"]).get_caller_identity()
    assert me["Arn"] == "arn:aws:sts::222222222222:assumed-role/Admin/alice"
    assert me["Account"] == "222222222222"
    assert me["UserId"] == result["AssumedRoleUser"]["AssumedRoleId"]
    assert me["UserId"].endswith(":alice")


def test_every_role_from_one_code(demo_world, mfa_session, local_aws):
    keys = {
        mfa_session.assume_role(RoleArn=arn, RoleSessionName="alice")["Credentials"]["AccessKeyId"]
        for arn in demo_world.role_arns
    }
    assert len(keys) == len(demo_world.role_arns) == 6
    assert local_aws.count("GetSessionToken") == 1


def test_without_mfa_the_trust_policy_refuses(demo_world, alice_sts, client, without_force_mfa):
    plain = client("sts", alice_sts.get_session_token()["Credentials"])
    code, message, status = error_of(plain.assume_role, RoleArn=DEV_ADMIN, RoleSessionName="alice")
    assert (code, status) == ("AccessDenied", 403)
    assert message == _not_authorized("arn:aws:iam::111111111111:user/alice", DEV_ADMIN)
    # Long-term keys carry no MFA key at all, which plain Bool does not match either.
    assert error_of(alice_sts.assume_role, RoleArn=DEV_ADMIN, RoleSessionName="alice")[0] == "AccessDenied"


def test_direct_with_a_code_gets_the_roles_maximum(demo_world, alice_sts, client):
    result = alice_sts.assume_role(
        RoleArn=PROD_READONLY,
        RoleSessionName="alice",
        DurationSeconds=4 * 3600,
        SerialNumber=demo_world.alice_serial,
        TokenCode=demo_world.code(),
    )
    assert result["Credentials"]["Expiration"] == demo_world.clock.now() + timedelta(hours=4)
    # ... and those credentials carry MFA onwards: chaining into a role that trusts
    # ReadOnly only with MFA works; Admin trusts alice herself, not ReadOnly.
    _allow_role("444444444444", "ReadOnly", "sts:AssumeRole")  # cross-account: the role's own policy must allow it
    onward = _make_role("222222222222", "Onward", _trust(PROD_READONLY, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    role_sts = client("sts", result["Credentials"])
    chained = role_sts.assume_role(RoleArn=onward, RoleSessionName="alice")
    assert chained["AssumedRoleUser"]["Arn"] == "arn:aws:sts::222222222222:assumed-role/Onward/alice"
    assert error_of(role_sts.assume_role, RoleArn=DEV_ADMIN, RoleSessionName="alice")[0] == "AccessDenied"


def test_direct_code_is_single_use_and_checked(demo_world, alice_sts):
    code = demo_world.code()
    kwargs = dict(RoleArn=PROD_READONLY, RoleSessionName="alice", SerialNumber=demo_world.alice_serial)
    alice_sts.assume_role(TokenCode=code, **kwargs)
    assert error_of(alice_sts.assume_role, TokenCode=code, **kwargs)[:2] == (
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    )
    bad_serial = dict(kwargs, SerialNumber="arn:aws:iam::111111111111:user/alice")
    assert "unable to validate MFA code" in error_of(alice_sts.assume_role, TokenCode=demo_world.next_code(), **bad_serial)[1]


def test_chaining_is_capped_at_one_hour(demo_world, mfa_session):
    code, message, status = error_of(
        mfa_session.assume_role, RoleArn=PROD_READONLY, RoleSessionName="alice", DurationSeconds=3601
    )
    assert (code, message, status) == ("ValidationError", CHAINING, 400)
    ok = mfa_session.assume_role(RoleArn=PROD_READONLY, RoleSessionName="alice", DurationSeconds=3600)
    assert ok["Credentials"]["Expiration"] == demo_world.clock.now() + timedelta(hours=1)


def test_max_session_duration_is_enforced_and_the_code_is_not_spent(demo_world, alice_sts):
    code = demo_world.code()
    kwargs = dict(RoleArn=PROD_READONLY, RoleSessionName="alice", SerialNumber=demo_world.alice_serial, TokenCode=code)
    assert error_of(alice_sts.assume_role, DurationSeconds=4 * 3600 + 1, **kwargs)[:2] == ("ValidationError", MAX_SESSION)
    # A refused duration leaves the code unspent, so the caller can retry at a shorter one.
    alice_sts.assume_role(DurationSeconds=3600, **kwargs)


def test_missing_role_looks_like_no_permission(demo_world, mfa_session):
    missing = "arn:aws:iam::222222222222:role/Nope"
    code, message, _ = error_of(mfa_session.assume_role, RoleArn=missing, RoleSessionName="alice")
    assert (code, message) == ("AccessDenied", _not_authorized("arn:aws:iam::111111111111:user/alice", missing))
    other_account = "arn:aws:iam::999999999999:role/Admin"
    assert error_of(mfa_session.assume_role, RoleArn=other_account, RoleSessionName="alice")[0] == "AccessDenied"


def test_principal_must_match(demo_world, client, without_force_mfa):
    bob = client("sts", demo_world.keys("bob"))
    arn = _make_role("222222222222", "BobOnly", _trust("arn:aws:iam::111111111111:user/bob"))
    assert bob.assume_role(RoleArn=arn, RoleSessionName="bob")["AssumedRoleUser"]["Arn"].endswith("/BobOnly/bob")
    # alice trusted only with MFA is not bob: even bob's long-term keys cannot assume Admin.
    code, message, _ = error_of(bob.assume_role, RoleArn=DEV_ADMIN, RoleSessionName="bob")
    assert message == _not_authorized("arn:aws:iam::111111111111:user/bob", DEV_ADMIN)


@pytest.mark.parametrize("principal", ["111111111111", "arn:aws:iam::111111111111:root", "*"])
def test_account_and_wildcard_principals(demo_world, client, without_force_mfa, principal):
    arn = _make_role("333333333333", "AnyoneThere", _trust(principal))
    bob = client("sts", demo_world.keys("bob"))
    assert bob.assume_role(RoleArn=arn, RoleSessionName="bob")["AssumedRoleUser"]["Arn"].endswith("/AnyoneThere/bob")


def test_bool_if_exists_admits_long_term_keys_but_not_plain_sessions(demo_world, alice_sts, client, without_force_mfa):
    arn = _make_role(
        "333333333333",
        "IfExists",
        _trust("arn:aws:iam::111111111111:root", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}),
    )
    alice_sts.assume_role(RoleArn=arn, RoleSessionName="alice")
    plain = client("sts", alice_sts.get_session_token()["Credentials"])
    assert error_of(plain.assume_role, RoleArn=arn, RoleSessionName="alice")[0] == "AccessDenied"


def test_external_id(demo_world, mfa_session):
    arn = _make_role(
        "444444444444",
        "Vendor",
        _trust("arn:aws:iam::111111111111:root", {"StringEquals": {"sts:ExternalId": "secret-handshake"}}),
    )
    assert error_of(mfa_session.assume_role, RoleArn=arn, RoleSessionName="alice")[0] == "AccessDenied"
    assert error_of(mfa_session.assume_role, RoleArn=arn, RoleSessionName="alice", ExternalId="wrong-one")[0] == (
        "AccessDenied"
    )
    mfa_session.assume_role(RoleArn=arn, RoleSessionName="alice", ExternalId="secret-handshake")


def test_deny_statement_wins(demo_world, mfa_session):
    trust = _trust("arn:aws:iam::111111111111:root")
    trust["Statement"].append(
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    )
    arn = _make_role("222222222222", "Denied", trust)
    assert error_of(mfa_session.assume_role, RoleArn=arn, RoleSessionName="alice")[0] == "AccessDenied"


def test_role_credentials_act_in_the_roles_account(demo_world, mfa_session, client):
    creds = mfa_session.assume_role(RoleArn=DEV_ADMIN, RoleSessionName="alice")["Credentials"]
    iam = client("iam", creds)
    names = sorted(r["RoleName"] for r in iam.list_roles()["Roles"])
    assert names == ["Admin", "ReadOnly"]
    _allow_role("222222222222", "Admin", "iam:CreateUser")
    iam.create_user(UserName="made-in-dev")
    assert backends.user("222222222222", "made-in-dev") is not None
    assert backends.user("111111111111", "made-in-dev") is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(RoleSessionName="x"), "roleSessionName"),
        (dict(RoleSessionName="has space"), "roleSessionName"),
        (dict(RoleSessionName="ok", DurationSeconds=899), "durationSeconds"),
        (dict(RoleSessionName="ok", DurationSeconds=43201), "durationSeconds"),
    ],
)
def test_parameters_are_validated(demo_world, mfa_session, kwargs, field):
    code, message, _ = error_of(mfa_session.assume_role, RoleArn=DEV_ADMIN, **kwargs)
    assert code == "ValidationError" and field in message


def test_source_identity_is_returned(demo_world, mfa_session):
    result = mfa_session.assume_role(RoleArn=DEV_ADMIN, RoleSessionName="alice", SourceIdentity="alice@example")
    assert result["SourceIdentity"] == "alice@example"


def test_role_credentials_reach_other_services_in_the_roles_account(demo_world, mfa_session, client):
    creds = mfa_session.assume_role(RoleArn=DEV_ADMIN, RoleSessionName="alice")["Credentials"]
    client("s3", creds).create_bucket(Bucket="dev-bucket")
    from moto.s3.models import s3_backends

    assert "dev-bucket" in s3_backends["222222222222"]["aws"].buckets
    assert "dev-bucket" not in s3_backends["111111111111"]["aws"].buckets
