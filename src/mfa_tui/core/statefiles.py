"""How a registry's own files in the state dir are named: its state, its dashboard's socket, its serve file.

One rule for all of them: eight hex digits, the CRC-32 of the registry's resolved path. CRC-32
rather than SHA-256 because ``hashlib`` costs ~4 ms of the cached ``credential-process`` path's
~28 ms (bench figure 1); a collision between two of one user's registries is caught by the registry
path each of those files records. Imports only ``os`` and ``zlib``: the ``credential-process`` fast
path (:mod:`mfa_tui.core.session.peek`) names the state file with it.
"""

from __future__ import annotations

import os
import zlib


def registry_tag(registry_path: str | os.PathLike[str]) -> str:
    """Eight hex digits naming a registry's files in the state dir: the CRC-32 of its resolved path."""
    return f"{zlib.crc32(os.fsencode(os.path.realpath(registry_path))):08x}"
