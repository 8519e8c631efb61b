"""Helpers for the local AWS's own tests: boto3 clients from explicit keys, errors by code."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

# No retries and no client-side validation: the tests look at what the server itself answers.
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1}, parameter_validation=False)


@pytest.fixture(scope="session")
def boto_session():
    # One session for the whole run: clients from it are cheap (docs/libraries.md, "What a boto3 client costs").
    return boto3.session.Session()


@pytest.fixture
def client(boto_session, local_aws):
    """``client(service, creds)``: creds is a GetSessionToken/AssumeRole ``Credentials`` dict
    or an ``(access_key_id, secret)`` pair; retries are off unless a config is given."""

    def make(service: str, creds, config: Config | None = None):
        if isinstance(creds, dict):
            keys = dict(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        else:
            keys = dict(aws_access_key_id=creds[0], aws_secret_access_key=creds[1])
        return boto_session.client(
            service, region_name="us-east-1", endpoint_url=local_aws.endpoint, config=config or NO_RETRIES, **keys
        )

    return make
