"""botocore clients built from explicit keys, the clock-skew watch, and long-term keys read for signing.

Clients come from one shared botocore session (``boto3.Session(profile_name=...)`` per
profile costs 0.1–0.2 s with hundreds of profiles; docs/libraries.md, "What a boto3 client costs") and are configured
with botocore's *standard* retry mode (throttling and 5xx retried with back-off, up to
:data:`MAX_ATTEMPTS` attempts) and explicit connect/read timeouts. boto3/botocore are imported
on first use only, so the dashboard and ``credential-process`` start without them.

Waits are bounded: a call waits at most :data:`CONNECT_TIMEOUT` for a connection and
:data:`READ_TIMEOUT` for an answer, and an endpoint that cannot be reached or does not answer
is tried :data:`UNREACHABLE_ATTEMPTS` times in all (a ``needs-retry`` handler each client gets,
ahead of botocore's own, ends the retries). Such an endpoint is then remembered as down for
:data:`DOWN_FOR` seconds by the process (:data:`endpoint_health`): every later call to that
URL fails at once with the same one-line reason instead of waiting out its own timeouts, so
200 profiles behind a dead endpoint fail together within one call's wait.

The shared session never reads the shared credentials file: every client gets explicit
keys and region, and that file is the one mfa-tui writes, which botocore would otherwise
parse (strictly, blind to a UTF-8 BOM, once per process) only to list profile names. It
still reads settings such as ``ca_bundle`` from ``[default]`` of the AWS config file; a
file botocore cannot parse becomes one line naming it (:class:`FileError`).

Errors are translated by :mod:`mfa_tui.core.aws.errors` (:func:`translate_error`,
:func:`error_code`, :func:`error_message`).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mfa_tui.core.aws.errors import config_parse_error
from mfa_tui.core.clock import utc
from mfa_tui.core.errors import ConfigError, CredentialsFileError
from mfa_tui.core.models import Identity

__all__ = [
    "CONNECT_TIMEOUT", "DOWN_FOR", "DOWN_MARK", "MAX_ATTEMPTS", "READ_TIMEOUT", "UNREACHABLE_ATTEMPTS",
    "ClockWatch", "EndpointHealth", "Keys", "client", "endpoint_health", "long_term_keys", "server_time",
]

CONNECT_TIMEOUT = 5
"""Seconds to wait for a TCP connection to STS/IAM."""
READ_TIMEOUT = 10
"""Seconds to wait for a response."""
MAX_ATTEMPTS = 5
"""Total attempts per call in botocore's standard retry mode (throttling, 5xx)."""
UNREACHABLE_ATTEMPTS = 2
"""Total attempts per call when the endpoint cannot be reached or times out."""
DOWN_FOR = 30.0
"""Seconds an endpoint found unreachable stays "down" for every call of this process."""

_session_lock = threading.Lock()
_session: Any = None

DOWN_MARK = "mfa_tui_endpoint_down"
"""Attribute set on the error a call to a known-down endpoint fails with (it was never sent)."""


class EndpointHealth:
    """Endpoints found unreachable or timing out, each remembered for :data:`DOWN_FOR` seconds.

    Shared by every client of the process (:data:`endpoint_health`) and thread-safe: the
    refresh engine's workers all consult it before sending.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: dict[str, tuple[float, BaseException]] = {}

    def mark_down(self, url: str, exc: BaseException) -> None:
        """``url`` could not be reached (or timed out) with ``exc``, after every attempt."""
        with self._lock:
            self._down[url] = (time.monotonic() + DOWN_FOR, exc)

    def failure(self, url: str) -> BaseException | None:
        """While ``url`` is down, a new error like the one that found it down; else None."""
        with self._lock:
            entry = self._down.get(url)
            if entry is not None and time.monotonic() >= entry[0]:
                del self._down[url]
                entry = None
        if entry is None:
            return None
        found = entry[1]
        try:
            again = type(found)(**getattr(found, "kwargs", {}))
        except Exception:  # noqa: BLE001 - a botocore error type we cannot rebuild: say "cannot reach"
            from botocore.exceptions import EndpointConnectionError

            again = EndpointConnectionError(endpoint_url=url)
        setattr(again, DOWN_MARK, True)
        return again

    def forget(self, url: str | None = None) -> None:
        """Forget ``url`` (every endpoint when None): the next call tries it again."""
        with self._lock:
            if url is None:
                self._down.clear()
            else:
                self._down.pop(url, None)


endpoint_health = EndpointHealth()
"""The process's memory of endpoints that are down."""


