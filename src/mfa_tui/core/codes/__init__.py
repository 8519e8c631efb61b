"""Where MFA codes come from: the prompt (the default), a YubiKey's OATH applet through ``ykman``, or any command.

Owns the per-identity code sources and the provider that asks a source before the dialog or prompt.
May import the registry, the session's event types (:mod:`mfa_tui.core.session.refresh`) and the base.
"""
