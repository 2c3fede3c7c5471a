"""One exception tree for the whole product.

Library code raises these; the CLI and the dashboard turn them into one helpful
line at the edge. ``exit_code`` is what the CLI exits with: 2 for usage and
configuration mistakes (nothing was written), 1 for failures of the outside world.
"""

from __future__ import annotations


class LasnaError(Exception):
    """Base of every error Läsnä raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(LasnaError):
    """A setting is missing or malformed."""

    exit_code = 2


class InputError(LasnaError):
    """The user gave something we cannot accept (bad handle, duplicate name, bad file)."""

    exit_code = 2


class NotFoundError(InputError):
    """A named thing (leader, cohort, session) does not exist."""


class StoreError(LasnaError):
    """The database could not be reached or migrated."""


class AccessDenied(LasnaError):
    """The current user may not see or change this."""

    exit_code = 2


class CollectorError(LasnaError):
    """Collecting from a source failed for one account."""


class SourceUnavailable(CollectorError):
    """The source did not answer (timeout, connection refused, 5xx after retries)."""


class RateLimited(CollectorError):
    """The source asked us to slow down (HTTP 429) and retries ran out."""

    def __init__(self, message: str, *, retry_after: float | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class AccountGone(CollectorError):
    """The account no longer exists or was suspended at the source."""


class MalformedPayload(CollectorError):
    """The source answered with something that breaks its own schema."""


class UnsafeURL(InputError):
    """A URL points at a private, loopback or otherwise forbidden address."""
