"""Catalog service tests."""
