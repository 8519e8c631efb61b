"""Planning a refresh: which identities need a code, and which profiles each code unlocks.

Profiles are grouped by identity (docs/aws-behaviour.md: "Codes are single-use", "One code, many
roles"). An identity whose cached MFA session outlives the warn threshold needs no code;
otherwise it needs exactly one, however many profiles hang off it. Each *direct* role needs a
code of its own. The engine (:mod:`.engine`) runs the plan.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from mfa_tui.core.aws import sts
from mfa_tui.core.models import Credentials, Identity, Profile, ProfileKind, Registry


@dataclass
class IdentityPlan:
    """What refreshing one identity's selected profiles takes."""

    identity: Identity
    needs_code: bool
    """True when a new MFA session must be made (one code)."""
    session_profiles: list[Profile] = field(default_factory=list)
    chained: list[Profile] = field(default_factory=list)
    direct: list[Profile] = field(default_factory=list)

    @property
    def codes_needed(self) -> int:
        return int(self.needs_code and bool(self.session_profiles or self.chained)) + len(self.direct)

    @property
    def profiles(self) -> list[Profile]:
        return self.session_profiles + self.chained + self.direct


@dataclass
class RefreshPlan:
    identities: list[IdentityPlan]

    @property
    def codes_needed(self) -> int:
        return sum(ip.codes_needed for ip in self.identities)

    @property
    def profiles(self) -> list[Profile]:
        return [p for ip in self.identities for p in ip.profiles]

    def without(self, names: Collection[str]) -> RefreshPlan:
        """The same plan minus the profiles in ``names``; an identity left with none is dropped."""
        kept = []
        for ip in self.identities:
            part = IdentityPlan(
                identity=ip.identity,
                needs_code=ip.needs_code,
                session_profiles=[p for p in ip.session_profiles if p.name not in names],
                chained=[p for p in ip.chained if p.name not in names],
                direct=[p for p in ip.direct if p.name not in names],
            )
            if part.profiles:
                kept.append(part)
        return RefreshPlan(identities=kept)



def make_plan(
    registry: Registry,
    profiles: Iterable[Profile],
    mfa_sessions: dict[str, Credentials | None],
    now: datetime,
    *,
    new_session: bool = False,
) -> RefreshPlan:
    """Group ``profiles`` by identity and decide which identities need a code.

    ``mfa_sessions`` maps identity name to its cached MFA-session credentials;
    ``new_session`` makes every identity need a code, however long its session lives.
    """
    by_identity: dict[str, IdentityPlan] = {}
    warn = registry.settings.warn_before
    for profile in profiles:
        identity = registry.identities[profile.identity]
        plan = by_identity.get(identity.name)
        if plan is None:
            cached = mfa_sessions.get(identity.name)
            needs = new_session or sts.remaining(cached, now) <= warn
            plan = by_identity[identity.name] = IdentityPlan(identity=identity, needs_code=needs)
        if profile.kind is ProfileKind.MFA_SESSION:
            plan.session_profiles.append(profile)
        elif profile.kind is ProfileKind.DIRECT_ROLE:
            plan.direct.append(profile)
        else:
            plan.chained.append(profile)
    return RefreshPlan(identities=list(by_identity.values()))
