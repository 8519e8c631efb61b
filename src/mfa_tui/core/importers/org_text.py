"""The organisation import plan as lines of text: what the CLI prints and the dashboard's plan screen shows."""

from __future__ import annotations

from mfa_tui.core.importers.org_plan import OrgPlan
from mfa_tui.core.models import CREDENTIAL_PROCESS_SUGGESTED_ABOVE


def plan_lines(plan: OrgPlan, *, written: bool, save_hint: str = "Add --write to save.") -> list[str]:
    """The plan as the CLI prints it and the dashboard's plan screen shows it."""
    lines = [f"{plan.accounts_seen} account{'s' * (plan.accounts_seen != 1)} in the organisation."]
    if plan.additions:
        lines += ["", f"{'Added to' if written else 'Would add to'} {plan.registry_path}:"]
        width = max(len(a.name) for a in plan.additions)
        for add in plan.additions:
            if add.kind == "account":
                what = f"{add.table['id']}  {add.table['alias']}  {add.table['tags'][0]}"
            else:
                what = f"{add.table['role_arn']}  from {add.table['identity']}"
            lines.append(f"  {add.kind:<8}  {add.name:<{width}}  {what}")
    else:
        lines += ["", f"Nothing new to add to {plan.registry_path}."]
    if plan.kept:
        lines += ["", "Listed and kept (--prune --write removes them):" if not (plan.prune and written) else "Pruned:"]
        lines += [f"  {k.kind:<8}  {k.name}  {k.reason}  ({k.source})" for k in plan.kept]
    if plan.prune and plan.removals:
        verb = "Removed" if written else "Would remove"
        lines += ["", f"{verb}: " + ", ".join(f"{g}.{n}" for g, n in plan.removals)]
    if plan.skips:
        lines += ["", "Skipped:"] + [f"  {s.name}  {s.reason}  ({s.source})" for s in plan.skips]
    if plan.profiles_after > CREDENTIAL_PROCESS_SUGGESTED_ABOVE and any(
            a.kind == "profile" and "output" not in a.table for a in plan.additions):
        lines += ["", f"{plan.profiles_after} profiles: consider --output credential-process, so every AWS call "
                  "does not parse a credentials file that large."]
    if plan.additions and not written:
        lines += ["", f"Dry run: nothing written. {save_hint}"]
    return lines
