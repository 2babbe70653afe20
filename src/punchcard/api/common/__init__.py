"""What every face shares: the unit-of-work route, auth dependencies, error rendering."""
