"""Idempotency-Key records (SPEC section 2)."""
