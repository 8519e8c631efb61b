"""One principal's part of the effective-policy report, as the policy screen shows it in a tab.

It owns how a :class:`~mfa_tui.core.policy.report.PrincipalReport` is drawn: what was read and
how (info), the MFA matrix with its deciding statements (why), and every policy as highlighted
JSON with the statements testing MFA marked in the gutter. Colours come from the theme's
``$success``/``$error``/``$warning``/``$accent``.
"""

from __future__ import annotations

import json

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.fetch import PolicyDoc, trust_doc
from mfa_tui.core.policy.matrix import CONTEXT_TITLES, CONTEXTS, RESULT_WORDS, MatrixRow, PrincipalReport, aws_letter
from mfa_tui.core.policy.trust import NO_MFA_NEEDED, REQUIRES_MFA, trust_verdict

COLOURS = {Result.ALLOWED: "success", Result.EXPLICIT_DENY: "error", Result.IMPLICIT_DENY: "warning"}
"""Theme variable colouring each decision."""
COLUMNS = {"action": "Action", "long_term": "Long-term keys", "no_mfa": "No-MFA session",
           "mfa": "MFA session {age}s", "aws": "AWS", "note": "Note"}
NEEDS_MFA_MARK = "◆ "
MFA_GUTTER = "▌"

Colours = dict[str, str]
"""Theme variable -> colour (``App.theme_variables``)."""


def json_with_spans(document: dict) -> tuple[str, list[tuple[int, int]]]:
    """``document`` as indented JSON, and each statement's first and last line (1-based).

    The statements are dumped one by one so their lines are known exactly, whatever they hold;
    the indices match :func:`mfa_tui.core.policy.documents.statements` (a single Statement object is 0).
    """
    stmts = document.get("Statement")
    if not isinstance(stmts, list | dict):
        return json.dumps(document, indent=2, ensure_ascii=False), []
    marker = "__mfa_tui_statements__"
    lines: list[str] = []
    spans: list[tuple[int, int]] = []
    for line in json.dumps({**document, "Statement": marker}, indent=2, ensure_ascii=False).splitlines():
        if f'"{marker}"' not in line:
            lines.append(line)
            continue
        comma = "," if line.endswith(",") else ""
        if isinstance(stmts, dict):
            body = json.dumps(stmts, indent=2, ensure_ascii=False).splitlines()
            start = len(lines) + 1
            lines.append(f'  "Statement": {body[0]}')
            lines.extend("  " + b for b in body[1:])
            lines[-1] += comma
            spans.append((start, len(lines)))
            continue
        lines.append('  "Statement": [')
        for i, stmt in enumerate(stmts):
            start = len(lines) + 1
            lines.extend("    " + b for b in json.dumps(stmt, indent=2, ensure_ascii=False).splitlines())
            lines[-1] += "," if i < len(stmts) - 1 else ""
            spans.append((start, len(lines)))
        lines.append("  ]" + comma)
    return "\n".join(lines), spans


def policy_text(doc: PolicyDoc, colours: Colours, *, dark: bool = True) -> Text:
    """A policy's header and its highlighted JSON, MFA statements marked in the gutter."""
    out = Text()
    out.append(doc.label, style="bold")
    out.append(f"  {doc.kind} · {doc.attached_to}")
    if doc.arn:
        out.append(f" · {doc.arn}" + (f" ({doc.version_id})" if doc.version_id else ""), style="dim")
    code, spans = json_with_spans(doc.document)
    marked: set[int] = set()
    sids = []
    for index in doc.mfa_statements:
        if index < len(spans):
            first, last = spans[index]
            marked.update(range(first, last + 1))
            stmt = doc.document["Statement"]
            stmt = stmt[index] if isinstance(stmt, list) else stmt
            sids.append(f"{stmt.get('Sid') or f'statement {index}'} (lines {first}-{last})")
    if sids:
        out.append(f"\n{MFA_GUTTER} tests MFA: " + ", ".join(sids), style=_bold(colours, "warning"))
    for problem in doc.problems:
        out.append(f"\n✗ problem: {problem}", style=_bold(colours, "error"))
    highlighted = Syntax(code, "json", theme="monokai" if dark else "default").highlight(code)
    highlighted.style = ""  # the pane's own background, not the Pygments theme's
    highlighted.rstrip()  # Syntax ends the code with a newline of its own
    lines = highlighted.split("\n", allow_blank=True)
    width = len(str(len(lines)))
    for number, line in enumerate(lines, 1):
        out.append("\n")
        out.append(MFA_GUTTER if number in marked else " ", style=colours.get("warning", ""))
        out.append(f" {number:>{width}}  ", style="dim")
        out.append_text(line)
    return out


