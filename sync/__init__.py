"""Sync: the wire protocol, the sync client and the reference bureau server."""
