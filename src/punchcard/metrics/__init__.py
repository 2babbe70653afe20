"""Program metrics for the dashboard's overview: points issued, redeemed and expired by
day, liability, breakage, active members, orders, referrals (``service.overview``).
Reads only; a constant number of aggregate statements whatever the period or the
number of members."""
