"""The demo world's policy documents: alice's, the roles', the protected buckets' and the roles' trust.

alice keeps the seed documents' force-MFA policy (nothing but enrolling and getting a session
without MFA); each role may use S3 and read IAM; each account's bucket denies
``s3:DeleteBucket`` to any request without MFA (seed 003's policy). Plain data, no moto.
"""

from __future__ import annotations

import json

FORCE_MFA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ListMFADevices",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetSessionToken",
            ],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    ],
}
"""The seed documents' policy: without MFA, nothing but enrolling a device and getting a session."""

SELF_MANAGE_MFA_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowListActions",
            "Effect": "Allow",
            "Action": ["iam:ListUsers", "iam:ListVirtualMFADevices"],
            "Resource": "*",
        },
        {
            "Sid": "AllowManageOwnVirtualMFADevice",
            "Effect": "Allow",
            "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
            "Resource": "arn:aws:iam::*:mfa/*",
        },
        {
            "Sid": "AllowManageOwnUserMFA",
            "Effect": "Allow",
            "Action": [
                "iam:DeactivateMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice",
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
    ],
}
"""In the style of AWS's example "allows MFA-authenticated IAM users to manage their own MFA device"."""

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "UseS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "ReadIAM", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    ],
}
"""What every demo role may do: S3, and read-only IAM (so the policy pane has real answers)."""


def protected_bucket_policy(bucket: str) -> str:
    """Seed 003's bucket policy: deleting the bucket needs MFA (absent counts as no MFA)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyDeleteBucketWithoutMFA",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteBucket",
                    "Resource": f"arn:aws:s3:::{bucket}",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                }
            ],
        }
    )


def protected_bucket_name(account_name: str) -> str:
    return f"mfa-tui-{account_name}-protected"


def trust_alice_with_mfa(alice_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": alice_arn},
                    "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                }
            ],
        }
    )
