"""The first frame's rows (``first_screen``: a screenful's state lines and credentials sections) are the rows a full read gives."""

from __future__ import annotations

from datetime import timedelta

from planted import plant, two_identity_service

from mfa_tui.core.clock import FrozenClock
from mfa_tui.core.models import Credentials, State
from mfa_tui.core.service.first_screen import first_screen


def _world(tmp_path):
    clock = FrozenClock()
    now = clock.now()
    names = [f"p{i:02d}" for i in range(30)]
    service = two_identity_service(tmp_path, names, clock, bobs=("p28", "p29"), session_profiles=True)

    def keys(state) -> None:
        state.identity("bob").key_id = "AKIABOB"  # the long-term key that made bob's session

    plant(
        service,
        sessions={"alice": Credentials("ASIAALICE", "SK", "ST", now + timedelta(hours=5)),
                  "bob": Credentials("ASIABOB", "SK", "ST", now + timedelta(hours=5))},
        profiles={name: Credentials(f"ASIA{name}", "SK", "ST", now + timedelta(minutes=10 * i))
                  for i, name in enumerate(names) if i % 3},
        failures={"p03": "AccessDenied: not allowed"},
        edit=keys,
    )
    creds = tmp_path / "creds"
    text = creds.read_text().replace("[p04]", "[p04-gone]").replace("ASIAp05", "ASIAELSE")
    # bob's long-term key is not the one that made his session: that session is dropped.
    creds.write_text(text + "\n[bob-long-term]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n")
    return service, ["alice-mfa", "bob-mfa", *names]


def test_the_first_screen_rows_are_the_full_reads_rows(tmp_path):
    service, names = _world(tmp_path)
    everything = {row.profile: row for row in service.statuses()}
    for some in (names[:12], names[20:], ["p04", "p05", "bob-mfa", "p29"], names):
        assert first_screen(service, some) == [everything[n] for n in some]
    assert everything["p04"].state is State.MISSING and everything["p05"].state is State.CHANGED
    assert everything["p03"].last_error and everything["p29"].mfa_expires_at is None
    assert everything["alice-mfa"].expires_at is not None and everything["bob-mfa"].expires_at is None


def test_an_unreadable_credentials_file_gives_the_full_reads_rows(tmp_path):
    service, names = _world(tmp_path)
    (tmp_path / "creds").write_bytes(b"[p01]\naws_access_key_id = \xff\n")
    everything = {row.profile: row for row in service.statuses()}
    assert first_screen(service, names[:8]) == [everything[n] for n in names[:8]]
