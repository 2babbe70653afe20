"""Tenants, their settings, and the per-process snapshot of their configuration."""

# The snapshot's session hooks (the version bump on flush) must be in place in every
# process that writes: importing any part of ``punchcard.tenants`` installs them.
from punchcard.tenants import snapshot as snapshot
