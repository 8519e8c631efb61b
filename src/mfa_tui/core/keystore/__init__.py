"""Long-term access keys kept in the OS keyring (through the ``keyring`` library) instead of the credentials file.

Owns reading, writing and deleting an identity's keyring item and naming the active backend. May import
the base only.
"""
