"""``CredentialsFile.key_ids`` (status's line scan) agrees with ``read`` (the full parse) on every file ``read`` accepts."""

from __future__ import annotations

from hypothesis import given, settings
from test_credentials_file_props import models

from mfa_tui.core.credentials.file import CredentialsFile


@settings(max_examples=200, deadline=None)
@given(model=models())
def test_key_ids_agree_with_the_full_parse(tmp_path_factory, model):
    path = tmp_path_factory.mktemp("creds") / "credentials"
    path.write_bytes(model.data)
    parsed = CredentialsFile(path).read()
    expected = {name: keys.get("aws_access_key_id") for name, keys in parsed.items()}
    assert CredentialsFile(path).key_ids() == expected


def test_a_missing_file_has_no_sections(tmp_path):
    assert CredentialsFile(tmp_path / "none").key_ids() == {}
