"""The reference bureau server: FastAPI over SQLAlchemy Core, SQLite by default, PostgreSQL in a county."""
