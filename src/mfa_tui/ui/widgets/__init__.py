"""Reusable dashboard widgets, one module each (import the module you need).

- :mod:`.status_table` — the virtualised live status table (:class:`StatusTable`), with
  :mod:`.status_view` deciding which rows it shows and in what order.
- :mod:`.key_footer` — the footer that keeps the most needed keys in sight at any width (:class:`KeyFooter`).
"""
