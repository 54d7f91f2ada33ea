"""The exceptions zis-pulumi raises; users catch these around the Automation API or in tests.

Every message names the request that failed (method and URL) and the vendor's own message, and never
carries a credential: URLs built by the clients hold no token, and headers are never quoted.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "ConfigurationError",
    "ConflictError",
    "InvalidInputError",
    "NotFoundError",
    "RateLimitedError",
    "TransportError",
    "ZisPulumiError",
]


class ZisPulumiError(Exception):
    """Root of every error zis-pulumi raises on purpose."""


class ConfigurationError(ZisPulumiError):
    """A setting or credential is missing or malformed (names the config key and the env var)."""


class InvalidInputError(ZisPulumiError, ValueError):
    """A value given in a program (outside a resource's check) cannot be used; says which and what is allowed.

    Also a ValueError, which is what these paths raised before.
    """


class TransportError(ZisPulumiError):
    """The request never got an HTTP answer (connection refused, reset, timed out), retries included."""

    def __init__(self, method: str, url: str, reason: str, attempts: int = 1) -> None:
        self.method = method
        self.url = url
        self.reason = reason
        self.attempts = attempts
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{method} {url} failed{tries}: {reason}")


class ApiError(ZisPulumiError):
    """The API answered with an error status.

    `message` is the vendor's own text, `code` its error code when it sends one, `details` any further
    lines (Zendesk `errors[].detail`, Make `detail`/`suberrors`).
    """

    def __init__(
        self,
        *,
        vendor: str,
        status: int,
        method: str,
        url: str,
        message: str,
        code: str | None = None,
        details: list[str] | None = None,
        body: Any = None,
    ) -> None:
        self.vendor = vendor
        self.status = status
        self.method = method
        self.url = url
        self.message = message
        self.code = code
        self.details = details or []
        self.body = body
        super().__init__(self._render())

    def with_detail(self, detail: str) -> ApiError:
        """The same error with one more line of detail: what the user can do about it."""
        same = {key: getattr(self, key) for key in ("vendor", "status", "method", "url", "message", "code", "body")}
        return type(self)(**same, details=[*self.details, detail])

    def _render(self) -> str:
        code = f" (code {self.code})" if self.code else ""
        extra = [d for d in self.details if d and d != self.message]
        tail = f": {'; '.join(extra)}" if extra else ""
        return f"{self.vendor} API error {self.status}{code} on {self.method} {self.url}: {self.message}{tail}"


class NotFoundError(ApiError):
    """404: the object is not there (callers treat it as gone)."""


class ConflictError(ApiError):
    """The object already exists (409, or a 422 that says so)."""


class RateLimitedError(ApiError):
    """429 still answered after every retry the policy allowed."""
