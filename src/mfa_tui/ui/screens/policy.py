"""The effective-policy pane: what a profile's identity may do with and without MFA.

The dashboard pushes :class:`PolicyScreen` for one profile. A thread worker builds the same
report ``mfa-tui policy`` prints (:func:`mfa_tui.core.policy.report.report_for_profile`), then
the screen shows, for each principal read (the IAM user, and for a role profile the role), in
its own tab:

- who was read and with which credentials, AWS's simulation status, evaluation warnings and
  every List/Get call that could not be read;
- the MFA matrix: one row per action, the decision for long-term keys, a session without MFA
  and an MFA session (of the MFA age set with ``+``/``-`` or typed in), AWS's answers, rows
  that need MFA marked; below it the deciding statements of the row under the cursor;
- every policy as highlighted JSON, statements testing ``aws:MultiFactorAuthPresent`` or
  ``aws:MultiFactorAuthAge`` marked in the gutter.

Adding an action or changing the MFA age re-runs the pure evaluator on the policies already
read (:func:`~mfa_tui.core.policy.report.reevaluate`): no AWS call. ``r`` reads everything
again. Worker errors become a line on the screen, never a crash. Colours come from the
theme's ``$success``/``$error``/``$warning``/``$accent`` and are re-read when the theme changes.
Nothing shown here is secret: policies, ARNs and decisions only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static, TabbedContent, TabPane

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.models import MFA_SESSION_MAX
from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.fetch import PolicyDoc, first_line
from mfa_tui.core.policy.report import (
    CONTEXT_TITLES,
    CONTEXTS,
    DEFAULT_MFA_AGE,
    RESULT_LETTERS,
    RESULT_WORDS,
    MatrixRow,
    PolicyReport,
    PrincipalReport,
    check_action,
    reevaluate,
    report_for_profile,
)
from mfa_tui.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service

COLOURS = {Result.ALLOWED: "success", Result.EXPLICIT_DENY: "error", Result.IMPLICIT_DENY: "warning"}
"""Theme variable colouring each decision."""
COLUMNS = {"action": "Action", "long_term": "Long-term keys", "no_mfa": "No-MFA session",
           "mfa": "MFA session {age}s", "aws": "AWS", "note": "Note"}
AGE_STEP = 300
"""Seconds ``+``/``-`` add to or take from the MFA age (MFA-age conditions are usually minutes to hours)."""
AGE_KEYS = Binding.Group(f"MFA age ±{AGE_STEP // 60}m")
"""One footer item for ``+`` and ``-`` ("+ - MFA age ±5m")."""
FOOTER_KEEP = ("close", "help", "add_action", "reload", "mfa_age(1)", "next_theme")
"""The footer's keys, the one kept longest first (see :class:`~mfa_tui.ui.widgets.key_footer.KeyFooter`)."""
NEEDS_MFA_MARK = "◆ "
MFA_GUTTER = "▌"

Colours = dict[str, str]
"""Theme variable -> colour (``App.theme_variables``)."""


