"""The headless core: registry, files, AWS calls, refresh planning, policies, time.

Nothing under this package imports Textual or Rich (enforced by import-linter and
by ``tests/core/test_seam.py``), so every flow runs from a script or a test.
"""
