"""Referrals and the ambassador program.

Every member has a referral code (kind ``member``, made at enrolment); ambassadors are
members issued extra ``affiliate`` codes. Clicks and conversions of any code are
``referral_events``. ``referrals`` records and reports them; ``service`` ranks
ambassador candidates, reports the program's ROI and issues affiliate codes.

Referrals pay (``payout``): the referrer earns through the ``referral`` activity, the
friend through ``referral_welcome``. ``orders`` sits below this package, so it calls
back through ``orders.service.follow``: registered here, in the one module every
process that places orders imports (every face uses it).
"""

from punchcard.ambassador.referrals import FOLLOWER
from punchcard.orders.service import follow

follow(FOLLOWER)
