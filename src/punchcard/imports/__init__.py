"""Imports and exports from files (``punchcard import``/``export``): reading and
mapping other platforms' exports (``formats``), applying them through the core's batch
paths in resumable chunks (``apply``), streaming a tenant's data out (``export``).
``apply.run`` wires the order followers itself (``punchcard.wiring``), so a script
importing through it pays referrers as the API does."""
