"""Small, dependency-free helpers: clock, ids, money, crypto, paging."""
