"""Who is calling: tenants' users, sessions, API keys, scopes."""
