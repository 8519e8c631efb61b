"""Plain helpers shared by the local AWS tests."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """(Code, Message, HTTP status) of the ClientError ``call`` raises; fails if it succeeds."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]
