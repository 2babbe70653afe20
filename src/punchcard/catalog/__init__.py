"""Catalog (PIM): brands, categories, products and their variants; Shopify/ERP import."""
