"""Registries built from what users already have: ``~/.aws`` today.

Owns: :mod:`.aws_files` (``mfa-tui import``: plan from ~/.aws, write into the registry),
:mod:`.aws_profiles` (the AWS config and credentials files as botocore reads them) and
:mod:`.plan` (the pure planning rules: which tables the AWS profiles become).

May import: the top of ``core`` and :mod:`mfa_tui.core.registry` (entries are added through its
exact editor).
"""
