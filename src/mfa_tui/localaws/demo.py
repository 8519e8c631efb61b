"""The demo world: accounts, users, an MFA device, roles, buckets, and the files that point at them.

alice and bob have the force-MFA policy (see :mod:`~mfa_tui.localaws.demo_policies`); each role
may use S3 and read IAM; each account has a bucket whose policy denies deleting it without MFA.

:func:`build_world` fills a running :class:`~mfa_tui.localaws.server.LocalAWS` (directly
through moto's backends: a thousand roles take milliseconds, not a thousand HTTP calls)
and writes, under a throw-away HOME:

- the registry at ``HOME/.config/mfa-tui/config.toml`` (platformdirs' location when
  ``HOME`` is that dir and ``XDG_CONFIG_HOME`` is unset), written with tomli-w;
- ``HOME/.aws/credentials`` with the long-term keys of ``alice`` and ``bob`` (0600);
- ``HOME/.aws/config`` with region and ``endpoint_url`` for every profile (never
  ``role_arn``, which would shadow what mfa-tui writes: docs/aws-behaviour.md, "The shared credentials file");
- ``HOME/.local/state/mfa-tui/demo.json`` (0600) with alice's device seed, so
  ``mfa-tui demo code`` can show the current code without an authenticator app.

The seed is a throw-away demo secret for a device that exists only in this local AWS.
By default it is the fixed :data:`DEMO_SEED`, so the demo is reproducible; it is no
secret anywhere else and must never be used for a real device.

This module imports moto only inside :func:`build_world`; :func:`demo_code` needs pyotp only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.errors import ConfigError, FileError
from mfa_tui.core.fileio import atomic_write, ensure_private_dir, read_bytes
from mfa_tui.localaws import demo_files
from mfa_tui.localaws.demo_policies import (
    ADMIN_POLICY,
    FORCE_MFA_POLICY,
    ROLE_POLICY,
    SELF_MANAGE_MFA_POLICY,
    protected_bucket_name,
    protected_bucket_policy,
    trust_alice_with_mfa,
)

if TYPE_CHECKING:
    from mfa_tui.localaws.server import LocalAWS

DEMO_SEED = "MFATUIDEMOSEEDMFATUIDEMOSEEDMFATUIDEMOSEEDMFATUIDEMOSEEDMFATUI2345"[:64]
"""alice's device seed in the demo (64 Base32 characters, as AWS issues). Public on purpose."""
CAROL_SEED = "CAROLZEROTYPINGDEMOSEED234567ABCDEFGHIJKLMNOPQRSTUVWXYZCAROL2345"[:64]
"""carol's device seed (the identity whose codes come from a command, ``auto_identity``). Public on purpose."""

IDENTITY_ACCOUNT = "111111111111"
NAMED_ACCOUNTS = [("identity", IDENTITY_ACCOUNT), ("dev", "222222222222"), ("staging", "333333333333"), ("prod", "444444444444")]
REGION = demo_files.REGION
READONLY_MAX_SESSION = 4 * 3600
"""ReadOnly roles allow 4 h sessions, so the direct profile can ask for them."""

@dataclass(frozen=True)
class DemoIdentity:
    """One demo IAM user."""

    name: str
    account: str
    source_profile: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    mfa_serial: str | None = None
    seed: str | None = field(default=None, repr=False)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:user/{self.name}"


@dataclass
class DemoWorld:
    """What :func:`build_world` made, with helpers for tests and the demo."""

    aws: Any
    """The LocalAWS the world lives in."""
    home: Path
    endpoint: str
    config_path: Path
    state_dir: Path
    credentials_path: Path
    aws_config_path: Path
    accounts: dict[str, str]
    """Account name -> 12-digit id, identity account first."""
    identities: dict[str, DemoIdentity]
    profiles: list[str]
    """Registry profile names, in file order."""
    role_arns: list[str]
    buckets: dict[str, str] = field(default_factory=dict)
    """Account name -> its protected bucket (deleting it needs MFA)."""

    @property
    def state_path(self) -> Path:
        """The demo registry's state file (each registry has its own)."""
        from mfa_tui.core.session.peek import state_file_name

        return self.state_dir / state_file_name(str(self.config_path))

    @property
    def alice(self) -> DemoIdentity:
        return self.identities["alice"]

    @property
    def alice_serial(self) -> str:
        serial = self.alice.mfa_serial
        assert serial is not None
        return serial

    @property
    def clock(self):
        return self.aws.clock

    def code(self, identity: str = "alice") -> str:
        """A valid code not yet spent: the current step's, or (if spent) the next step's.

        With a FrozenClock the clock is advanced to the start of the next step; with a
        real clock this sleeps until then (at most 30 s). Two calls in a row without
        using the first code return the same code.
        """
        serial = self._serial(identity)
        last = self.aws.last_spent_step(serial)
        while last is not None and self.aws.device_step(serial) <= last:
            self._next_step()
        return self.aws.current_code(serial)

    def next_code(self, identity: str = "alice") -> str:
        """Move to the next TOTP step (advancing a FrozenClock) and return its code."""
        self._next_step()
        return self.code(identity)

    def _next_step(self) -> None:
        now = self.clock.now()
        wait = 30 - now.timestamp() % 30
        if isinstance(self.clock, FrozenClock):
            self.clock.advance(wait)
        else:
            time.sleep(wait + 0.05)

    def _serial(self, identity: str) -> str:
        ident = self.identities.get(identity)
        if ident is None or ident.mfa_serial is None:
            raise KeyError(f"demo identity {identity!r} has no MFA device")
        return ident.mfa_serial

    def keys(self, identity: str = "alice") -> tuple[str, str]:
        """The identity's long-term ``(access_key_id, secret_access_key)``."""
        ident = self.identities[identity]
        return ident.access_key_id, ident.secret_access_key

    def client(self, service: str, identity: str = "alice", **kwargs: Any) -> Any:
        """A boto3 client on the local AWS with the identity's long-term keys."""
        import boto3

        key, secret = self.keys(identity)
        return boto3.client(
            service,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            region_name=REGION,
            endpoint_url=self.endpoint,
            **kwargs,
        )


