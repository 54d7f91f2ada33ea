"""What both API clients share: a lazily created, thread-safe httpx client with retries and typed errors."""

from __future__ import annotations

import email.utils
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import httpx
from typing_extensions import Self

from ._numbers import whole_numbers
from ._version import __version__
from .errors import ApiError, ConflictError, NotFoundError, RateLimitedError, TransportError

log = logging.getLogger("zis_pulumi.http")

USER_AGENT = f"zis-pulumi/{__version__}"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRYABLE_SERVER_STATUSES = frozenset({502, 503, 504})
AMBIGUOUS_STATUSES = frozenset({500, 502, 503, 504})
"""Statuses after which a create may or may not have happened."""


def may_have_happened(exc: Exception) -> bool:
    """True when a failed POST may have created its object all the same (look before posting again)."""
    if isinstance(exc, TransportError):
        return True  # the client already retried refused connections; what is left may have reached the server
    return isinstance(exc, ApiError) and exc.status in AMBIGUOUS_STATUSES


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        return default


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. 429 is always retried; 502/503/504 and lost connections only when safe.

    Defaults can be changed with ZIS_PULUMI_RETRY_MAX_ATTEMPTS and ZIS_PULUMI_RETRY_MAX_SECONDS.
    """

    max_attempts: int = 8
    max_total_seconds: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 20.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        return cls(
            max_attempts=max(1, int(_env_number("ZIS_PULUMI_RETRY_MAX_ATTEMPTS", cls.max_attempts))),
            max_total_seconds=_env_number("ZIS_PULUMI_RETRY_MAX_SECONDS", cls.max_total_seconds),
        )

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, for answers that do not say how long to wait."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date), or None."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _json_or_text(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(t for t in (_as_text(v) for v in value) if t)
    if isinstance(value, dict):
        return _as_text(value.get("message") or value.get("detail") or value.get("title"))
    return str(value)


@dataclass
class ParsedError:
    message: str
    code: str | None = None
    details: list[str] = field(default_factory=list)


def parse_error_body(body: Any, fallback: str) -> ParsedError:
    """Read every error shape the vendors use.

    Zendesk: `{"errors":[{"code","detail"|"title","status"}],"message"}`, `{"message"}` or a bare string.
    Make: `{"message","detail"(str or list),"code","suberrors":[{"message"}]}`.
    """
    if isinstance(body, str) and body.strip():
        text = body.strip()
        return ParsedError(message=text if len(text) <= 500 else text[:500] + "…")
    if not isinstance(body, dict):
        return ParsedError(message=fallback)
    details: list[str] = []
    code = body.get("code")
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                item_text = _as_text(item.get("detail")) or _as_text(item.get("title"))
                if item_text:
                    details.append(item_text)
                if code is None and item.get("code") is not None:
                    code = item.get("code")
            elif isinstance(item, str):
                details.append(item)
    detail = _as_text(body.get("detail"))
    if detail:
        details.append(detail)
    suberrors = body.get("suberrors")
    if isinstance(suberrors, list):
        details.extend(t for t in (_as_text(s) for s in suberrors) if t)
    message = _as_text(body.get("message")) or _as_text(body.get("error")) or (details[0] if details else None)
    return ParsedError(message=message or fallback, code=None if code is None else str(code), details=details)


class HasBaseUrl(Protocol):
    @property
    def base_url(self) -> str: ...


SettingsT = TypeVar("SettingsT", bound=HasBaseUrl)


class ApiClient(Generic[SettingsT]):
    """Base of the two vendor clients, built from that vendor's settings (base URL and credentials).

    The httpx client is created on first use under a lock and is never pickled; one instance serves the
    dynamic provider's four worker threads at once.
    """

    vendor: ClassVar[str] = "API"

    def __init__(
        self,
        settings: SettingsT,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self.base_url = settings.base_url.rstrip("/")
        self.retry = retry or RetryPolicy.from_env()
        self._timeout = httpx.Timeout(timeout, connect=10.0)
        self._transport = transport
        self._sleep = sleep
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError(f"{type(self).__name__} holds credentials and connections; it must not be pickled")

    @property
    def http(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self._lock:
                client = self._client
                if client is None:
                    client = httpx.Client(
                        timeout=self._timeout,
                        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                        transport=self._transport,
                        limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
                        follow_redirects=False,
                    )
                    self._client = client
        return client

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        auth_header: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one logical request, retrying what is safe to retry; raise a typed error otherwise.

        `idempotent` says whether repeating the request is harmless (defaults by method: GET, PUT and
        DELETE are, POST and PATCH are not unless the caller knows better). The `json` body goes out with
        whole numbers as integers (see `_numbers`): every number reached the provider as a double.
        """
        method = method.upper()
        json = whole_numbers(json)
        url = self.url(path)
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        headers = {"Authorization": auth_header}
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.http.request(method, url, params=params, json=json, headers=headers)
            except httpx.TransportError as exc:
                # A refused connection never reached the server, so even a POST can be sent again.
                retryable = safe or isinstance(exc, httpx.ConnectError)
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                wait = self.retry.backoff(attempt)
                if not retryable or not self._may_retry(attempt, started, wait):
                    raise TransportError(method, self._display_url(url, params), reason, attempt) from None
                log.debug("retrying %s %s after %s; waiting %.2fs (attempt %d)", method, url, reason, wait, attempt)
                self._sleep(wait)
                continue

            status = response.status_code
            if status < 400:
                return response
            if status == 429:
                hinted = retry_after_seconds(response)
                wait = self.retry.backoff(attempt) if hinted is None else hinted
                if self._may_retry(attempt, started, wait):
                    log.debug("retrying %s %s after 429; waiting %.2fs (attempt %d)", method, url, wait, attempt)
                    self._sleep(wait)
                    continue
            elif status in RETRYABLE_SERVER_STATUSES and safe:
                hinted = retry_after_seconds(response)
                wait = self.retry.backoff(attempt) if hinted is None else hinted
                if self._may_retry(attempt, started, wait):
                    log.debug("retrying %s %s after %d; waiting %.2fs (attempt %d)", method, url, status, wait, attempt)
                    self._sleep(wait)
                    continue
            raise self.error_for(response, method, self._display_url(url, params))

    def _may_retry(self, attempt: int, started: float, wait: float) -> bool:
        if attempt >= self.retry.max_attempts:
            return False
        return (time.monotonic() - started) + wait <= self.retry.max_total_seconds

    @staticmethod
    def _display_url(url: str, params: Mapping[str, Any] | None) -> str:
        if not params:
            return url
        return str(httpx.URL(url, params={k: str(v) for k, v in params.items()}))

    def decode(self, response: httpx.Response, method: str, path: str) -> Any:
        """The JSON body (None when empty or `null`); a body that is not JSON is a typed error."""
        if not response.content or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise self.malformed(response, method, path, "the body is not JSON") from None

    def malformed(self, response: httpx.Response, method: str, path: str, why: str) -> ApiError:
        return ApiError(
            vendor=self.vendor,
            status=response.status_code,
            method=method,
            url=self.url(path),
            message=f"unexpected response: {why}",
        )

    def error_for(self, response: httpx.Response, method: str, url: str) -> ApiError:
        body = _json_or_text(response)
        parsed = parse_error_body(body, response.reason_phrase or f"HTTP {response.status_code}")
        kind: type[ApiError] = ApiError
        if response.status_code == 404:
            kind = NotFoundError
        elif response.status_code == 409:
            kind = ConflictError
        elif response.status_code == 429:
            kind = RateLimitedError
        return kind(
            vendor=self.vendor,
            status=response.status_code,
            method=method,
            url=url,
            message=parsed.message,
            code=parsed.code,
            details=parsed.details,
            body=body,
        )
