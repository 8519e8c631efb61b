"""The AWS shared config and credentials files as botocore reads them, and what each profile holds.

The files are read with botocore's own loader (so they mean here what they mean to the AWS
CLI, ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE`` honoured) and are never written.
Parse errors give file and line, never the line's text: these files hold secrets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mfa_tui.core import paths
from mfa_tui.core.errors import FileError
from mfa_tui.core.credentials.reader import ini_problem
from mfa_tui.core.fileio import read_bytes

SSO_KEYS = ("sso_start_url", "sso_session", "sso_account_id", "sso_role_name")
TOKEN_KEYS = ("aws_session_token", "aws_security_token")
SERIAL_KEYS = ("mfa_serial", "aws_mfa_device")
SSO_REASON = "SSO profile: IAM Identity Center signs in on its own, not with an MFA code"
WEB_IDENTITY_REASON = "web-identity profile: no MFA involved"


@dataclass(frozen=True)
class AwsFiles:
    """The two shared files as botocore reads them: profile name -> its keys (file order), and what each profile holds."""

    config_path: Path
    credentials_path: Path
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Profiles of the config file (``[profile X]`` and ``[default]``), named as botocore names them."""
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Sections of the credentials file."""

    def values(self, name: str) -> dict[str, str]:
        """The profile's string keys, credentials overriding config as in botocore's full_config."""
        merged = {**self.config.get(name, {}), **self.credentials.get(name, {})}
        return {k: v.strip() for k, v in merged.items() if isinstance(v, str)}

    def key_state(self, name: str) -> str:
        """``long-term``, ``session``, ``incomplete`` or ``none``: which keys the profile holds."""
        for section in (self.credentials.get(name), self.config.get(name)):
            if section and any(k in section for k in ("aws_access_key_id", "aws_secret_access_key", *TOKEN_KEYS)):
                if any(section.get(k) for k in TOKEN_KEYS):
                    return "session"
                if section.get("aws_access_key_id") and section.get("aws_secret_access_key"):
                    return "long-term"
                return "incomplete"
        return "none"

    def serial(self, name: str) -> str | None:
        values = self.values(name)
        return next((values[k] for k in SERIAL_KEYS if values.get(k)), None)

    def source(self, name: str) -> str:
        if name in self.credentials:
            return f"credentials [{name}]"
        return f"config [{name}]" if name == "default" else f"config [profile {name}]"

    def shadow(self, name: str) -> str | None:
        """Why botocore would not read credentials written under ``name`` (docs/aws-behaviour.md, "The shared credentials file")."""
        values = self.values(name)
        if values.get("role_arn"):
            return "has role_arn in ~/.aws, which the AWS CLI prefers over the credentials file"
        if values.get("web_identity_token_file"):
            return "is a web-identity profile, which the AWS CLI prefers over the credentials file"
        if any(values.get(k) for k in SSO_KEYS):
            return "is an SSO profile, which the AWS CLI prefers over the credentials file"
        return None

    def no_keys_reason(self, name: str) -> str:
        state = self.key_state(name)
        if state == "session":
            return "holds only session credentials (no long-term keys to start an MFA session from)"
        if state == "incomplete":
            return "has an incomplete key pair (needs aws_access_key_id and aws_secret_access_key)"
        if name not in self.credentials and name not in self.config:
            return "does not exist in ~/.aws"
        return "has no long-term keys"

    def leftover_reason(self, name: str) -> str:
        """Why a profile no layout used is left out."""
        values = self.values(name)
        if any(values.get(k) for k in SSO_KEYS):
            return SSO_REASON
        if values.get("credential_process"):
            return "credential_process profile: credentials come from a program"
        if values.get("web_identity_token_file"):
            return WEB_IDENTITY_REASON
        state = self.key_state(name)
        if state == "long-term":
            return "long-term keys without mfa_serial or aws_mfa_device, and no MFA role uses them"
        if state != "none":
            return self.no_keys_reason(name)
        return "no credentials and no role_arn (settings only)"


def read_aws_files(config_path: Path | None = None, credentials_path: Path | None = None) -> AwsFiles:
    """Both shared files (missing ones are empty); :class:`FileError` naming file and line if unreadable."""
    config_path = Path(config_path) if config_path else paths.aws_config_path()
    credentials_path = Path(credentials_path) if credentials_path else paths.aws_credentials_path()
    from botocore.configloader import build_profile_map

    config_raw = _parse(config_path)
    profiles = build_profile_map(config_raw)["profiles"] if config_raw else {}
    return AwsFiles(config_path, credentials_path, profiles, _parse(credentials_path))


def _parse(path: Path) -> dict[str, dict[str, Any]]:
    """botocore's ``raw_config_parse`` with one-line, secret-free errors."""
    import configparser

    from botocore.configloader import raw_config_parse
    from botocore.exceptions import ConfigParseError

    # configparser silently skips files it cannot open; read first so that is an error.
    data = read_bytes(path)
    if data is None:
        return {}
    try:
        return raw_config_parse(os.fspath(path))
    except ConfigParseError as exc:
        error = exc.kwargs.get("error")
    if isinstance(error, UnicodeDecodeError):
        try:  # configparser decodes in chunks: place the fault against the whole file
            data.decode("utf-8")
        except UnicodeDecodeError as whole:
            error = whole
    line = ini_problem(path, error) if error is not None else f"{path}: cannot parse"
    if isinstance(error, configparser.MissingSectionHeaderError) and data.startswith(b"\xef\xbb\xbf"):
        line += " (the file starts with a UTF-8 byte-order mark; save it without one)"
    raise FileError(f"{line} (the AWS CLI cannot read it either)")
