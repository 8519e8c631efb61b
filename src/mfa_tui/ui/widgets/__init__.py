"""Reusable dashboard widgets, one module each (import the module you need).

- :mod:`.status_table` — the virtualised live status table (:class:`StatusTable`), with
  :mod:`.status_view` deciding which rows it shows and in what order, :mod:`.status_cursor` its
  cursor, marks and keys, :mod:`.status_draw` and :mod:`.status_style` how its rows look.
- :mod:`.key_footer` — the footer that keeps the most needed keys in sight at any width (:class:`KeyFooter`).
- :mod:`.policy_pane` — one principal's part of the effective-policy report (:class:`PrincipalPane`).
- :mod:`.qr_panel`, :mod:`.device_table` — the enrolment screen's QR code and device list.
- :mod:`.digit_input` — a digits-only field that lets letters reach the screen's bindings.
"""
