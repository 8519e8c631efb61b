"""The dashboard: a Textual app over :mod:`mfa_tui.core`, imported only when the dashboard opens.

Layout: ``theming`` (theme files -> Textual themes), ``rowformat`` (the words in a status row,
Textual-free), ``widgets/`` (reusable widgets such as the status table), ``screens/`` (full
screens), ``dialogs/`` (modal dialogs and the shared code field), ``host`` (what the main
screen's controllers may use of it), ``textual_private`` (every use of a Textual private name).
Nothing here talks to AWS or files directly: the core service does.
"""
