"""Users' permissions boundaries (moto keeps none): PutUserPermissionsBoundary, CreateUser with
PermissionsBoundary, DeleteUserPermissionsBoundary and GetUser, and the boundary applied by
authorisation: an action must be allowed by the identity policy and the boundary, and an explicit
deny in either wins (docs/aws-behaviour.md, "Permissions boundaries of users")."""

from __future__ import annotations

import json

import pytest
from localaws_fixtures import admin_client
from localaws_helpers import error_of

from mfa_tui.core.policy.fetch import fetch_user

ACCOUNT = "111111111111"
CAROL = f"arn:aws:iam::{ACCOUNT}:user/carol"


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


@pytest.fixture
def iam(authorising_aws):
    return admin_client(authorising_aws, "iam")


@pytest.fixture
def carol(authorising_aws, iam):
    keys = authorising_aws.create_user("carol", ACCOUNT)
    iam.put_user_policy(UserName="carol", PolicyName="everything", PolicyDocument=_policy(ALLOW_ALL))
    return keys


def _boundary(iam, name: str, *statements: dict) -> str:
    return iam.create_policy(PolicyName=name, PolicyDocument=_policy(*statements))["Policy"]["Arn"]


def test_the_boundary_caps_what_the_identity_policy_allows(iam, carol, client):
    arn = _boundary(iam, "S3ListOnly", {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=arn)
    assert iam.get_user(UserName="carol")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}
    pane = fetch_user(iam, "carol")  # the policy pane reads it through GetUser, as on AWS
    assert pane.boundary_arn == arn and pane.boundary is not None
    client("s3", carol).list_buckets()  # allowed by both
    code, message, status = error_of(client("iam", carol).list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {CAROL} is not authorized to perform: iam:ListUsers "
                       "because no permissions boundary allows the iam:ListUsers action")
    iam.delete_user_permissions_boundary(UserName="carol")
    assert "PermissionsBoundary" not in iam.get_user(UserName="carol")["User"]
    client("iam", carol).list_users()


def test_an_explicit_deny_in_the_boundary_wins(iam, carol, client):
    arn = _boundary(iam, "NoS3List", ALLOW_ALL, {"Effect": "Deny", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=arn)
    code, message, _ = error_of(client("s3", carol).list_buckets)
    assert code == "AccessDenied"
    assert message.endswith("with an explicit deny in a permissions boundary"), message


def test_the_boundary_grants_nothing_by_itself(authorising_aws, iam, client):
    keys = authorising_aws.create_user("dave", ACCOUNT)  # no identity policy
    iam.put_user_permissions_boundary(UserName="dave", PermissionsBoundary=_boundary(iam, "All", ALLOW_ALL))
    code, message, _ = error_of(client("iam", keys).list_users)
    assert code == "AccessDenied" and "because no identity-based policy allows" in message


def test_create_user_with_a_boundary(authorising_aws, iam, client):
    arn = _boundary(iam, "S3ListOnly", {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
    created = iam.create_user(UserName="erin", PermissionsBoundary=arn)["User"]
    assert created["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    iam.put_user_policy(UserName="erin", PolicyName="everything", PolicyDocument=_policy(ALLOW_ALL))
    key = iam.create_access_key(UserName="erin")["AccessKey"]
    keys = (key["AccessKeyId"], key["SecretAccessKey"])
    client("s3", keys).list_buckets()
    code, _, _ = error_of(client("iam", keys).list_users)
    assert code == "AccessDenied"


def test_bad_boundaries_are_refused(iam, carol, client):
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Nope"
    code, message, status = error_of(iam.put_user_permissions_boundary, UserName="carol", PermissionsBoundary=missing)
    assert (code, status) == ("NoSuchEntity", 404) and missing in message
    code, _, status = error_of(iam.put_user_permissions_boundary, UserName="nobody",
                               PermissionsBoundary=_boundary(iam, "All", ALLOW_ALL))
    assert (code, status) == ("NoSuchEntity", 404)
    code, _, status = error_of(iam.create_user, UserName="frank", PermissionsBoundary=missing)
    assert (code, status) == ("NoSuchEntity", 404)
    code, _, _ = error_of(iam.get_user, UserName="frank")
    assert code == "NoSuchEntity"  # nothing half-made
