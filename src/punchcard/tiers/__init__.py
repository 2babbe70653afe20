"""Tiers (levels)."""