def json_with_spans(document: dict) -> tuple[str, list[tuple[int, int]]]:
    """``document`` as indented JSON, and each statement's first and last line (1-based).

    The statements are dumped one by one so their lines are known exactly, whatever they hold;
    the indices match :func:`mfa_tui.core.policy.evaluator.statements` (a single Statement object is 0).
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

    def __init__(self, report: PrincipalReport, *, fetched_age: int, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report = report
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
        for warning in r.warnings:
            out.append(f"\nwarning: {warning}", style=colours.get("warning", ""))
        if p.unreadable:
            out.append("\nCould not read:", style=_bold(colours, "error"))
            for line in p.unreadable:
                out.append(f"\n  ✗ {line.removeprefix('could not read ')}", style=colours.get("error", ""))
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
                    Text(RESULT_LETTERS[c.aws] if c.aws is not None else "?",
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


class AgeInput(Input):
    """Seconds of MFA age; ``+``/``-`` are not typed but reach the screen's bindings."""

    def __init__(self, value: int, **kwargs) -> None:
        super().__init__(str(value), restrict=r"\d{0,6}", max_length=6, **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isdigit()

    async def _on_key(self, event: Key) -> None:
        if event.is_printable and not (event.character or "").isdigit():
            event.prevent_default()  # skip Input's handler so the key bubbles to the bindings


class PolicyScreen(Screen[None]):
    """The effective-policy report of ``profile_name``, read through ``service``."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="policy.close", tooltip="Back to the dashboard"),
        Binding("a", "add_action", "Add action", id="policy.add_action"),
        Binding("plus", "mfa_age(1)", f"MFA age +{AGE_STEP // 60}m", id="policy.age_up", group=AGE_KEYS),
        Binding("minus", "mfa_age(-1)", f"MFA age -{AGE_STEP // 60}m", id="policy.age_down", group=AGE_KEYS),
        Binding("r", "reload", "Read again", id="policy.reload"),
    ]

    DEFAULT_CSS = """
    PolicyScreen { layout: vertical; }
    PolicyScreen #title { height: 1; padding: 0 1; background: $boost; color: $text; text-style: bold; }
    PolicyScreen #controls { height: 3; }
    PolicyScreen #action { width: 1fr; }
    PolicyScreen #age-label { height: 3; width: auto; padding: 0 1; content-align: left middle; }
    PolicyScreen #mfa-age { width: 12; }
    PolicyScreen #status { height: auto; padding: 0 1; color: $text-muted; }
    PolicyScreen #status.-error { color: $text-error; }
    PolicyScreen #notes { height: auto; max-height: 4; padding: 0 1; color: $text-warning; display: none; }
    PolicyScreen #notes.-shown { display: block; }
    PolicyScreen #content { height: 1fr; }
    PolicyScreen TabbedContent, PolicyScreen TabPane { height: 1fr; }
    PolicyScreen TabPane { padding: 0; }
    """

    class Loaded(Message):
        """The worker read the report."""

        def __init__(self, generation: int, report: PolicyReport) -> None:
            super().__init__()
            self.generation = generation
            self.report = report

    class Failed(Message):
        """The worker failed; ``text`` is one line, without secrets."""

        def __init__(self, generation: int, text: str) -> None:
            super().__init__()
            self.generation = generation
            self.text = text

    def __init__(self, service: Service, profile_name: str, *, mfa_age: int = DEFAULT_MFA_AGE,
                 simulate_with_aws: bool = True, name: str | None = None) -> None:
        super().__init__(name=name)
        self.service = service
        """The core :class:`~mfa_tui.core.service.facade.Service`; only the worker calls it."""
        self.profile_name = profile_name
        self.simulate_with_aws = simulate_with_aws
        self.mfa_age = mfa_age
        """The MFA age of the MFA-session column, in seconds."""
        self.actions: list[str] = []
        """Actions the user added, in order."""
        self.fetched: PolicyReport | None = None
        """The report as read from AWS (the base of every re-evaluation)."""
        self.report: PolicyReport | None = None
        """The report shown."""
        self.error: str | None = None
        """The last load's error, if it failed."""
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Effective policy · profile {self.profile_name}"), id="title")
        with Horizontal(id="controls"):
            yield Input(placeholder="add an action: service:Action, then Enter (evaluated locally)", id="action")
            yield Label("MFA age (s)", id="age-label")
            yield AgeInput(self.mfa_age, id="mfa-age")
        yield Static("", id="status")
        yield Static("", id="notes")
        yield Vertical(id="content")
        yield KeyFooter(FOOTER_KEEP)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._redraw_panes())
        self._load()

    @property
    def panes(self) -> list[PrincipalPane]:
        return list(self.query(PrincipalPane))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    # ── loading ──
    def _load(self) -> None:
        self._generation += 1
        self.error = None
        self.query_one("#content").loading = True
        self._set_status(f"Reading the policies of profile {self.profile_name} from IAM…")
        self._fetch(self._generation, tuple(self.actions), self.mfa_age)

    @work(thread=True, exclusive=True, exit_on_error=False, group="policy-report")
    def _fetch(self, generation: int, actions: tuple[str, ...], mfa_age: int) -> None:
        try:
            report = report_for_profile(self.service, self.profile_name, actions=actions, mfa_age=mfa_age,
                                        simulate_with_aws=self.simulate_with_aws)
        except MfaTuiError as exc:
            self.post_message(self.Failed(generation, str(exc)))
        except Exception as exc:  # noqa: BLE001 - shown on the screen; the dashboard must not crash
            self.post_message(self.Failed(generation, f"{type(exc).__name__}: {first_line(exc)}"))
        else:
            self.post_message(self.Loaded(generation, report))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.generation != self._generation:
            return  # an older load finished after a newer one started
        self.error = message.text
        self.query_one("#content").loading = False
        self._set_status(f"Could not read the policies: {message.text} (r tries again)", error=True)

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        report = self.fetched = message.report
        asked = {r.action.lower() for p in report.principals for r in p.rows if r.origin == "requested"}
        if report.mfa_age != self.mfa_age or any(a.lower() not in asked for a in self.actions):
            report = reevaluate(report, actions=self.actions, mfa_age=self.mfa_age)  # typed while loading
        self.report = report
        content = self.query_one("#content")
        await content.remove_children()
        panes = [
            TabPane(Content(f"{p.principal.kind} {p.principal.name}"),
                    PrincipalPane(p, fetched_age=message.report.mfa_age, id=f"principal-{i}"), id=f"tab-{i}")
            for i, p in enumerate(report.principals)
        ]
        tabs = TabbedContent()
        await content.mount(tabs)
        for pane in panes:
            await tabs.add_pane(pane)
        content.loading = False
        notes = self.query_one("#notes", Static)
        notes.update(Content("\n".join(f"note: {n}" for n in report.notes)))
        notes.set_class(bool(report.notes), "-shown")
        self.query_one("#title", Static).update(Content(
            f"Effective policy · profile {report.profile} · identity {report.identity} · "
            f"read {report.generated_at:%Y-%m-%d %H:%M:%S} UTC"
        ))
        self._set_status("Up/down: what decided an action. a: add an action. +/-: MFA age. r: read again.")
        if panes:
            self.panes[0].table.focus()

    # ── re-evaluating locally ──
    def _reevaluate(self, select: str | None = None) -> None:
        if self.fetched is None:
            return  # the load in flight will apply self.actions and self.mfa_age
        self.report = reevaluate(self.fetched, actions=self.actions, mfa_age=self.mfa_age)
        for pane, principal in zip(self.panes, self.report.principals, strict=False):
            pane.show(principal, select=select)

    def _redraw_panes(self) -> None:
        for pane in self.panes:
            pane.redraw()

    @on(Input.Submitted, "#action")
    def _action_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            action = check_action(event.value)
        except MfaTuiError as exc:
            self._set_status(str(exc), error=True)
            return
        if action.lower() not in {a.lower() for a in self.actions}:
            self.actions.append(action)
        event.input.value = ""
        self._reevaluate(select=action)
        self._set_status(f"Added {action}: evaluated locally on the policies already read (no AWS call).")

    @on(Input.Submitted, "#mfa-age")
    def _age_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._set_age(int(event.value or 0))

    def _set_age(self, seconds: int) -> None:
        self.mfa_age = max(0, min(MFA_SESSION_MAX, seconds))
        self.query_one("#mfa-age", Input).value = str(self.mfa_age)
        self._reevaluate()
        self._set_status(f"MFA age {self.mfa_age}s: evaluated locally (no AWS call).")

    # ── actions ──
    def action_close(self) -> None:
        self.dismiss(None)

    def action_add_action(self) -> None:
        self.query_one("#action", Input).focus()

    def action_mfa_age(self, direction: int) -> None:
        self._set_age(self.mfa_age + direction * AGE_STEP)

    def action_reload(self) -> None:
        self._load()  # meanwhile edits re-evaluate the old report; the new one gets them too
