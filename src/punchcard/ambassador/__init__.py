"""Referrals and the ambassador program.

Every member has a referral code (kind ``member``, made at enrolment); ambassadors are
members issued extra ``affiliate`` codes. Clicks and conversions of any code are
``referral_events``. ``referrals`` records and reports them; ``service`` ranks
ambassador candidates, reports the program's ROI and issues affiliate codes.
"""
