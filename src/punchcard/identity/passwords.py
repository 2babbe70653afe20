"""The rules a new password must meet, for every path that sets one without the native
face's body models (the dashboard's invitation and reset forms): the same bounds as
``api.native.schemas.auth.NewPassword`` (a test holds the two equal)."""

from __future__ import annotations

from punchcard.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 10
# Keeps a hostile form from making argon2 hash megabytes.
MAX_PASSWORD_LENGTH = 1024


def check_new_password(password: str, *, field: str = "password") -> str:
    """``password`` exactly as typed (never stripped), or ValidationFailed naming ``field``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password needs at least {MIN_PASSWORD_LENGTH} characters", field=field
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"The password may have at most {MAX_PASSWORD_LENGTH} characters", field=field
        )
    return password
