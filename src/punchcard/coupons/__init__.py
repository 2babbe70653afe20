"""Coupons domain."""