def demo_paths(home: Path) -> tuple[Path, Path]:
    """``(registry path, state dir)`` mfa-tui uses when ``HOME=home`` and no XDG variables are set."""
    home = Path(home)
    return home / ".config" / "mfa-tui" / "config.toml", home / ".local" / "state" / "mfa-tui"


def demo_secrets_path(home: Path) -> Path:
    return demo_paths(home)[1] / "demo.json"


def account_list(accounts: int) -> list[tuple[str, str]]:
    """``(name, id)`` for ``accounts`` accounts: identity, dev, staging, prod, then acct-05…"""
    if accounts < 1:
        raise ConfigError(f"--accounts must be at least 1, got {accounts}")
    result = list(NAMED_ACCOUNTS[:accounts])
    for i in range(len(result) + 1, accounts + 1):
        result.append((f"acct-{i:02d}", f"9{i:011d}"))
    return result


def role_names(count: int) -> list[str]:
    """Admin, ReadOnly, then Role03, Role04…"""
    names = ["Admin", "ReadOnly"][:count]
    return names + [f"Role{i:02d}" for i in range(3, count + 1)]


def build_world(
    aws: LocalAWS,
    home: Path,
    *,
    accounts: int = 4,
    roles_per_account: int = 2,
    seed: str | None = None,
    direct_profile: bool = True,
    auto_identity: bool = False,
    alice_command: bool = False,
) -> DemoWorld:
    """Create the demo's IAM state in ``aws`` (which must be started) and its files under ``home``.

    ``direct_profile`` adds one ``direct`` role (AssumeRole carrying its own code). The dashboard's
    ``--demo`` leaves it out, so a newcomer refreshes every demo profile with one code.
    ``auto_identity`` adds carol, with a device of her own and a profile, whose registry entry has
    ``code_source = "command"`` running ``mfa-tui demo code --identity carol``: the dashboard's
    ``--demo`` shows her refreshed with no typing beside alice's typed code. ``alice_command`` gives
    alice that source too (``demo serve --code-source``), so ``refresh --all`` needs no terminal.
    """
    if roles_per_account < 0:
        raise ConfigError(f"--roles-per-account must not be negative, got {roles_per_account}")
    if not aws.endpoint:
        raise ConfigError("the local AWS must be started before building the demo world")
    from mfa_tui.localaws import backends

    home = Path(home)
    check_demo_home(home)
    acct_list = account_list(accounts)
    identity_backend = backends.iam(IDENTITY_ACCOUNT)

    admin_arn = _policy(identity_backend, "DemoAdministratorAccess", ADMIN_POLICY)
    force_arn = _policy(identity_backend, "ForceMFA", FORCE_MFA_POLICY)
    self_manage_arn = _policy(identity_backend, "SelfManageMFA", SELF_MANAGE_MFA_POLICY)
    identities: dict[str, DemoIdentity] = {}
    for name in ("alice", "bob", *(("carol",) if auto_identity else ())):
        identity_backend.create_user(REGION, name, path="/")
        for arn in (force_arn, self_manage_arn, admin_arn):
            identity_backend.attach_user_policy(arn, name)
        key = identity_backend.create_access_key(name)
        mfa_serial = device_seed = None
        if name != "bob":
            device = identity_backend.create_virtual_mfa_device(name, "/")
            device.base32_string_seed = device_seed = (seed or DEMO_SEED) if name == "alice" else CAROL_SEED
            # Enabled in-process: the enrolment codes are not the point of the demo.
            identity_backend.enable_mfa_device(name, device.serial_number, "000000", "000000")
            mfa_serial = device.serial_number
        identities[name] = DemoIdentity(
            name=name,
            account=IDENTITY_ACCOUNT,
            source_profile=f"{name}-long-term",
            access_key_id=key.access_key_id,
            secret_access_key=key.secret_access_key,
            mfa_serial=mfa_serial,
            seed=device_seed,
        )

    trust = trust_alice_with_mfa(identities["alice"].arn)
    roles: list[tuple[str, str, str]] = []  # (account name, role name, arn)
    buckets: dict[str, str] = {}
    for acct_name, acct_id in acct_list:
        buckets[acct_name] = protected_bucket_name(acct_name)
        backends.create_bucket(acct_id, buckets[acct_name], REGION, protected_bucket_policy(buckets[acct_name]))
    for acct_name, acct_id in acct_list[1:]:
        backend = backends.iam(acct_id)
        role_policy_arn = _policy(backend, "DemoS3AndReadOnlyIAM", ROLE_POLICY) if roles_per_account else ""
        for role_name in role_names(roles_per_account):
            max_session = READONLY_MAX_SESSION if role_name == "ReadOnly" else 3600
            role = backend.create_role(
                role_name=role_name,
                assume_role_policy_document=trust,
                path="/",
                permissions_boundary=None,
                description=f"demo role {role_name} in {acct_name}",
                tags=[],
                max_session_duration=str(max_session),
            )
            backend.attach_role_policy(role_policy_arn, role_name)
            roles.append((acct_name, role_name, role.arn))
    from mfa_tui.localaws.demo_org import build_organization

    build_organization(IDENTITY_ACCOUNT, acct_list, REGION)  # for `mfa-tui import organization` (issue 19)

    config_path, state_dir = demo_paths(home)
    registry, profile_names = demo_files.registry(
        aws.endpoint, acct_list, identities, roles, direct_profile,
        code_command=demo_files.code_command(home), alice_command=alice_command,
    )
    import tomli_w

    atomic_write(config_path, tomli_w.dumps(registry).encode())
    credentials_path = home / ".aws" / "credentials"
    aws_config_path = home / ".aws" / "config"
    atomic_write(credentials_path, demo_files.credentials_text(identities).encode())
    atomic_write(aws_config_path, demo_files.aws_config_text(aws.endpoint, profile_names, identities).encode())
    ensure_private_dir(state_dir)
    secrets = {
        "note": "Throw-away demo secrets for the mfa-tui local AWS; never a real device.",
        "endpoint": aws.endpoint,
        "identities": {
            ident.name: {"mfa_serial": ident.mfa_serial, "seed": ident.seed}
            for ident in identities.values()
            if ident.seed
        },
    }
    atomic_write(state_dir / "demo.json", (json.dumps(secrets, indent=2) + "\n").encode())
    return DemoWorld(
        aws=aws,
        home=home,
        endpoint=aws.endpoint,
        config_path=config_path,
        state_dir=state_dir,
        credentials_path=credentials_path,
        aws_config_path=aws_config_path,
        accounts=dict(acct_list),
        identities=identities,
        profiles=profile_names,
        role_arns=[arn for _, _, arn in roles],
        buckets=buckets,
    )


