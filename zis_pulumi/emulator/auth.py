"""Who may call what, and the vendors' answers to those who may not.

ZIS accepts a basic ``{email}/token:{api_token}`` credential or a ZIS OAuth bearer token, depending on the endpoint
group; Make accepts ``Authorization: Token <API token>`` or ``Authorization: Bearer <OAuth access token>`` and
blocks default library user agents.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from .errors import (
    ZIS_UNAUTHORIZED,
    connections_error,
    json_response,
    make_error,
    zis_error,
    zis_message,
)
from .settings import EmulatorSettings

ZendeskCredential = Literal["basic", "bearer", "invalid", "missing"]

BLOCKED_USER_AGENT_PREFIXES = ("python-requests", "python-httpx", "python-urllib")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def zendesk_credential(request: Request, settings: EmulatorSettings) -> ZendeskCredential:
    """Which valid credential the request carries, if any."""
    header = request.headers.get("authorization", "")
    if not header:
        return "missing"
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return "bearer" if _same(value, settings.oauth_token) else "invalid"
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "invalid"
        user, _, password = decoded.partition(":")
        if _same(user, f"{settings.email}/token") and _same(password, settings.api_token):
            return "basic"
        return "invalid"
    return "invalid"


def _registry_unauthorized() -> Response:
    return zis_error(401, ZIS_UNAUTHORIZED, "Couldn't authenticate you", "Unauthorized")


def check_bundle_upload(request: Request, settings: EmulatorSettings) -> Response | None:
    """Bundle upload: basic API token only."""
    credential = zendesk_credential(request, settings)
    if credential == "basic":
        return None
    if credential == "bearer":
        return zis_message(401, "OAuth being disabled for this API request")
    return _registry_unauthorized()


def check_registry(request: Request, settings: EmulatorSettings) -> Response | None:
    """Bundle list/show/delete and job specs: basic API token or bearer."""
    if zendesk_credential(request, settings) in ("basic", "bearer"):
        return None
    return _registry_unauthorized()


def _bearer_only(
    request: Request, settings: EmulatorSettings, unauthenticated: Callable[[ZendeskCredential], Response]
) -> Response | None:
    """Bearer only: an API token is refused with 403; a missing or invalid credential gets the group's 401."""
    credential = zendesk_credential(request, settings)
    if credential == "bearer":
        return None
    if credential == "basic":
        return zis_message(403, "API token is not supported")
    return unauthenticated(credential)


def check_links(request: Request, settings: EmulatorSettings) -> Response | None:
    """Links: bearer only; their 401 body is the bare JSON string ``"Authentication failed"``."""
    return _bearer_only(request, settings, lambda credential: json_response("Authentication failed", 401))


def _connections_unauthenticated(credential: ZendeskCredential) -> Response:
    title = "Token length is invalid" if credential == "invalid" else "No credentials provided"
    return connections_error(401, "InvalidCredentials", title)


def check_connections(request: Request, settings: EmulatorSettings) -> Response | None:
    """Connections: bearer only; their 401 body is the one on the connections reference page."""
    return _bearer_only(request, settings, _connections_unauthenticated)


def check_make(request: Request, settings: EmulatorSettings) -> Response | None:
    """Make: an explicit User-Agent, then ``Token <API token>`` or ``Bearer <OAuth access token>``.

    Both credentials are Make's: "The Make API requires authentication of the API requests with your API tokens or
    your OAuth 2.0 connection" (https://developers.make.com/api-documentation/authentication); the API token goes in
    ``Authorization: Token …`` (every SDK-app connection page, make-sdk-app-connections seed), the OAuth access token
    as ``Bearer …``, which is how Make's TypeScript SDK (@makehq/sdk 1.6.10, ``prepareHeaders``) sends any token that
    is not a UUID. Each credential is accepted with its own scheme only; any other, or none, is a 401 in Make's error
    shape (``detail``/``message``/``code: SC401``, https://developers.make.com/api-documentation/troubleshooting/
    http-status-codes).
    """
    user_agent = request.headers.get("user-agent", "").strip()
    if not user_agent or user_agent.lower().startswith(BLOCKED_USER_AGENT_PREFIXES):
        return make_error(
            403,
            "Forbidden",
            "Requests with a default HTTP library User-Agent are blocked; send an explicit User-Agent header.",
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    expected = {"token": settings.make_token, "bearer": settings.make_oauth_token}.get(scheme.lower())
    if expected and token and _same(token, expected):
        return None
    if not scheme:
        return make_error(401, "Unauthorized", "Access denied: missing Authorization header.")
    return make_error(401, "Unauthorized", "Access denied: invalid token.")
