"""Attacks on a real bureau server (a package, so its conftest does not shadow tests/sync/conftest.py)."""