def check_demo_home(home: Path) -> None:
    """Never overwrite someone's real ~/.aws or registry: only an empty dir or an earlier demo."""
    if demo_secrets_path(home).exists():
        return
    config_path, _ = demo_paths(home)
    for path in (config_path, home / ".aws" / "credentials", home / ".aws" / "config"):
        if path.exists():
            raise ConfigError(
                f"{home}: already has {path.relative_to(home)} and is not an earlier demo; "
                "give the demo an empty directory"
            )


def _policy(backend: Any, name: str, document: dict) -> str:
    policy = backend.create_policy(
        description=f"mfa-tui demo: {name}", path="/", policy_document=json.dumps(document), policy_name=name, tags=[]
    )
    return policy.arn


def demo_code(home: Path, identity: str = "alice", *, now: float | None = None) -> tuple[str, int]:
    """``(code, seconds left in its step)`` of the demo device, from demo.json; no server needed."""
    import pyotp

    path = demo_secrets_path(home)
    data = read_bytes(path)
    if data is None:
        raise ConfigError(f"{path}: no demo here; run `mfa-tui demo serve --home {home}` first")
    try:
        entry = json.loads(data)["identities"][identity]
        seed = entry["seed"]
    except KeyError:
        raise ConfigError(f"{path}: demo identity {identity!r} has no MFA device") from None
    except (ValueError, TypeError):
        raise FileError(f"{path}: not a demo secrets file (invalid JSON)") from None
    when = time.time() if now is None else now
    return pyotp.TOTP(seed).at(when), 30 - int(when) % 30
