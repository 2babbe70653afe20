"""Referrals and the ambassador program.

Every member has a referral code (kind ``member``, made at enrolment); ambassadors are
members issued extra ``affiliate`` codes. Clicks and conversions of any code are
``referral_events``. ``referrals`` records and reports them; ``service`` ranks
ambassador candidates, reports the program's ROI and issues affiliate codes.

Referrals pay (``payout``): the referrer earns through the ``referral`` activity, the
friend through ``referral_welcome``. ``orders`` sits below this package, so it calls
back ``referrals.FOLLOWER`` on every order placed and refunded: registered by
``punchcard.wiring.wire``, which every entry point calls (importing this package
registers nothing).
"""
