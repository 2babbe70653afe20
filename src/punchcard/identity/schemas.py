"""Identity inputs, as the core takes them (snake_case): a profile change, and API key
presets. The native face's wire models are in ``api/native/schemas/auth.py`` and
``api/native/schemas/api_keys.py``."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class ProfileUpdate(BaseModel):
    """PATCH of a user's profile: ``model_fields_set`` tells a field left out from a
    null (``name: None`` clears the name; ``email: None`` is refused)."""

    name: str | None = None
    email: str | None = None


# API keys --------------------------------------------------------------------------


class KeyPreset(StrEnum):
    read = "read"
    write = "write"
