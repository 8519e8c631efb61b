"""mfa-tui: refresh every AWS CLI profile behind forced MFA with one code.

The package is split along one seam: :mod:`mfa_tui.core` owns AWS calls, files,
policies and time math and never imports Textual or Rich; :mod:`mfa_tui.ui` (the
dashboard) and :mod:`mfa_tui.cli` (the plain CLI) are thin layers over it.
This module stays empty so that ``mfa-tui credential-process`` starts fast.
"""

__version__ = "0.1.0"
