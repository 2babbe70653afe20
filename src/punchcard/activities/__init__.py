"""Activities: earning rules (ShopSocially "activities")."""
