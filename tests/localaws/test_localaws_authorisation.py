"""The local AWS authorises every request like AWS: denial shapes per protocol, the force-MFA
policy against each kind of credentials, and the flows mfa-tui needs that it still allows."""

from __future__ import annotations

import pytest

from localaws_helpers import error_of

ACCOUNT = "111111111111"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
FORCE_DENY = "with an explicit deny in an identity-based policy"


@pytest.fixture
def world(authorising_aws, demo_world):
    return demo_world


def mfa_session(world, client):
    return client("sts", world.keys()).get_session_token(
        SerialNumber=world.alice_serial, TokenCode=world.code()
    )["Credentials"]


def role_session(world, client, creds, role_arn, **kwargs):
    return client("sts", creds).assume_role(RoleArn=role_arn, RoleSessionName="alice", **kwargs)["Credentials"]


# ── denial shapes, as botocore parses them ──────────────────────────────────
def test_query_protocol_denial(world, client):
    code, message, status = error_of(client("iam", world.keys()).list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert message == f"User: {ALICE} is not authorized to perform: iam:ListUsers {FORCE_DENY}"


def test_s3_denial(world, client):
    code, message, status = error_of(client("s3", world.keys()).list_buckets)
    assert (code, status) == ("AccessDenied", 403)
    assert message == f"User: {ALICE} is not authorized to perform: s3:ListAllMyBuckets {FORCE_DENY}"


def test_json_protocol_denial(world, client):
    code, message, status = error_of(client("dynamodb", world.keys()).list_tables)
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == f"User: {ALICE} is not authorized to perform: dynamodb:ListTables {FORCE_DENY}"


def test_json_protocol_unknown_key(world, client):
    # DynamoDB and the other JSON services say UnrecognizedClientException where query services say
    # InvalidClientTokenId (the services' "Common Errors" pages).
    code, message, status = error_of(client("dynamodb", ("AKIAUNKNOWNUNKNOWN00", "x")).list_tables)
    assert (code, status) == ("UnrecognizedClientException", 400)
    assert message == "The security token included in the request is invalid."


def test_implicit_deny_names_the_action(authorising_aws, client):
    keys = authorising_aws.create_user("carol", ACCOUNT)
    code, message, _ = error_of(client("iam", keys).get_user, UserName="carol")
    assert code == "AccessDenied"
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: iam:GetUser on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/carol because no identity-based policy allows the iam:GetUser action"
    )


def test_an_unmappable_request_is_denied_naming_it(world, client):
    s3 = client("s3", mfa_session(world, client))
    code, message, _ = error_of(s3.get_bucket_cors, Bucket=world.buckets["identity"])
    assert code == "AccessDenied"
    assert "cannot tell which IAM action" in message and f"GET /{world.buckets['identity']}?cors" in message


def test_get_caller_identity_is_always_allowed(authorising_aws, client):
    keys = authorising_aws.create_user("nobody", ACCOUNT)  # no policy at all
    assert client("sts", keys).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/nobody"


def test_get_session_token_needs_no_permission(authorising_aws, client):
    # "No permissions are required for a user to get a session token ... You cannot use policies to
    # control authentication operations" (IAM User Guide, "Permissions for GetSessionToken").
    keys = authorising_aws.create_user("nobody", ACCOUNT)  # no policy at all
    creds = client("sts", keys).get_session_token()["Credentials"]
    assert client("sts", creds).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/nobody"


# ── the force-MFA policy ────────────────────────────────────────────────────
def test_force_mfa_denies_long_term_keys_and_allows_the_mfa_session(world, client):
    assert error_of(client("s3", world.keys()).list_buckets)[0] == "AccessDenied"
    assert error_of(client("iam", world.keys()).list_users)[0] == "AccessDenied"
    session = mfa_session(world, client)  # GetSessionToken is exempt
    assert {b["Name"] for b in client("s3", session).list_buckets()["Buckets"]} >= {world.buckets["identity"]}
    assert any(u["UserName"] == "alice" for u in client("iam", session).list_users()["Users"])
    # Without a code the session says MFA is false, and the policy denies it as well.
    plain = client("sts", world.keys()).get_session_token()["Credentials"]
    assert error_of(client("s3", plain).list_buckets)[0] == "AccessDenied"


