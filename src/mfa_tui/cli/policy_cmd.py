"""``mfa-tui policy PROFILE [--action A ...] [--mfa-age SECONDS] [--json]``: what a profile's
identity may do with and without MFA.

Reads the identity's policies (and, for a role profile, the role's) from IAM, evaluates each
action of the MFA matrix for long-term keys, a session without MFA and an MFA session, and puts
AWS's own answer (``iam:SimulatePrincipalPolicy``) beside it when the identity may ask. Exit 0
when the report was produced, even with parts that could not be read; 2 for bad input (unknown
profile, broken registry, bad option); 1 when AWS rejected the credentials or was unreachable.
"""

from __future__ import annotations

import io

from mfa_tui.cli.common import iso, open_service, print_json, print_table
from mfa_tui.core.errors import ConfigError
from mfa_tui.core.policy.matrix import (
    CONTEXT_SHORT, CONTEXTS, DEFAULT_MFA_AGE, RESULT_WORDS, MatrixRow, PolicyReport, PrincipalReport, aws_letter,
    check_action, check_mfa_age,
)


def register(parser) -> None:
    parser.add_argument("profile", metavar="PROFILE", help="a profile of the registry")
    parser.add_argument(
        "--action", "-a", action="append", default=[], metavar="SERVICE:ACTION",
        help="an extra action for the matrix, e.g. s3:GetObject (repeatable)",
    )
    parser.add_argument(
        "--mfa-age", type=int, default=DEFAULT_MFA_AGE, metavar="SECONDS",
        help=f"seconds since MFA sign-in in the MFA-session column (aws:MultiFactorAuthAge; default {DEFAULT_MFA_AGE})",
    )
    parser.add_argument("--no-simulate", action="store_true", help="do not ask AWS (iam:SimulatePrincipalPolicy)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")


def _check(args) -> list[str]:
    for action in args.action:
        try:
            check_action(action)
        except ConfigError as exc:
            raise ConfigError(f"--action: {exc}") from None
    check_mfa_age(args.mfa_age, what="--mfa-age")
    return list(args.action)


def run(args) -> int:
    from mfa_tui.core.policy.report import report_for_profile

    actions = _check(args)
    service = open_service(args)
    report = report_for_profile(
        service, args.profile, actions=actions, mfa_age=args.mfa_age, simulate_with_aws=not args.no_simulate
    )
    if args.json:
        print_json(report.to_dict())
    else:
        print(render(report), end="")
    return 0


# ── Text output ──────────────────────────────────────────────────────────────


def render(report: PolicyReport) -> str:
    """The report as plain text: per principal, its policies, what could not be read, and the matrix."""
    out = io.StringIO()
    print(f"profile {report.profile}: identity {report.identity}, MFA age {report.mfa_age}s, "
          f"at {iso(report.generated_at)}", file=out)
    for note in report.notes:
        print(f"note: {note}", file=out)
    for principal_report in report.principals:
        print(file=out)
        _principal(principal_report, out)
    return out.getvalue()


def _principal(report: PrincipalReport, out) -> None:
    p = report.principal
    print(f"{p.kind} {p.name} ({p.arn or 'ARN unknown'}), read with {p.read_with or 'the given client'}", file=out)
    print("  policies:", file=out)
    for doc in p.policies:
        mfa = ""
        if doc.mfa_statements:
            sids = [_sid(doc.document, i) for i in doc.mfa_statements]
            mfa = "  tests MFA: " + ", ".join(sids)
        print(f"    {doc.label}  ({doc.kind}, {doc.attached_to}){mfa}", file=out)
        for problem in doc.problems:
            print(f"      problem: {problem}", file=out)
    if not p.policies:
        print("    (none read)", file=out)
    if p.boundary is not None:
        print(f"  permissions boundary: {p.boundary.name} ({p.boundary.arn})", file=out)
    elif p.boundary_arn:
        print(f"  permissions boundary: {p.boundary_arn} (not readable: decisions ignore it)", file=out)
    if p.unreadable:
        print("  could not read:", file=out)
        for line in p.unreadable:
            print(f"    - {line.removeprefix('could not read ')}", file=out)
    simulation = "AWS simulation: used (column AWS: long-term/no-MFA/MFA)" if report.simulated else report.simulation
    print(f"  {simulation}", file=out)
    for warning in report.warnings:
        print(f"  warning: {warning}", file=out)
    print(file=out)
    headers = ["ACTION", "LONG-TERM", "NO-MFA SESSION", f"MFA SESSION ({report.mfa_age}s)", "AWS", "NOTE"]
    table = [_row(r, report.simulated) for r in report.rows]
    buf = io.StringIO()
    print_table(headers, table, out=buf)
    for line in buf.getvalue().splitlines():
        print(f"  {line}".rstrip(), file=out)
    print("\n  decided by:", file=out)
    for row in report.rows:
        print(f"    {row.action}{'' if row.resource == '*' else f' on {row.resource}'}: {_why(row)}", file=out)


def _sid(document: dict, index: int) -> str:
    stmts = document.get("Statement")
    stmt = stmts[index] if isinstance(stmts, list) else stmts
    sid = stmt.get("Sid") if isinstance(stmt, dict) else None
    return sid or f"statement {index}"


def _row(row: MatrixRow, simulated: bool) -> list[str]:
    cells = row.cells
    aws = " ".join(aws_letter(c) for c in cells.values()) if simulated else "-"
    return [row.action, *(RESULT_WORDS[c.result] for c in cells.values()), aws, "; ".join(row.notes)]


def _why(row: MatrixRow) -> str:
    """Contexts with the same reason are grouped: ``long-term, no-MFA: denied by X; MFA: allowed by Y``."""
    groups: dict[str, list[str]] = {}
    for name in CONTEXTS:
        groups.setdefault(row.cells[name].reason, []).append(CONTEXT_SHORT[name])
    if len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{', '.join(names)}: {reason}" for reason, names in groups.items())
