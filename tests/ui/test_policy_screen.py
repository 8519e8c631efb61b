"""Pilot tests of the effective-policy pane on the demo world, and one snapshot paired with content checks.

A tiny host App (mfa-tui's themes, mfa-dark) pushes :class:`PolicyScreen` with a real
:class:`Service` on the local AWS; every test waits for the screen's worker before asserting.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from localaws_fixtures import admin_client

import pytest
from textual.app import App
from textual.widgets import Input, Static, TabbedContent

from mfa_tui.core.registry import load as registry
from mfa_tui.core.policy.evaluator import Result
from mfa_tui.core.policy.fetch import PolicyDoc, Principal
from mfa_tui.core.policy.matrix import PolicyReport, reevaluate
from mfa_tui.core.policy.report import analyse
from mfa_tui.core.service.facade import Service
from mfa_tui.ui.screens.policy import PolicyScreen
from mfa_tui.ui.widgets.policy_pane import PrincipalPane, json_with_spans
from mfa_tui.ui.textual_private import screen_lines
from mfa_tui.ui.theming import ThemeVariablesMixin, install_themes

SIZE = (120, 40)
ALICE = "arn:aws:iam::111111111111:user/alice"
FORCE_MFA_SID = "DenyAllExceptListedIfNoMFA"
# An MFA-age condition, so the MFA-age control has something to change.
RECENT_MFA_FOR_DELETE = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "DeleteOnlyWithRecentMFA", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*",
        "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
    }],
}


class Host(ThemeVariablesMixin, App):
    """Registers mfa-tui's themes, pushes the screen, records what it is dismissed with."""

    def __init__(self, screen: PolicyScreen) -> None:
        super().__init__()
        self.policy = screen
        self.results: list[object] = []

    def on_mount(self) -> None:
        install_themes(self)
        self.theme = "mfa-dark"
        self.push_screen(self.policy, self.results.append)


def service_for(world, clock) -> Service:
    return Service(registry.load(world.config_path, aws_config_path=world.aws_config_path), clock=clock)


def refresh(service: Service, world, *names: str) -> None:
    report = service.refresh(service.select(list(names)), lambda req: world.code())
    assert all(r.ok for r in report.results.values()), report.results


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app.screen))


def cells(pane: PrincipalPane, action: str) -> list[str]:
    """The matrix row of ``action`` as plain text: action, three decisions, AWS, note."""
    return [str(getattr(c, "plain", c)).strip() for c in pane.table.get_row(action)]


def plain(widget: Static) -> str:
    return str(widget.render())


@pytest.fixture
def alice_service(demo_world, frozen_clock) -> Service:
    service = service_for(demo_world, frozen_clock)
    refresh(service, demo_world, "alice")
    return service


