"""The shared credentials file (``~/.aws/credentials``): reading it, and the only code that writes it.

Owns: :mod:`.reader` (reading any AWS INI file as botocore does: the fast reader, the key-id
scan, and :func:`~.reader.ini_problem`, the one wording of a parse error), :mod:`.ownership`
(which sections are mfa-tui's and what it writes into them), :mod:`.file` (the
:class:`~.file.CredentialsFile` facade and its locked writer), :mod:`.editor` (exact section
edits, by splicing lines or with configupdater) and :mod:`.verify` (the proof that nothing
else changed). Imports go one way: file -> editor -> verify -> reader.

May import: the top of ``core`` (models, clock, errors, fileio). Nothing above it.
"""
