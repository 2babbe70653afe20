"""Imports and exports from files (``punchcard import``/``export``): reading and
mapping other platforms' exports (``formats``), applying them through the core's batch
paths in resumable chunks (``apply``), streaming a tenant's data out (``export``)."""
