"""One exception tree for the whole product.

Library code raises these; the CLI and the dashboard turn them into one helpful
line at the edge. ``exit_code`` is what the CLI exits with: 2 for usage and
configuration mistakes (nothing was written), 1 for failures of the outside world
(a source did not answer: some accounts failed), 3 when Läsnä could not run at all
(:data:`EXIT_COULD_NOT_RUN`: the database is down, read-only, full or of an unknown schema).
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


EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_COULD_NOT_RUN = 3


class StoreError(LasnaError):
    """The database could not be reached, migrated or written (the command could not run)."""

    exit_code = EXIT_COULD_NOT_RUN


def store_failure(exc: BaseException) -> StoreError:
    """A one-line :class:`StoreError` for a driver/OS exception (database down, read-only, full)."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()) or type(orig).__name__
    low = text.lower()
    if "readonly" in low or "read-only" in low or "read only" in low:
        reason = "the database is read-only"
    elif "disk is full" in low or "no space" in low or "disk full" in low or "could not extend" in low:
        reason = "the disk holding the database is full"
    elif "connection" in low or "connect" in low or "server" in low or "unable to open" in low:
        reason = "the database cannot be reached"
    elif "locked" in low:
        reason = "the database is locked by another process"
    else:
        reason = "the database could not be used"
    from lasna.settings import mask_text

    return StoreError(f"{reason} ({mask_text(text)[:300]})", hint="nothing was done; check the database and retry")


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
