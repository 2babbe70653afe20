"""Tracking domain."""