def test_enrolment_calls_are_exempt_for_ones_own_user(world, client):
    iam = client("iam", world.keys("bob"))
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]
    assert iam.list_mfa_devices(UserName="bob")["MFADevices"] == []
    assert iam.get_user()["User"]["UserName"] == "bob"
    serial = device["SerialNumber"]
    local = world.aws
    iam.enable_mfa_device(UserName="bob", SerialNumber=serial,
                          AuthenticationCode1=local.current_code(serial, offset_steps=-1),
                          AuthenticationCode2=local.current_code(serial))
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="bob")["MFADevices"]] == [serial]
    # Not exempt: anything else, even with a device enabled, until bob gets an MFA session.
    assert error_of(iam.list_users)[0] == "AccessDenied"


# ── roles, buckets and session policies ─────────────────────────────────────
def test_chained_role_may_delete_the_protected_bucket(world, client):
    dev_admin = next(arn for arn in world.role_arns if ":222222222222:role/Admin" in arn)
    creds = role_session(world, client, mfa_session(world, client), dev_admin)
    s3 = client("s3", creds)
    s3.delete_bucket(Bucket=world.buckets["dev"])
    assert world.buckets["dev"] not in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_direct_role_is_denied_by_the_bucket_policy(world, client):
    prod_readonly = next(arn for arn in world.role_arns if ":444444444444:role/ReadOnly" in arn)
    creds = role_session(world, client, world.keys(), prod_readonly,
                         SerialNumber=world.alice_serial, TokenCode=world.code())
    s3 = client("s3", creds)
    assert world.buckets["prod"] in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    code, message, status = error_of(s3.delete_bucket, Bucket=world.buckets["prod"])
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        "User: arn:aws:sts::444444444444:assumed-role/ReadOnly/alice is not authorized to perform: "
        f"s3:DeleteBucket on resource: arn:aws:s3:::{world.buckets['prod']} "
        "with an explicit deny in a resource-based policy"
    )
    # Identity policies still see the MFA the role was assumed with: IAM reads work.
    assert client("iam", creds).list_roles()["Roles"]


def test_long_term_keys_are_denied_by_the_bucket_policy_too(authorising_aws, demo_world, client):
    # An all-allowing user in the bucket's account: only the bucket policy stands in the way.
    from mfa_tui.localaws import backends

    keys = authorising_aws.create_user("ops", "222222222222")
    backends.iam("222222222222").put_user_policy(
        "ops", "All", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    s3 = client("s3", keys)
    assert error_of(s3.delete_bucket, Bucket=demo_world.buckets["dev"])[0] == "AccessDenied"
    s3.create_bucket(Bucket="ops-scratch")
    s3.delete_bucket(Bucket="ops-scratch")


def test_a_session_policy_narrows_the_role(world, client):
    dev_admin = next(arn for arn in world.role_arns if ":222222222222:role/Admin" in arn)
    only_s3_list = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}'
    creds = role_session(world, client, mfa_session(world, client), dev_admin, Policy=only_s3_list)
    client("s3", creds).list_buckets()
    code, message, _ = error_of(client("iam", creds).list_roles)
    assert code == "AccessDenied" and message.endswith("because no session policy allows the iam:ListRoles action")


def test_authorisation_off_lets_everything_through(local_aws, demo_world, client):
    local_aws.authorise = False
    client("s3", demo_world.keys()).list_buckets()


# ── how the policy types combine (pure) ─────────────────────────────────────
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ALLOW_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@pytest.mark.parametrize(
    ("identity", "boundary", "resource", "expected"),
    [
        ([ALLOW_ALL], None, None, ("allowed", None)),
        ([], None, None, ("implicit_deny", "identity-based policy")),
        ([ALLOW_ALL], [ALLOW_S3], None, ("implicit_deny", "permissions boundary")),
        ([ALLOW_S3], [ALLOW_ALL], None, ("implicit_deny", "identity-based policy")),
        ([], None, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "iam:GetUser", "Resource": "*"}]},
         ("allowed", None)),
        ([ALLOW_ALL], None, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]},
         ("explicit_deny", "resource-based policy")),
    ],
)
def test_policy_types_combine_as_aws_documents(identity, boundary, resource, expected):
    import json

    from mfa_tui.localaws.authorisation import decide
    from mfa_tui.localaws.backends import IdentityPolicies
    from mfa_tui.localaws.request_actions import Requested

    policies = IdentityPolicies([json.dumps(d) for d in identity], [f"P{i}" for i in range(len(identity))],
                                boundary and [json.dumps(d) for d in boundary], boundary and ["B"])
    verdict = decide(policies, Requested("iam:GetUser", ALICE), {"aws:PrincipalArn": ALICE},
                     resource_policy=json.dumps(resource) if resource else None)
    assert (str(verdict.result), None if verdict.result == "allowed" else verdict.policy_type) == expected
