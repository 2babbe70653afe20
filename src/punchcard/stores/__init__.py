"""Stores: the merchant's points of sale, keyed by the ERP's store code."""
