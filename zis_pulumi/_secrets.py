"""Keeping secret values out of errors: a vendor may echo a request body, secrets included, in its answer.

A resource wraps each provider method that sends a secret value in `scrubbed(…)`; an error whose message (or
whose chain) quotes one of those values leaves it as a copy with the value replaced.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._unknowns import is_unknown
from .errors import ApiError, TransportError, ZisPulumiError

__all__ = ["SECRET", "scrubbed"]

SECRET = "[secret]"
"""What stands in an error where a secret value was."""


def _secret_strings(*values: Any) -> list[str]:
    """Every string in the given secret values, longest first (so no secret is half-replaced)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value and not is_unknown(value):
                found.add(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(list(values))
    return sorted(found, key=len, reverse=True)


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, SECRET)
    return text


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _redacted_copy(exc: Exception, secrets: Sequence[str]) -> Exception:
    if isinstance(exc, ApiError):
        return type(exc)(
            vendor=exc.vendor,
            status=exc.status,
            method=exc.method,
            url=_redact(exc.url, secrets),
            message=_redact(exc.message, secrets),
            code=exc.code,
            details=[_redact(detail, secrets) for detail in exc.details],
        )
    if isinstance(exc, TransportError):
        return TransportError(exc.method, _redact(exc.url, secrets), _redact(exc.reason, secrets), exc.attempts)
    return ZisPulumiError(_redact(str(exc), secrets))


@contextlib.contextmanager
def scrubbed(*values: Any) -> Iterator[None]:
    """Let no error out that quotes one of these secret values (a vendor may echo a request body back).

    The provider process prints tracebacks, chained exceptions included, so a chain that mentions a
    secret is cut as well.
    """
    secrets = _secret_strings(*values)
    try:
        yield
    except Exception as exc:
        if not secrets:
            raise
        if any(secret in str(exc) for secret in secrets):
            raise _redacted_copy(exc, secrets) from None
        if any(secret in str(link) for link in _chain(exc) for secret in secrets):
            raise exc from None
        raise
