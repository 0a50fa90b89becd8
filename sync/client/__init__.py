"""The sync client: the laptop's side of the protocol, run off the UI thread."""
