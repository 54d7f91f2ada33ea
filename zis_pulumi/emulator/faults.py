"""Injected faults: latency, rate limits, gateway errors and lost responses.

Faults apply to API requests only (never to ``/_emulator/`` admin requests) and only to the vendors that
``Faults.scope`` selects. Every decision draws from one ``random.Random`` seeded with ``Faults.seed``, and only
when the probability in question is above zero, so a seeded run with the same requests in the same order makes
the same decisions.

Lost responses concern successful creates (bundle upload, link POST, job spec install, ZIS connection create,
Make connection create): the change is committed, then the answer is dropped. How it is dropped is described in
``zis_pulumi.emulator.app``.
"""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import HTMLResponse, JSONResponse, Response

from .errors import make_error, zis_error

Vendor = Literal["zendesk", "make"]
FaultScope = Literal["all", "zendesk", "make"]
ServerErrorBody = Literal["random", "vendor", "html"]

_GATEWAY_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class Faults(BaseModel):
    """What goes wrong, and how often. All off by default."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: float = Field(default=0, ge=0, description="Added to every API request (asyncio.sleep).")
    rate_limit_every: int = Field(default=0, ge=0, description="Every Nth API request gets a 429; 0 is off.")
    rate_limit_probability: float = Field(default=0, ge=0, le=1, description="Chance of a 429 per request.")
    retry_after_seconds: int = Field(default=1, ge=0, description="Zendesk's Retry-After on 429s (Make sends none).")
    server_error_probability: float = Field(default=0, ge=0, le=1, description="Chance of a 5xx per request.")
    server_error_statuses: list[int] = Field(default_factory=lambda: [502, 503, 504])
    server_error_body: ServerErrorBody = Field(
        default="random", description="5xx body: the vendor's JSON, an HTML gateway page, or either at random."
    )
    lost_response_probability: float = Field(default=0, ge=0, le=1, description="Chance a create's answer is lost.")
    lost_response_every: int = Field(default=0, ge=0, description="Every Nth successful create loses its answer.")
    seed: int | None = Field(default=None, description="Makes the random decisions repeatable.")
    scope: FaultScope = Field(default="all", description="Which vendor's API the faults and latency apply to.")

    @field_validator("server_error_statuses")
    @classmethod
    def _server_error_statuses_are_5xx(cls, statuses: list[int]) -> list[int]:
        if not statuses or any(not 500 <= status <= 599 for status in statuses):
            raise ValueError("server_error_statuses must be a non-empty list of 5xx statuses")
        return statuses

    def applies_to(self, vendor: Vendor) -> bool:
        return self.scope in ("all", vendor)


class FaultInjector:
    """Decides, request by request, which fault (if any) happens. Used from the event loop only."""

    def __init__(self, faults: Faults) -> None:
        self._faults = faults
        self._rng = random.Random(faults.seed)
        self._requests_in_scope = 0
        self._successful_creates = 0

    @property
    def faults(self) -> Faults:
        return self._faults

    def configure(self, faults: Faults, *, reseed: bool) -> None:
        self._faults = faults
        if reseed:
            self._rng = random.Random(faults.seed)

    def reset(self) -> None:
        """Forget the request counts (for ``every N``) and restart the random sequence from the seed."""
        self._requests_in_scope = 0
        self._successful_creates = 0
        self._rng = random.Random(self._faults.seed)

    def latency_seconds(self, vendor: Vendor) -> float:
        if not self._faults.applies_to(vendor):
            return 0.0
        return self._faults.latency_ms / 1000.0

    def fault_response(self, vendor: Vendor) -> Response | None:
        """A 429 or 5xx to answer instead of handling the request, or None to handle it."""
        faults = self._faults
        if not faults.applies_to(vendor):
            return None
        self._requests_in_scope += 1
        if faults.rate_limit_every and self._requests_in_scope % faults.rate_limit_every == 0:
            return self._rate_limited(vendor)
        if faults.rate_limit_probability and self._rng.random() < faults.rate_limit_probability:
            return self._rate_limited(vendor)
        if faults.server_error_probability and self._rng.random() < faults.server_error_probability:
            return self._server_error(vendor)
        return None

    def lose_response(self, vendor: Vendor) -> bool:
        """Called once per successful create: True when its answer must be lost."""
        faults = self._faults
        if not faults.applies_to(vendor):
            return False
        self._successful_creates += 1
        if faults.lost_response_every and self._successful_creates % faults.lost_response_every == 0:
            return True
        return bool(faults.lost_response_probability) and self._rng.random() < faults.lost_response_probability

    def _rate_limited(self, vendor: Vendor) -> Response:
        if vendor == "make":
            return make_error(
                429,
                "Requests limit for organization exceeded",
                "Requests limit for organization exceeded, please try again later.",
            )
        body = {"errors": [{"code": "TooManyRequests", "title": "Too many requests"}]}
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(self._faults.retry_after_seconds)})

    def _server_error(self, vendor: Vendor) -> Response:
        status = self._rng.choice(self._faults.server_error_statuses)
        style = self._faults.server_error_body
        if style == "random":
            style = self._rng.choice(["vendor", "html"])
        if style == "html":
            return gateway_page(status)
        reason = _GATEWAY_REASONS.get(status, "Server Error")
        if vendor == "make":
            return make_error(status, reason, "The service is temporarily unavailable.")
        return zis_error(status, "1050", "The service is temporarily unavailable.", "Server Error")


def gateway_page(status: int) -> Response:
    """The HTML page a load balancer answers with when the service behind it fails."""
    reason = _GATEWAY_REASONS.get(status, "Server Error")
    page = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return HTMLResponse(page, status_code=status)
