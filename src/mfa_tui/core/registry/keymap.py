"""The dashboard's key actions, as ``[settings.keys]`` names them: each id, where it acts, its default keys.

The dashboard (``mfa_tui.ui``) declares a Textual binding for each of these ids; a UI test
(tests/ui/test_keymap_ids.py) keeps the two in step: a new binding id goes in :data:`ACTIONS` too. The list lives in the core so that the registry validation can check
``[settings.keys]`` (an unknown id gets a "did you mean", a key given to two actions of one
view is reported) without importing the UI, which the layers contract forbids.
"""

from __future__ import annotations

import difflib

# A view is the set of scopes whose keys are live together: the app's own keys work on the
# main screen; each pane and dialog has its own keys (and shadows the app's on purpose).
VIEWS: dict[str, tuple[str, ...]] = {
    "main": ("app", "main", "status-table"),
    "enroll": ("enroll",),
    "policy": ("policy",),
    "help": ("help",),
    "confirm": ("confirm",),
    "token": ("token",),
    "problems": ("problems",),
    "welcome": ("welcome",),
    "import": ("import",),
    "org-import": ("org-import",),
    "activity": ("activity",),
    "form": ("form",),
}

ACTIONS: dict[str, tuple[str, str]] = {
    # id: (scope, default keys as Textual names them)
    "command_palette": ("app", "ctrl+p"),
    "focus_next": ("app", "tab"),
    "focus_previous": ("app", "shift+tab"),
    "help": ("app", "question_mark"),
    "quit": ("app", "q"),
    "theme": ("app", "t"),
    "cancel": ("main", "escape"),
    "clear_filter": ("main", "escape"),
    "copy_arn": ("main", "c"),
    "copy_env": ("main", "C"),
    "enroll": ("main", "e"),
    "filter": ("main", "slash"),
    "group": ("main", "g"),
    "new_session": ("main", "N"),
    "policy": ("main", "p"),
    "refresh": ("main", "r"),
    "refresh_all": ("main", "R"),
    "sort": ("main", "o"),
    "whoami": ("main", "w"),
    "whoami_all": ("main", "W"),
    "activity": ("main", "l"),
    "new_profile": ("main", "n"),
    "edit_profile": ("main", "E"),
    "remove_profile": ("main", "d,delete"),
    "new_account": ("main", "A"),
    "console": ("main", "O"),
    "activity.close": ("activity", "escape,q,l"),
    "form.cancel": ("form", "escape"),
    "form.save": ("form", "ctrl+s"),
    "status-table.cursor-down": ("status-table", "down,j"),
    "status-table.cursor-up": ("status-table", "up,k"),
    "status-table.cursor-first": ("status-table", "home"),
    "status-table.cursor-last": ("status-table", "end"),
    "status-table.page-down": ("status-table", "pagedown"),
    "status-table.page-up": ("status-table", "pageup"),
    "status-table.toggle-mark": ("status-table", "space"),
    "status-table.toggle-group": ("status-table", "z"),
    "enroll.adopt": ("enroll", "u"),
    "enroll.close": ("enroll", "escape,q"),
    "enroll.create": ("enroll", "c"),
    "enroll.delete": ("enroll", "d"),
    "enroll.resync": ("enroll", "r"),
    "enroll.secret": ("enroll", "s"),
    "policy.add_action": ("policy", "a"),
    "policy.age_down": ("policy", "minus"),
    "policy.age_up": ("policy", "plus"),
    "policy.close": ("policy", "escape,q"),
    "policy.reload": ("policy", "r"),
    "policy.next_tab": ("policy", "n"),
    "help.close": ("help", "escape,q,question_mark"),
    "confirm.no": ("confirm", "n,escape"),
    "confirm.yes": ("confirm", "y"),
    "token.skip": ("token", "escape"),
    "problems.quit": ("problems", "q,escape"),
    "welcome.demo": ("welcome", "d"),
    "welcome.import": ("welcome", "i"),
    "welcome.new": ("welcome", "n"),
    "import.back": ("import", "escape,n"),
    "import.write": ("import", "y"),
    "org-import.cancel": ("org-import", "escape"),
    "org-import.write": ("org-import", "ctrl+s"),
}
"""Every binding id the dashboard declares."""

ACTION_IDS: frozenset[str] = frozenset(ACTIONS)

# Characters people type in [settings.keys] for keys Textual names otherwise.
_KEY_NAMES = {
    "?": "question_mark", "/": "slash", "+": "plus", "-": "minus", " ": "space", "esc": "escape",
    "!": "exclamation_mark", "*": "asterisk", ".": "full_stop", ",": "comma", ":": "colon", "=": "equals_sign",
}


def split_keys(text: str) -> list[str]:
    """``"R, ctrl+r"`` -> ``["R", "ctrl+r"]``, each key under the name Textual gives it."""
    keys = [k.strip() for k in text.split(",")]
    return [_KEY_NAMES.get(k, k) for k in keys if k]


def suggestion(action_id: str) -> str:
    """"did you mean X?" for an id close to a known one, else where to find the ids."""
    close = difflib.get_close_matches(action_id, sorted(ACTION_IDS), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    return "press ? in the dashboard for the binding ids"


def clashes(overrides: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(key, overridden id, other id)`` for each key ``overrides`` gives to two actions of one view.

    Only clashes involving a rebound action are reported: the defaults' own overlaps (escape
    cancels a run or clears the filter, whichever applies) are deliberate.
    """
    bound = {aid: split_keys(overrides[aid]) if aid in overrides else split_keys(default)
             for aid, (_scope, default) in ACTIONS.items()}
    found: list[tuple[str, str, str]] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    for scopes in VIEWS.values():
        ids = [aid for aid, (scope, _default) in ACTIONS.items() if scope in scopes]
        for aid in ids:
            if aid not in overrides:
                continue
            for other in ids:
                if other == aid:
                    continue
                for key in bound[aid]:
                    pair = (key, frozenset((aid, other)))
                    if key in bound[other] and pair not in seen:
                        seen.add(pair)
                        found.append((key, aid, other))
    return found
