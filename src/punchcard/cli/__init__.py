"""The ``punchcard`` command."""