def _bold(colours: Colours, variable: str) -> str:
    colour = colours.get(variable)
    return f"bold {colour}" if colour else "bold"


def _decision(result: Result, colours: Colours) -> Text:
    return Text(RESULT_WORDS[result], style=colours.get(COLOURS[result], ""))


class PrincipalPane(Vertical):
    """One principal's part of the report: what was read, the matrix, the policies."""

    DEFAULT_CSS = """
    PrincipalPane { height: 1fr; }
    PrincipalPane .info { height: auto; max-height: 8; padding: 0 1; }
    PrincipalPane DataTable { height: 1fr; min-height: 5; }
    PrincipalPane .why { height: auto; min-height: 4; padding: 0 1; background: $panel; }
    PrincipalPane .policies { height: 1fr; min-height: 5; padding: 0 1; background: $surface; }
    """

    def __init__(self, report: PrincipalReport, *, fetched_age: int, caller_arn: str | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.report = report
        self.caller_arn = caller_arn
        """Who assumes this principal when it is a role (the identity's user): its trust policy is judged for it."""
        """What the pane shows; replaced by :meth:`show` on every re-evaluation."""
        self.fetched_age = fetched_age
        """The MFA age AWS's simulation was asked with (its MFA-column answers hold for that age only)."""
        self.selected: str | None = None
        """The action under the cursor, kept across re-evaluations."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="info")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Static("", classes="why")
        with VerticalScroll(classes="policies"):
            yield Static("", classes="policy-list")

    def on_mount(self) -> None:
        self.redraw()

    @property
    def colours(self) -> Colours:
        return self.app.theme_variables if self.is_attached else {}

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def show(self, report: PrincipalReport, *, select: str | None = None) -> None:
        """Show a re-evaluated report (same principal); ``select`` moves the cursor to that action."""
        self.report = report
        if select is not None:
            self.selected = select
        self.redraw(policies=False)

    def redraw(self, *, policies: bool = True) -> None:
        """Draw everything again (new report, or the theme and so the colours changed)."""
        self.query_one(".info", Static).update(self.info_text())
        self._fill_table()
        self.query_one(".why", Static).update(self.why_text())
        if policies:
            dark = self.app.current_theme.dark if self.is_attached else True
            self.query_one(".policy-list", Static).update(self.policies_text(dark=dark))

    # ── the parts, as text (also what the tests read) ──
    def info_text(self) -> Text:
        r, p, colours = self.report, self.report.principal, self.colours
        out = Text.assemble((f"{p.kind} {p.name}", "bold"), f" · {p.arn or 'ARN unknown'}")
        out.append(f" · read with {p.read_with or 'the given client'}")
        if r.simulated:
            out.append("\nAWS simulation: used (column AWS: long-term / no-MFA / MFA; A allowed, D denied, n no allow)")
            if r.mfa_age != self.fetched_age:
                out.append(
                    f"\nAWS answered for MFA age {self.fetched_age}s: its MFA answers are hidden at {r.mfa_age}s"
                    " (r asks again)", style=colours.get("warning", ""),
                )
        else:
            out.append(f"\n{r.simulation}", style=colours.get("warning", ""))
        if p.kind == "role":
            out.append_text(self.trust_text())
        for warning in r.warnings:
            out.append(f"\nwarning: {warning}", style=colours.get("warning", ""))
        if p.unreadable:
            out.append("\nCould not read:", style=_bold(colours, "error"))
            for line in p.unreadable:
                out.append(f"\n  ✗ {line.removeprefix('could not read ')}", style=colours.get("error", ""))
        return out

    def trust_text(self) -> Text:
        """One line: whether the role's trust policy lets the caller in, and whether only with MFA."""
        p, colours = self.report.principal, self.colours
        verdict = trust_verdict(p.trust_policy, p.arn, self.caller_arn)
        caller = (self.caller_arn or "").rsplit(":", 1)[-1] or "the caller"
        style = {REQUIRES_MFA: _bold(colours, "success"), NO_MFA_NEEDED: _bold(colours, "warning")}.get(
            verdict.verdict, colours.get("error", ""))
        out = Text("\nTrust policy: ")
        out.append(f"{verdict.verdict} for {caller}" if p.trust_policy is not None else verdict.verdict, style=style)
        for problem in verdict.problems:
            out.append(f"\n  ✗ {problem}", style=colours.get("error", ""))
        return out

    def why_text(self) -> Text:
        """The deciding statements of the row under the cursor, one line per context."""
        row = self._row(self.selected)
        if row is None:
            return Text("No action selected.", style="italic")
        colours = self.colours
        out = Text(row.action, style="bold")
        if row.resource != "*":
            out.append(f" on {row.resource}")
        notes = row.notes
        if notes:
            out.append("  " + "; ".join(notes), style=_bold(colours, "accent"))
        titles = {**CONTEXT_TITLES, "mfa": f"{CONTEXT_TITLES['mfa']} ({self.report.mfa_age}s)"}
        for name in CONTEXTS:
            cell = row.cells[name]
            out.append(f"\n  {titles[name]:<24}")
            out.append_text(_decision(cell.result, colours))
            out.append(" " * (10 - len(RESULT_WORDS[cell.result])) + (cell.reason or "-"))
            if cell.aws is not None:
                style = _bold(colours, "error") if cell.disagrees else ""
                out.append(f"  · AWS: {RESULT_WORDS[cell.aws]}", style=style)
        return out

    def policies_text(self, *, dark: bool = True) -> Text:
        p, colours = self.report.principal, self.colours
        docs = list(p.policies) + ([p.boundary] if p.boundary else [])
        # The policies that test MFA are what this pane is about: they come first (stable order otherwise).
        docs.sort(key=lambda d: not d.mfa_statements)
        trust = trust_doc(p)
        docs = ([trust] if trust else []) + docs  # a role's trust policy first: who may assume it, and how
        out = Text(f"Policies of {p.kind} {p.name} ({len(docs)})", style="bold underline")
        if any(d.mfa_statements for d in docs):
            out.append(f"  {MFA_GUTTER} statements testing MFA", style=_bold(colours, "warning"))
        for doc in docs:
            out.append("\n\n")
            out.append_text(policy_text(doc, colours, dark=dark))
        if not docs:
            out.append("\n(none read)", style="italic")
        if p.boundary is None and p.boundary_arn:
            out.append(f"\n\npermissions boundary {p.boundary_arn}: not readable, decisions ignore it",
                       style=colours.get("error", ""))
        return out

    # ── the matrix ──
    def _row(self, action: str | None) -> MatrixRow | None:
        rows = self.report.rows
        wanted = (action or "").lower()  # the user's spelling may differ in case from the row's
        found = next((r for r in rows if r.action.lower() == wanted), None)
        return found or (rows[0] if rows else None)

    def _fill_table(self) -> None:
        table, colours, r = self.table, self.colours, self.report
        selected = self._row(self.selected)
        table.clear(columns=True)  # the MFA column's title carries the age
        for key, title in COLUMNS.items():
            table.add_column(title.format(age=r.mfa_age), key=key)
        for row in r.rows:
            action = Text(NEEDS_MFA_MARK + row.action, style=_bold(colours, "accent")) if row.needs_mfa \
                else Text("  " + row.action)
            aws = Text("-", style="dim")
            if r.simulated:
                aws = Text(" ").join(
                    Text(aws_letter(c),
                         style=(_bold(colours, "error") + " reverse") if c.disagrees else "")
                    for c in row.cells.values()
                )
            note_style = _bold(colours, "error") if row.long_term_bypass or row.disagrees else _bold(colours, "accent")
            table.add_row(action, *(_decision(c.result, colours) for c in row.cells.values()), aws,
                          Text("; ".join(row.notes), style=note_style), key=row.action)
        if selected is not None:
            self.selected = selected.action
            table.move_cursor(row=table.get_row_index(selected.action), scroll=True)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None and event.row_key.value != self.selected:
            self.selected = event.row_key.value
            self.query_one(".why", Static).update(self.why_text())
