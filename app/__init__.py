"""CunFang domain and storage: pure Python, never imports Qt."""
