"""Punchcard: an open-source, self-hostable loyalty, referral and advocacy engine."""

__version__ = "0.1.0"
