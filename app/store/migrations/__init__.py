"""Numbered schema migrations, applied in order on open."""
