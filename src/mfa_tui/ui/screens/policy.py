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
read (:func:`~mfa_tui.core.policy.matrix.reevaluate`): no AWS call. ``r`` reads everything
again. Worker errors become a line on the screen, never a crash. Colours come from the
theme's ``$success``/``$error``/``$warning``/``$accent`` and are re-read when the theme changes.
Nothing shown here is secret: policies, ARNs and decisions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static, TabbedContent, TabPane

from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.policy.fetch import first_line
from mfa_tui.core.policy.matrix import DEFAULT_MFA_AGE, PolicyReport, check_action, clamp_mfa_age, reevaluate
from mfa_tui.core.policy.report import report_for_profile
from mfa_tui.ui.rowformat import clock_text, shows_local_time
from mfa_tui.ui.widgets.digit_input import DigitInput
from mfa_tui.ui.widgets.key_footer import KeyFooter
from mfa_tui.ui.widgets.policy_pane import PrincipalPane

if TYPE_CHECKING:
    from mfa_tui.core.service.facade import Service

AGE_STEP = 300
"""Seconds ``+``/``-`` add to or take from the MFA age (MFA-age conditions are usually minutes to hours)."""
AGE_KEYS = Binding.Group(f"MFA age ±{AGE_STEP // 60}m")
"""One footer item for ``+`` and ``-`` ("+ - MFA age ±5m")."""
FOOTER_KEEP = ("close", "help", "add_action", "next_tab", "reload", "mfa_age(1)", "next_theme")
"""The footer's keys, the one kept longest first (see :class:`~mfa_tui.ui.widgets.key_footer.KeyFooter`)."""


class AgeInput(DigitInput):
    """Seconds of MFA age; ``+``/``-`` are not typed but reach the screen's bindings."""

    def __init__(self, value: int, **kwargs) -> None:
        super().__init__(str(value), restrict=r"\d{0,6}", max_length=6, **kwargs)


class PolicyScreen(Screen[None]):
    """The effective-policy report of ``profile_name``, read through ``service``."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="policy.close", tooltip="Back to the dashboard"),
        Binding("a", "add_action", "Add action", id="policy.add_action"),
        Binding("plus", "mfa_age(1)", f"MFA age +{AGE_STEP // 60}m", id="policy.age_up", group=AGE_KEYS),
        Binding("minus", "mfa_age(-1)", f"MFA age -{AGE_STEP // 60}m", id="policy.age_down", group=AGE_KEYS),
        Binding("r", "reload", "Read again", id="policy.reload"),
        Binding("n", "next_tab", "Next tab", id="policy.next_tab",
                tooltip="The next principal's tab (a role profile: user, then role)"),
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

    @dataclass
    class Loaded(Message):
        """The worker read the report."""

        generation: int
        report: PolicyReport

    @dataclass
    class Failed(Message):
        """The worker failed; ``text`` is one line, without secrets."""

        generation: int
        text: str

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
        caller = report.principals[0].principal.arn if report.principals else None  # the identity's user
        panes = [
            TabPane(Content(f"{p.principal.kind} {p.principal.name}"),
                    PrincipalPane(p, fetched_age=message.report.mfa_age, caller_arn=caller, id=f"principal-{i}"),
                    id=f"tab-{i}")
            for i, p in enumerate(report.principals)
        ]
        tabs = TabbedContent()
        await content.mount(tabs)
        for pane in panes:
            await tabs.add_pane(pane)
        content.loading = False
        self.refresh_bindings()  # n (next tab) shows when there is a second tab
        notes = self.query_one("#notes", Static)
        notes.update(Content("\n".join(f"note: {n}" for n in report.notes)))
        notes.set_class(bool(report.notes), "-shown")
        self.query_one("#title", Static).update(Content(
            f"Effective policy · profile {report.profile} · identity {report.identity} · "
            f"read {clock_text(report.generated_at, '%Y-%m-%d %H:%M:%S', local=shows_local_time(self.service))}"
        ))
        more = " n: next tab." if len(panes) > 1 else ""
        self._set_status(f"Up/down: what decided an action. a: add an action. +/-: MFA age.{more} r: read again.")
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
        self._focus_active_table()  # so + - r a act as the footer says, not as typed text
        self._set_status(f"Added {action}: evaluated locally on the policies already read (no AWS call).")

    @on(Input.Submitted, "#mfa-age")
    def _age_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._set_age(int(event.value or 0))

    def _set_age(self, seconds: int) -> None:
        self.mfa_age = clamp_mfa_age(seconds)
        self.query_one("#mfa-age", Input).value = str(self.mfa_age)
        self._reevaluate()
        self._set_status(f"MFA age {self.mfa_age}s: evaluated locally (no AWS call).")

    def _active_pane(self) -> PrincipalPane | None:
        tabs = self.query(TabbedContent)
        if not tabs:
            return None
        active = tabs.first().active_pane
        found = active.query(PrincipalPane) if active is not None else []
        return found.first() if found else None

    def _focus_active_table(self) -> None:
        pane = self._active_pane()
        if pane is not None:
            pane.table.focus()
        else:
            self.set_focus(None)

    # ── actions ──
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_tab":
            return len(self.panes) > 1  # only a role profile has a second tab; hidden otherwise
        return True

    def action_next_tab(self) -> None:
        tabs = self.query(TabbedContent)
        if not tabs or len(self.panes) < 2:
            return
        tabbed = tabs.first()
        ids = [f"tab-{i}" for i in range(len(self.panes))]
        current = ids.index(tabbed.active) if tabbed.active in ids else -1
        target = (current + 1) % len(ids)
        tabbed.active = ids[target]
        # The matrix of the tab shown takes the focus, never a hidden widget of the previous tab
        # (TabbedContent would switch back to the tab holding the focus).
        self.panes[target].table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_add_action(self) -> None:
        self.query_one("#action", Input).focus()

    def action_mfa_age(self, direction: int) -> None:
        self._set_age(self.mfa_age + direction * AGE_STEP)

    def action_reload(self) -> None:
        self._load()  # meanwhile edits re-evaluate the old report; the new one gets them too
