"""One small exception tree: every error Otklik raises on purpose is an `OtklikError`.

Messages are written for the person who has to act on them (an admin, an
integrator, an analyst), not for the developer.
"""


class OtklikError(Exception):
    """Base of every deliberate Otklik error."""


class ConfigError(OtklikError):
    """A setting is missing or unsafe."""


class NotFound(OtklikError):
    """A referenced object (survey, touchpoint, unit, …) does not exist."""


class ValidationFailed(OtklikError):
    """Input broke a rule; `field` names the offending field when known."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(OtklikError):
    """The request contradicts stored state (e.g. an idempotency key reused with other data)."""


class AuthError(OtklikError):
    """Credentials are missing or wrong."""


class RateLimited(OtklikError):
    """Too many attempts; `retry_after` is in seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
