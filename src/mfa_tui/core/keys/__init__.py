"""Moving an identity's long-term keys between the credentials file and the keyring, and rotating them.

May import the registry, the session, AWS calls, the credentials file editors and the keystore.
"""
