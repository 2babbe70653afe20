"""Tiers domain."""