async def test_matrix_policies_and_deciding_statements(demo_world, alice_service):
    app = Host(PolicyScreen(alice_service, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.policy
        assert screen.error is None and screen.report is not None
        [pane] = screen.panes
        # MFA set-up works without MFA; everything else the demo's force-MFA policy denies.
        assert cells(pane, "iam:ListMFADevices")[:4] == ["iam:ListMFADevices", "allowed", "allowed", "allowed"]
        assert cells(pane, "ec2:DescribeInstances") == [
            "◆ ec2:DescribeInstances", "DENIED", "DENIED", "allowed", "-", "needs MFA",
        ]
        assert cells(pane, "iam:ListMFADevices")[5] == ""
        labels = [str(c.label) for c in pane.table.columns.values()]
        assert labels == ["Action", "Long-term keys", "No-MFA session", "MFA session 300s", "AWS", "Note"]

        info = plain(pane.query_one(".info", Static))
        assert f"user alice · {ALICE} · read with the MFA session of identity alice" in info
        assert "AWS simulation unavailable: " in info and "Could not read" not in info

        # The detail line names the deciding statement of each context for the row under the cursor.
        table = pane.table
        table.move_cursor(row=table.get_row_index("ec2:DescribeInstances"))
        await pilot.pause()
        why = plain(pane.query_one(".why", Static))
        assert why.splitlines()[0] == "ec2:DescribeInstances  needs MFA"
        assert f"long-term keys          DENIED    denied by ForceMFA#{FORCE_MFA_SID}" in why
        assert f"session without MFA     DENIED    denied by ForceMFA#{FORCE_MFA_SID}" in why
        assert "MFA session (300s)      allowed   allowed by DemoAdministratorAccess#0" in why

        # Every policy as JSON, the MFA statement marked with its lines.
        policies = plain(pane.query_one(".policy-list", Static))
        assert policies.startswith("Policies of user alice (3)  ▌ statements testing MFA\n\nForceMFA  managed")
        assert f"▌ tests MFA: {FORCE_MFA_SID} (lines 4-22)" in policies
        assert f'▌  5        "Sid": "{FORCE_MFA_SID}",' in policies
        assert '\n   4      {' in policies  # SelfManageMFA: no MFA statement, no mark
        assert "SelfManageMFA  managed · user alice · arn:aws:iam::111111111111:policy/SelfManageMFA (v1)" in policies

        shown = screen_text(app)
        assert "Effective policy · profile alice · identity alice · read " in shown
        # Secrets of the MFA session used to read the policies never reach the screen.
        creds = alice_service.load_state().identities["alice"].mfa_credentials
        for secret in (creds.secret_access_key, creds.session_token, demo_world.alice.secret_access_key):
            assert secret not in shown and secret not in plain(pane.query_one(".policy-list", Static))

        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_adding_an_action_and_changing_the_mfa_age_never_call_aws(demo_world, frozen_clock):
    iam = admin_client(demo_world.aws, "iam")  # set-up: alice's long-term keys may not, on AWS as here
    iam.put_user_policy(UserName="alice", PolicyName="RecentMFA", PolicyDocument=json.dumps(RECENT_MFA_FOR_DELETE))
    service = service_for(demo_world, frozen_clock)
    refresh(service, demo_world, "alice")
    app = Host(PolicyScreen(service, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.policy
        [pane] = screen.panes
        calls = len(demo_world.aws.calls)
        assert cells(pane, "s3:DeleteBucket")[1:4] == ["DENIED", "DENIED", "allowed"]

        await pilot.press("a")
        assert app.focused is screen.query_one("#action", Input)
        await pilot.press(*"dynamodb:Scan", "enter")
        await pilot.pause()
        assert pane.table.get_row_index("dynamodb:Scan") == 0  # requested actions come first
        assert cells(pane, "dynamodb:Scan")[1:4] == ["DENIED", "DENIED", "allowed"]
        assert pane.selected == "dynamodb:Scan"
        assert plain(pane.query_one(".why", Static)).startswith("dynamodb:Scan  needs MFA")
        assert "Added dynamodb:Scan: evaluated locally" in plain(screen.query_one("#status", Static))
        assert app.focused is pane.table  # focus left the input: + - r a act as the footer says

        # Bad input is a message, not a crash, and changes nothing (the input keeps focus).
        await pilot.press("a", *"ListBuckets", "enter")
        await pilot.pause()
        status = screen.query_one("#status", Static)
        assert plain(status) == "action 'ListBuckets': expected SERVICE:ACTION, e.g. s3:GetObject"
        assert status.has_class("-error") and screen.actions == ["dynamodb:Scan"]

        # The MFA age: typed in, then stepped with +/- from the matrix.
        await pilot.press("tab")
        assert app.focused is screen.query_one("#mfa-age", Input)
        for _ in range(3):
            await pilot.press("backspace")
        await pilot.press(*"3900", "enter")
        await pilot.pause()
        assert screen.mfa_age == 3900
        assert cells(pane, "s3:DeleteBucket")[3] == "DENIED"
        pane.table.move_cursor(row=pane.table.get_row_index("s3:DeleteBucket"))
        await pilot.pause()
        assert "denied by RecentMFA#DeleteOnlyWithRecentMFA" in plain(pane.query_one(".why", Static))
        await pilot.press("minus")  # the age input does not swallow it
        await pilot.pause()
        assert screen.mfa_age == 3600 and screen.query_one("#mfa-age", Input).value == "3600"
        assert pane.selected == "s3:DeleteBucket"  # the cursor stays on its action
        assert "MFA session (3600s)     allowed" in plain(pane.query_one(".why", Static))
        assert cells(pane, "s3:DeleteBucket")[3] == "allowed"
        assert str(pane.table.columns["mfa"].label) == "MFA session 3600s"
        pane.table.focus()
        await pilot.press("plus", "plus")
        assert screen.mfa_age == 4200 and cells(pane, "s3:DeleteBucket")[3] == "DENIED"
        assert cells(pane, "dynamodb:Scan")[3] == "allowed"  # the added action is still there

        assert len(demo_world.aws.calls) == calls  # all of it local
        await pilot.press("r")
        await settle(pilot)
        assert len(demo_world.aws.calls) > calls  # r reads again, with the actions and age set
        assert screen.fetched.mfa_age == 4200
        assert cells(screen.panes[0], "dynamodb:Scan")[3] == "allowed"


async def test_what_could_not_be_read_is_listed(demo_world, frozen_clock):
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    # Long-term keys under ForceMFA, with moto enforcing IAM policies: only GetUser is allowed.
    service = service_for(demo_world, frozen_clock)
    app = Host(PolicyScreen(service, "alice", simulate_with_aws=False))
    before = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            [pane] = app.policy.panes
            info = plain(pane.query_one(".info", Static)).splitlines()
            notes = plain(app.policy.query_one("#notes", Static))
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = before
    assert info[1] == "AWS simulation not attempted"
    start = info.index("Could not read:")
    unreadable = info[start + 1 :]
    assert [line.split(":")[0] for line in unreadable] == [
        "  ✗ inline policies of user alice",
        "  ✗ managed policies attached to user alice",
        "  ✗ groups of user alice",
    ]
    assert all("AccessDenied" in line for line in unreadable)
    assert notes.startswith("note: identity alice's policy requires MFA to read its policies")
    assert "run `mfa-tui refresh alice`" in notes


async def test_role_profile_shows_a_tab_per_principal_and_unread_roles(demo_world, alice_service):
    # Only alice was refreshed: dev-admin's role (another account) cannot be read, which is a note.
    app = Host(PolicyScreen(alice_service, "dev-admin"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = app.policy.query_one("#notes", Static)
        assert notes.has_class("-shown")
        assert plain(notes).startswith("note: could not read role arn:aws:iam::222222222222:role/Admin: profile ")
        [pane] = app.policy.panes
        assert cells(pane, "sts:AssumeRole")[1:] == ["DENIED", "DENIED", "allowed", "-", "needs MFA"]

    refresh(alice_service, demo_world, "dev-admin")
    app = Host(PolicyScreen(alice_service, "dev-admin"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        user, role = app.policy.panes
        assert not app.policy.query_one("#notes", Static).has_class("-shown")
        tabs = app.policy.query_one(TabbedContent)
        assert [str(tabs.get_tab(p).label) for p in ("tab-0", "tab-1")] == ["user alice", "role Admin"]
        assert "role Admin · arn:aws:iam::222222222222:role/Admin · read with the role session of profile dev-admin" \
            in plain(role.query_one(".info", Static))
        assert "DemoS3AndReadOnlyIAM" in plain(role.query_one(".policy-list", Static))
        # An added action lands in both principals' matrices.
        await pilot.press("a", *"s3:GetObject", "enter")
        await pilot.pause()
        assert cells(user, "s3:GetObject")[1:4] == ["DENIED", "DENIED", "allowed"]
        assert cells(role, "s3:GetObject")[1:4] == ["allowed", "allowed", "allowed"]  # the demo role allows S3


async def test_worker_errors_are_shown_not_raised(demo_world, frozen_clock):
    app = Host(PolicyScreen(service_for(demo_world, frozen_clock), "nope"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.policy
        assert screen.error.startswith(f"unknown profile nope in {demo_world.config_path} (known: alice, ")
        status = screen.query_one("#status", Static)
        assert status.has_class("-error")
        assert plain(status) == f"Could not read the policies: {screen.error} (r tries again)"
        assert screen.panes == [] and app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_theme_change_recolours_the_decisions(demo_world, alice_service):
    app = Host(PolicyScreen(alice_service, "alice"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [pane] = app.policy.panes

        def allowed_colour() -> str:
            return str(pane.table.get_row("iam:ListMFADevices")[1].style)

        assert allowed_colour() == app.theme_variables["success"]
        app.theme = "mfa-light"
        await pilot.pause()
        assert app.theme_variables["success"] != app.get_theme("mfa-dark").success
        assert allowed_colour() == app.theme_variables["success"]


def test_json_spans_match_statements():
    doc = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"},
                                                   {"Effect": "Deny", "Action": ["s3:*", "ec2:*"], "Resource": "*"}]}
    text, spans = json_with_spans(doc)
    assert json.loads(text) == doc
    lines = text.splitlines()
    assert [(lines[a - 1].strip(), lines[b - 1].strip()) for a, b in spans] == [("{", "},"), ("{", "}")]
    assert '"Sid": "A"' in lines[spans[0][0]]
    single = {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}, "Version": "2012-10-17"}
    text, spans = json_with_spans(single)
    assert json.loads(text) == single and spans == [(2, 6)]


def test_reevaluate_keeps_aws_answers_only_for_the_same_question(frozen_clock):
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    principal = Principal("user", "alice", arn=ALICE, account_id="111111111111",
                          policies=[PolicyDoc("Admin", "managed", "user alice", admin, label="Admin")])
    local = analyse(principal, clock=frozen_clock)
    # Stand in for AWS's answers (moto does not simulate): "allowed" everywhere, as local says.
    rows = [replace(r, **{n: replace(c, aws=Result.ALLOWED) for n, c in r.cells.items()}) for r in local.rows]
    report = PolicyReport("alice", "alice", frozen_clock.now(), 300, [replace(local, rows=rows, simulation="used")])

    same = reevaluate(report, actions=["dynamodb:Scan"])
    [p] = same.principals
    assert p.simulated and p.rows[0].action == "dynamodb:Scan"
    assert all(c.aws is None for c in p.rows[0].cells.values())  # AWS never saw it
    s3 = next(r for r in p.rows if r.action == "s3:ListAllMyBuckets")
    assert [c.aws for c in s3.cells.values()] == [Result.ALLOWED] * 3
    older = reevaluate(same, mfa_age=900)
    s3 = next(r for r in older.principals[0].rows if r.action == "s3:ListAllMyBuckets")
    assert (s3.long_term.aws, s3.no_mfa.aws, s3.mfa.aws) == (Result.ALLOWED, Result.ALLOWED, None)
    assert older.mfa_age == 900 and older.generated_at == report.generated_at
    assert older.principals[0].rows[0].action == "dynamodb:Scan"  # earlier additions are kept


class PaneHost(ThemeVariablesMixin, App):
    """Shows one PrincipalPane: for reports the local AWS cannot produce (it does not simulate)."""

    def __init__(self, pane: PrincipalPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self):
        yield self.pane

    def on_mount(self) -> None:
        install_themes(self)
        self.theme = "mfa-dark"


async def test_aws_answers_and_disagreements_are_marked(frozen_clock):
    force = json.loads((Path(__file__).parents[1] / "data" / "policies" / "force_mfa.json").read_text())
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    principal = Principal("user", "alice", arn=ALICE, account_id="111111111111", read_with="a test", policies=[
        PolicyDoc("Admin", "managed", "user alice", admin, label="Admin"),
        PolicyDoc("ForceMFA", "managed", "user alice", force, label="ForceMFA", mfa_statements=(0,)),
    ])
    local = analyse(principal, clock=frozen_clock)
    # AWS agrees everywhere but on ec2:DescribeInstances with MFA, which it denies.
    rows = [
        replace(r, **{n: replace(c, aws=Result.EXPLICIT_DENY if (r.action, n) == ("ec2:DescribeInstances", "mfa")
                                 else c.result) for n, c in r.cells.items()})
        for r in local.rows
    ]
    pane = PrincipalPane(replace(local, rows=rows, simulation="used"), fetched_age=300)
    app = PaneHost(pane)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert cells(pane, "ec2:DescribeInstances")[3:] == ["allowed", "D D D", "needs MFA; AWS disagrees: MFA"]
        assert cells(pane, "iam:ListMFADevices")[4:] == ["A A A", ""]
        assert pane.table.get_row("ec2:DescribeInstances")[4].spans[-1].style.endswith(" reverse")
        assert "AWS simulation: used" in plain(pane.query_one(".info", Static))
        pane.table.move_cursor(row=pane.table.get_row_index("ec2:DescribeInstances"))
        await pilot.pause()
        why = plain(pane.query_one(".why", Static))
        assert "needs MFA; AWS disagrees: MFA" in why.splitlines()[0]
        assert why.splitlines()[3].endswith("allowed by Admin#0  · AWS: DENIED")

        report = PolicyReport("alice", "alice", frozen_clock.now(), 300, [pane.report])
        pane.show(reevaluate(report, mfa_age=900).principals[0])
        await pilot.pause()
        assert cells(pane, "ec2:DescribeInstances")[4] == "D D ?"
        assert "AWS answered for MFA age 300s: its MFA answers are hidden at 900s (r asks again)" in plain(
            pane.query_one(".info", Static))
        assert pane.selected == "ec2:DescribeInstances"


def test_snapshot_alice(snap_compare, demo_world, frozen_clock):
    # The report's time is on screen: fix the clock before alice's MFA session is made with it.
    frozen_clock.set(datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC))
    service = service_for(demo_world, frozen_clock)
    refresh(service, demo_world, "alice")
    app = Host(PolicyScreen(service, "alice"))
    checked: list[bool] = []

    async def load_and_check(pilot) -> None:
        await settle(pilot)
        # Paired with the snapshot: the content is really there (not a blank or crashed screen).
        shown = screen_text(app)
        assert "Effective policy · profile alice · identity alice · read 2026-01-01 12:00:00 UTC" in shown
        assert "read with the MFA session of identity alice" in shown
        assert "◆ ec2:DescribeInstances" in shown and "needs MFA" in shown
        assert "AWS simulation unavailable: " in shown
        assert "Policies of user alice (3)" in shown
        for field in app.policy.query(Input):
            field.cursor_blink = False
        await pilot.pause()
        checked.append(True)

    assert snap_compare(app, terminal_size=SIZE, run_before=load_and_check)
    assert checked == [True]
