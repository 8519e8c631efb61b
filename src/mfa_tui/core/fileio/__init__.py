"""How mfa-tui opens, creates and replaces files: safely, privately, and keeping their owner.

Reading: every reader opens a file through :func:`open_regular`. ``open()`` on a named pipe
waits for a writer forever, so the file is opened non-blocking and refused, with one line
naming it (:class:`NotAFileError`), unless it is a regular file.

Writing: every write goes to a temp file in the target's directory, is fsynced, and then
renamed over the target, so a reader (or a crash) sees the old file or the new one, never a
mix. Files that may hold secrets are created 0600 and never widened; an existing file's mode
is kept but narrowed to owner-only. A read-only target is refused rather than silently
replaced: the user made it so on purpose.

Owners: the new file keeps the old one's owner and group (the temp file is given them before
the rename, as ``aws configure set`` does), and what root creates in a directory another user
owns (a file, a directory of :func:`make_dirs`, a lock file of :func:`take_lock`) becomes
that user's. So ``sudo mfa-tui refresh`` keeping HOME leaves the user's files theirs, and
their own next run can read, replace and lock them. A writer that cannot give a file its
owner refuses with one line, the file untouched.

In place: a file a rename cannot replace is overwritten instead, under the caller's lock: a
bind mount (Docker's ``-v ~/.aws/credentials:…``) refuses the rename with EBUSY, and a file
with other hard links would be split from them. Its previous content is first copied to
``.<name>.mfa-tui.bak`` beside it, deleted once the write is done; a copy found there means
an in-place write was cut short, and the file is refused until the user has looked. Each
such file is said once per process (:func:`take_warnings`).

Temp files: a writer killed between creating its temp file and the rename (SIGKILL, power
loss) leaves the temp file behind, and it holds whatever the target would have held:
secrets. Temp files are therefore named ``.<target name>.<writer pid>.<namespace tag>.<random>.tmp``
and every :func:`atomic_write` first sweeps the stale ones of its own target (see
:func:`sweep_stale_temp_files`): only names of exactly that pattern (or the forms of earlier
versions), only regular files of this user or the target's owner, and only once their writer
is surely gone.
"""

from mfa_tui.core.fileio.owners import PRIVATE_DIR, ensure_private_dir, held_lock, make_dirs, owner_of, take_lock
from mfa_tui.core.fileio.reading import (
    PRIVATE_FILE,
    NotAFileError,
    describe_os_error,
    mode_of,
    open_regular,
    open_to_others,
    read_bytes,
    read_only_reason,
)
from mfa_tui.core.fileio.tempfiles import DEAD_WRITER_AGE, ORPHAN_AGE, sweep_stale_temp_files
from mfa_tui.core.fileio.writing import atomic_write, take_warnings

__all__ = [
    "DEAD_WRITER_AGE",
    "ORPHAN_AGE",
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "NotAFileError",
    "atomic_write",
    "describe_os_error",
    "ensure_private_dir",
    "held_lock",
    "make_dirs",
    "mode_of",
    "open_regular",
    "open_to_others",
    "owner_of",
    "read_bytes",
    "read_only_reason",
    "sweep_stale_temp_files",
    "take_lock",
    "take_warnings",
]
