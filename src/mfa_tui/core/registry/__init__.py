"""The TOML registry: load, validate, references, exact edits, the validated cache, the starter.

Owns: :mod:`.load` (reading and the cache fast path), :mod:`.validate` (every rule on one
table), :mod:`.refs` (references between tables and to ~/.aws/config), :mod:`.text` (positions in
the TOML text), :mod:`.edit` (changes that keep every byte the user wrote), :mod:`.cache`,
:mod:`.starter`.

May import: the top of ``core`` and :mod:`mfa_tui.core.session.peek` (the registry stamp the
state file carries). Nothing that calls AWS.
"""
