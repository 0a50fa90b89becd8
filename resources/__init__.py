"""Built-in forms, icons and translations, shipped with the app."""
