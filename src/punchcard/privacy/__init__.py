"""A member's personal data on request: erasure (anonymised in place) and export."""
