"""The local socket between ``mfa-tui credential-process`` and a running dashboard of the same registry.

Owns the socket's path, its permissions and peer check, and the request/answer protocol. May import
the base only (paths, errors, models).

- :mod:`.peer`: the peer's uid, by the platform's mechanism;
- :mod:`.place`: where the socket lives (the state dir, 0700; the socket 0600; one per registry,
  named from its resolved path) and the ownership checks both ends make before trusting it;
- :mod:`.server`: what the dashboard runs (a thread that accepts, checks the peer's uid and hands
  each request to the dashboard);
- :mod:`.client`: what ``credential-process`` calls when only a new code would help.

Protocol: one line of JSON each way. The client sends ``{"v": 1, "registry": PATH, "profile": NAME}``;
the dashboard runs its own refresh of that profile (its token dialog says "requested by
credential_process") and answers ``{"ok": true}`` or ``{"ok": false, "error": LINE}`` when the run
ends. No code, key or token ever crosses the socket: the client reads the fresh credentials from
the state, as on its normal path. Peers are checked by :mod:`.peer`: ``SO_PEERCRED`` on Linux,
``getpeereid(3)`` (through ctypes) on macOS and the BSDs, ``LOCAL_PEERCRED`` where only that
exists; on a system with none of them the bridge is off (the dashboard does not listen and the
client does not ask).
"""
