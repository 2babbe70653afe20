"""The AddGlow face's credentials: ``Authorization: Bearer <API key>``
(``BearerApiKeyAuth`` in the document), read by the native face's bearer reader.

Scopes by the document's groups: members and member groups → ``members``, posts (the
community) → ``community``, products and variants → ``catalog``; the magic link signs a
member in, so it needs ``members:write``.
"""

from __future__ import annotations

from typing import Any

from punchcard.api.common.auth import read_bearer
from punchcard.api.common.auth import scoped as common_scoped

reader = read_bearer


def _scoped(scope: str) -> Any:
    return common_scoped(scope, reader)


MembersRead = _scoped("members:read")
MembersWrite = _scoped("members:write")
CommunityRead = _scoped("community:read")
CommunityWrite = _scoped("community:write")
CatalogRead = _scoped("catalog:read")
CatalogWrite = _scoped("catalog:write")