@dataclass(frozen=True)
class Keys:
    """Credentials used to sign calls: long-term (no token) or temporary."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:  # never show the secret parts
        return f"Keys(access_key_id={self.access_key_id!r}, temporary={self.session_token is not None})"


def _botocore_session():
    global _session
    with _session_lock:
        if _session is None:
            import botocore.session

            session = botocore.session.get_session()
            # Every client gets explicit keys: botocore needs nothing from the credentials file
            # (os.devnull is "not a file" to it, so it skips it), and no profile either. It would
            # refuse $AWS_PROFILE naming a profile only the credentials file has (often one
            # mfa-tui writes); settings such as ca_bundle come from [default] of the config file.
            session.set_config_variable("credentials_file", os.devnull)
            session.get_component("config_store").set_config_variable("profile", None)
            _session = session
        return _session


def client(
    service: str,
    keys: Keys | None = None,
    *,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    region: str = "us-east-1",
    endpoint_url: str | None = None,
    max_pool_connections: int = 10,
    max_attempts: int = MAX_ATTEMPTS,
):
    """A botocore client for ``service`` signed with explicit keys.

    Pass ``keys`` or the three key arguments. Creating clients is serialised (botocore's
    session is not thread-safe for that); the clients themselves are thread-safe.
    """
    if keys is None:
        if not access_key_id or not secret_access_key:
            raise ConfigError(f"{service} client needs an access key id and a secret key")
        keys = Keys(access_key_id, secret_access_key, session_token)
    import botocore.exceptions as bex
    from botocore.config import Config

    session = _botocore_session()
    config = Config(
        region_name=region,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        max_pool_connections=max_pool_connections,
        user_agent_extra="mfa-tui",
    )
    with _session_lock:
        try:
            made = session.create_client(
                service,
                region_name=region,
                endpoint_url=endpoint_url or None,
                aws_access_key_id=keys.access_key_id,
                aws_secret_access_key=keys.secret_access_key,
                aws_session_token=keys.session_token,
                config=config,
            )
        except bex.ConfigParseError as exc:
            # botocore keeps no half-parsed file: the next client parses it again, so a fixed file
            # works without a restart.
            kwargs = getattr(exc, "kwargs", {})
            raise config_parse_error(kwargs.get("path"), kwargs.get("error")) from None
        except UnicodeDecodeError as exc:  # botocore 1.44 wraps it in ConfigParseError; older ones may not
            raise config_parse_error(session.get_config_variable("config_file"), exc) from None
        except bex.BotoCoreError as exc:
            raise ConfigError(f"cannot create the {service} client: {str(exc).splitlines()[0]}") from None
    _bound_waits(made, min(UNREACHABLE_ATTEMPTS, max_attempts))
    return made


def _unreachable(exc: BaseException | None) -> bool:
    """An error that means the endpoint could not be reached or did not answer in time."""
    import botocore.exceptions as bex

    return isinstance(exc, (bex.ConnectionError, bex.ConnectionClosedError, bex.ReadTimeoutError))


def _bound_waits(client, limit: int) -> None:
    """Give ``client`` the two handlers that bound its waits on an endpoint that is down.

    ``before-send``: a call to an endpoint :data:`endpoint_health` knows is down fails at once.
    ``needs-retry`` (ahead of botocore's standard handler, which would retry up to
    :data:`MAX_ATTEMPTS` times): an unreachable or timed-out endpoint ends the call after
    ``limit`` attempts and is marked down. Raising the caught error is how a handler ends the
    retries in every botocore version; throttling and 5xx are left to the standard handler.
    """
    url = client.meta.endpoint_url
    service = client.meta.service_model.service_id.hyphenize()

    def fail_fast(**_kwargs) -> None:
        failure = endpoint_health.failure(url)
        if failure is not None:
            raise failure

    def stop_retrying(attempts: int = 1, caught_exception: BaseException | None = None, **_kwargs) -> None:
        if not _unreachable(caught_exception):
            return None
        if getattr(caught_exception, DOWN_MARK, False):
            raise caught_exception
        if attempts >= limit:
            endpoint_health.mark_down(url, caught_exception)
            raise caught_exception
        return None

    client.meta.events.register(f"before-send.{service}", fail_fast)
    client.meta.events.register_first(f"needs-retry.{service}", stop_retrying)


def long_term_keys(identity: Identity, credentials_path: Path, config_path: Path | None = None) -> Keys:
    """The identity's long-term keys, read from its ``source_profile`` (or the OS keyring: ``keys = "keyring"``).

    A keyring key is read at each call and kept nowhere (:mod:`mfa_tui.core.keystore`).

    Looks in the shared credentials file first, then ``[profile NAME]`` of the config file,
    as the AWS CLI does. Each file is read by :class:`CredentialsFile`, strictly as botocore
    reads it (:func:`mfa_tui.core.credentials.reader.read_sections`), so a broken file gets the same one-line message (file and line) the writer
    gives. Raises a one-line error naming the profile and file when the keys are missing or
    are temporary (a session token means they are not long-term keys).
    """
    if identity.keys == "keyring":
        return _keyring_keys(identity)
    from mfa_tui.core.credentials import reader

    name = identity.source_profile
    sections: list[tuple[Path, str]] = [(credentials_path, name)]
    if config_path is not None:
        sections.append((config_path, name if name == "default" else f"profile {name}"))
    for path, section in sections:
        values = reader.read_sections(path).get(section)
        if values is None:
            continue
        key_id = values.get("aws_access_key_id", "").strip()
        secret = values.get("aws_secret_access_key", "").strip()
        if not key_id or not secret:
            continue
        if values.get("aws_session_token") or values.get("aws_security_token"):
            raise CredentialsFileError(
                f"identity {identity.name}: profile [{name}] in {path} holds temporary credentials, "
                "not long-term keys; point source_profile at the profile with the IAM user's access key"
            )
        return Keys(key_id, secret)
    raise CredentialsFileError(
        f"identity {identity.name}: no long-term keys in profile [{name}] of {credentials_path}; "
        f"add them with `aws configure --profile {name}`"
    )


def _keyring_keys(identity: Identity) -> Keys:
    """The identity's key from the OS keyring, read at each use and never kept (``keys = "keyring"``)."""
    from mfa_tui.core.keystore import store

    stored = store.read(identity.name)
    if stored is None:
        raise store.KeystoreError(
            f"identity {identity.name}: keys = \"keyring\" but the keyring ({store.SERVICE}/{identity.name}) has no key; "
            f"run `mfa-tui keys move {identity.name}`, or set keys = \"source_profile\""
        )
    return Keys(stored.access_key_id, stored.secret_access_key)


def server_time(response: dict | None) -> datetime | None:
    """AWS's clock, from the ``Date`` header of a response or an error response."""
    if not response:
        return None
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    value = headers.get("date")
    if not value:
        return None
    import email.utils  # local: only needed once a response arrives

    try:
        return utc(email.utils.parsedate_to_datetime(value))
    except (TypeError, ValueError):
        return None


class ClockWatch:
    """Remembers the latest offset between AWS's ``Date`` header and the local clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.skew_seconds: float | None = None
        """AWS time minus local time, from the latest response; None until one was seen."""

    def observe(self, response: dict | None, local_now: datetime) -> None:
        aws_now = server_time(response)
        if aws_now is not None:
            with self._lock:
                self.skew_seconds = (aws_now - local_now).total_seconds()

    def describe(self, limit: float = 60.0) -> str | None:
        """A sentence about the skew when it is larger than ``limit`` seconds, else None."""
        skew = self.skew_seconds
        if skew is None or abs(skew) <= limit:
            return None
        direction = "behind" if skew > 0 else "ahead of"
        return f"your clock is {abs(skew):.0f}s {direction} AWS's; fix the system time (e.g. enable NTP)"
