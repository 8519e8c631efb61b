"""What the enrolment screen asks and records, in words (no secrets: serials and identity names only)."""

from __future__ import annotations

from mfa_tui.core.enroll.device import Enrolment


def delete_question(flow: Enrolment, serial: str) -> str:
    """The confirmation before deleting ``serial``, warning when it is the device the registry uses."""
    question = f"Deactivate and delete {serial}?\n\n"
    if flow.registry_serial and serial == flow.registry_serial:
        question += (
            f"⚠ This is the device the registry uses ([identities.{flow.identity}] mfa_serial): "
            "every profile of that identity stops refreshing until you enrol a new device.\n\n"
        )
    return question + (
        "Codes from this device stop working at once; profiles that use it need a new device.\n\n"
        "y: delete it · n or Esc: keep it"
    )


def quit_question(serial: str | None) -> str:
    """The question when the app quits with ``serial`` created here but not enabled."""
    return (
        f"Device {serial} was created but not enabled.\n\nQuit and delete it? "
        "(Your authenticator app's entry for it will not work.)\n\ny: delete it and quit · n or Esc: stay"
    )


def activity_text(flow: Enrolment, serial: str, what: str) -> str:
    """The activity log's line for ``serial`` (``what``: "enabled", "resynced", "deleted", "resync failed", "delete failed")."""
    return f"MFA device {serial} {what} for identity {flow.identity}"
