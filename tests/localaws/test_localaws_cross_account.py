"""Cross-account requests need both sides' allow (docs/aws-behaviour.md, "Cross-account requests
need both accounts"): the caller's identity policy in its own account, and the resource's policy
naming it in the resource's account. Within one account either allow is enough, as before."""

from __future__ import annotations

import json

import pytest
from localaws_fixtures import admin_client
from localaws_helpers import error_of

HOME, OTHER = "111111111111", "222222222222"
BUCKET = "xacct-reports"
CAROL = f"arn:aws:iam::{HOME}:user/carol"


def _allow(resource: str = f"arn:aws:s3:::{BUCKET}/*", action: str = "s3:GetObject", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def bucket(authorising_aws):
    s3 = admin_client(authorising_aws, "s3", OTHER)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="q3.csv", Body=b"a,b\n")
    return s3


def _user(aws, name: str, account: str, *statements: dict):
    keys = aws.create_user(name, account)
    if statements:
        admin_client(aws, "iam", account).put_user_policy(
            UserName=name, PolicyName="own", PolicyDocument=_policy(*statements))
    return keys


def test_identity_allow_alone_does_not_reach_another_accounts_bucket(authorising_aws, bucket, client):
    keys = _user(authorising_aws, "carol", HOME, _allow())
    code, message, status = error_of(client("s3", keys).get_object, Bucket=BUCKET, Key="q3.csv")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: {CAROL} is not authorized to perform: s3:GetObject on resource: "
                       f"arn:aws:s3:::{BUCKET}/q3.csv because no resource-based policy allows the s3:GetObject action")


def test_bucket_policy_alone_does_not_let_another_account_in(authorising_aws, bucket, client):
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=_policy(_allow(Principal={"AWS": HOME})))
    keys = _user(authorising_aws, "carol", HOME)  # no identity policy
    code, message, _ = error_of(client("s3", keys).get_object, Bucket=BUCKET, Key="q3.csv")
    assert code == "AccessDenied"
    assert message.endswith("because no identity-based policy allows the s3:GetObject action"), message


def test_both_allows_let_another_account_in(authorising_aws, bucket, client):
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=_policy(_allow(Principal={"AWS": f"arn:aws:iam::{HOME}:root"})))
    keys = _user(authorising_aws, "carol", HOME, _allow())
    assert client("s3", keys).get_object(Bucket=BUCKET, Key="q3.csv")["Body"].read() == b"a,b\n"


def test_a_bucket_policy_naming_someone_else_does_not_count(authorising_aws, bucket, client):
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=_policy(_allow(Principal={"AWS": "333333333333"})))
    keys = _user(authorising_aws, "carol", HOME, _allow())
    code, message, _ = error_of(client("s3", keys).get_object, Bucket=BUCKET, Key="q3.csv")
    assert code == "AccessDenied" and "no resource-based policy allows" in message


def test_same_account_bucket_policy_alone_is_enough(authorising_aws, bucket, client):
    bucket.put_bucket_policy(Bucket=BUCKET, Policy=_policy(_allow(Principal={"AWS": f"arn:aws:iam::{OTHER}:user/dave"})))
    keys = _user(authorising_aws, "dave", OTHER)  # no identity policy, same account as the bucket
    assert client("s3", keys).get_object(Bucket=BUCKET, Key="q3.csv")["Body"].read() == b"a,b\n"


def test_cross_account_assume_role_needs_the_callers_allow_and_the_trust(authorising_aws, client):
    admin_client(authorising_aws, "iam", OTHER).create_role(
        RoleName="Audit", AssumeRolePolicyDocument=_policy(
            {"Effect": "Allow", "Principal": {"AWS": HOME}, "Action": "sts:AssumeRole"}))
    role = f"arn:aws:iam::{OTHER}:role/Audit"
    keys = _user(authorising_aws, "carol", HOME)  # trusted by the role's account, but no allow of its own
    code, message, _ = error_of(client("sts", keys).assume_role, RoleArn=role, RoleSessionName="carol")
    assert code == "AccessDenied" and "no identity-based policy allows the sts:AssumeRole action" in message
    keys = _user(authorising_aws, "erin", HOME, _allow(role, "sts:AssumeRole"))
    assert client("sts", keys).assume_role(RoleArn=role, RoleSessionName="erin")["AssumedRoleUser"]["Arn"].startswith(
        f"arn:aws:sts::{OTHER}:assumed-role/Audit/")
