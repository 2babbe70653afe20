"""The advocate face's credentials: ``Authorization: Bearer <API key>``.

The native face's bearer reader, so a Punchcard API key (``fl_live_…``) works as the
document's ``sk_live_…`` does. A member session (an SSO ``sessionToken``) carries no
scope and is refused by every route here (403): it is for the portal and widgets.
"""

from __future__ import annotations

from typing import Any

from punchcard.api.common.auth import read_bearer
from punchcard.api.common.auth import scoped as common_scoped

reader = read_bearer


def _scoped(scope: str) -> Any:
    return common_scoped(scope, reader)


# document group -> scope: advocates and SSO mappings → members, points → points,
# rewards → rewards, referrals → ambassador, quests/testimonials/feedback → community.
MembersRead = _scoped("members:read")
MembersWrite = _scoped("members:write")
PointsWrite = _scoped("points:write")
RewardsRead = _scoped("rewards:read")
RewardsWrite = _scoped("rewards:write")
AmbassadorRead = _scoped("ambassador:read")
AmbassadorWrite = _scoped("ambassador:write")
CommunityRead = _scoped("community:read")
CommunityWrite = _scoped("community:write")
