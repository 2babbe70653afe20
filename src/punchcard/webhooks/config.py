"""Delivery settings, read once from ``Settings`` into a plain value the worker and the
tests pass around."""

from __future__ import annotations

from dataclasses import dataclass

from punchcard.config import Settings

# The Standard Webhooks example schedule: about 3 days of retries after the first try.
DEFAULT_SCHEDULE = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 50400.0, 72000.0, 86400.0)
# Longest wait a 429's Retry-After may impose before the next attempt.
MAX_RETRY_AFTER = 86400.0


def parse_schedule(text: str) -> tuple[float, ...]:
    """``"5,300,1800"`` → ``(5.0, 300.0, 1800.0)``: seconds to wait after each failure.

    An empty string means "no retries". Raises ValueError on anything else malformed.
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    try:
        schedule = tuple(float(item) for item in items)
    except ValueError as exc:
        raise ValueError(
            "PUNCHCARD_WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds"
        ) from exc
    if any(delay < 0 for delay in schedule):
        raise ValueError("PUNCHCARD_WEBHOOK_RETRY_SCHEDULE delays must not be negative")
    return schedule


@dataclass(frozen=True)
class DeliveryConfig:
    retry_schedule: tuple[float, ...] = DEFAULT_SCHEDULE
    timeout: float = 15.0
    lease: float | None = None
    allow_private: bool = False
    concurrency: int = 8
    # Each wait is scaled by a random factor in [1 - jitter, 1 + jitter], so receivers
    # that failed together are not all retried in the same second.
    jitter: float = 0.1

    @property
    def lease_seconds(self) -> float:
        """How long a claim holds: longer than any one attempt can take (DNS, connect,
        write and read each bounded by the timeout), so a live worker never loses it."""
        return self.lease if self.lease is not None else 4 * self.timeout + 30

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryConfig:
        return cls(
            retry_schedule=parse_schedule(settings.webhook_retry_schedule),
            timeout=settings.webhook_timeout_seconds,
            lease=settings.webhook_lease_seconds,
            allow_private=settings.webhooks_allow_private,
            concurrency=max(1, settings.webhook_concurrency),
        )
