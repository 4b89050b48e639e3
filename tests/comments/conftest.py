"""The thread's fixtures (``hooks``, ``post``) live in tests/conftest.py, shared with the
modules above comments."""
