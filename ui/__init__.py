"""PySide6 widgets and Qt models: the desktop app. Only this package imports Qt."""
