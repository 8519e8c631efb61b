"""The TOML registry: load, validate, references, exact edits, the validated cache, the starter.

Owns: :mod:`.load` (loading, with the cache fast path), :mod:`.read` (bytes to text to dict to
checked registry, shared by loading and editing), :mod:`.validate` (the schema and the walk over
the tables), :mod:`.checks` (the check on each value), :mod:`.refs` (references between tables
and to ~/.aws/config), :mod:`.lifetimes` (sessions against warn_before), :mod:`.text` (positions
in the TOML text), :mod:`.edit` (changes that keep every byte the user wrote), :mod:`.cache`,
:mod:`.starter`.

May import: the top of ``core`` and :mod:`mfa_tui.core.session.peek` (the registry stamp the
state file carries). Nothing that calls AWS.
"""
