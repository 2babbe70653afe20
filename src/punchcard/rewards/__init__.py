"""Rewards: redemption options bought with points."""
