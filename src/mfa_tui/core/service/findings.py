"""The doctor's report: :class:`Finding` rows, their levels, and the exit code they add up to.

The checks that fill it are :mod:`mfa_tui.core.service.doctor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK, INFO, PROBLEM = "ok", "info", "problem"

EXIT_OK, EXIT_PROBLEMS, EXIT_BROKEN_REGISTRY = 0, 1, 2


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    check: str
    """``registry``, ``shadowed``, ``permissions``, ``credentials-file``, ``aws-config``, ``keys``, ``clock``,
    ``mfa-session`` or ``state``."""
    subject: str
    """What was checked: a path, ``identity NAME``, ``profile NAME`` or an endpoint."""
    level: str
    """:data:`OK`, :data:`INFO` or :data:`PROBLEM`."""
    message: str
    """One line; never a secret."""
    fix: str | None = None
    """What to do about a problem, as a command where there is one."""

    def to_dict(self) -> dict:
        return {"check": self.check, "subject": self.subject, "level": self.level, "message": self.message, "fix": self.fix}


@dataclass
class DoctorReport:
    """Every finding, in check order, and the exit code they add up to."""

    findings: list[Finding] = field(default_factory=list)
    registry_broken: bool = False

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == PROBLEM]

    @property
    def exit_code(self) -> int:
        if self.registry_broken:
            return EXIT_BROKEN_REGISTRY
        return EXIT_PROBLEMS if self.problems else EXIT_OK

    def to_dict(self) -> dict:
        return {
            "ok": not self.problems,
            "exit_code": self.exit_code,
            "problems": len(self.problems),
            "findings": [f.to_dict() for f in self.findings],
        }

    def add(self, check: str, subject: str, level: str, message: str, fix: str | None = None) -> None:
        self.findings.append(Finding(check, subject, level, message, fix))
