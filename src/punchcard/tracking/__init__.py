"""Tracking: page-visit and behaviour events, ingested in bulk, reported by day, page and type."""
