"""Ambassador domain."""
