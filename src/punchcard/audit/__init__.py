"""The audit log: every API call, visible per key."""
