"""The shared credentials file (``~/.aws/credentials``): reading it, and the only code that writes it.

Owns: :mod:`.file` (the fast INI reader, what mfa-tui owns, the locked writer) and :mod:`.editor`
(exact section edits with configupdater, and the proof that nothing else changed).

May import: the top of ``core`` (models, clock, errors, fileio). Nothing above it.
"""
