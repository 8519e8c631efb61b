"""Registries built from what users already have: ``~/.aws`` today.

Owns: :mod:`.aws_files` (the import plan from the AWS config and credentials files).

May import: the top of ``core`` and :mod:`mfa_tui.core.registry` (entries are added through its
exact editor).
"""
