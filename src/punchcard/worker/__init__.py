"""The background worker: webhook delivery and scheduled jobs.

Runs inside ``punchcard serve`` (unless ``--no-worker``) or as ``punchcard worker`` on
any number of nodes; every piece of work is claimed in the database, so several
workers share the load without doing anything twice.
"""
