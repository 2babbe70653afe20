"""Tracking, referral and ambassador service tests."""
