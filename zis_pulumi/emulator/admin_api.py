"""The emulator's own endpoints, under ``/_emulator/``: no auth, never counted, never faulted.

- ``GET /_emulator/health`` → ``{"ok": true}``
- ``GET /_emulator/state`` → the whole state (secrets in clear)
- ``GET /_emulator/requests[?log=1]`` → request counts (and the recent requests)
- ``POST /_emulator/reset`` → clear state and counters; body ``{"counters_only": true}`` clears the counters only,
  ``{"settings": true}`` also restores the settings the emulator started with
- ``GET /_emulator/settings``, ``PUT /_emulator/settings`` (partial update, ``faults`` merged key by key)
- ``POST /_emulator/zis/{integration}/oauth_connections`` → seed an OAuth connection (the API cannot create one)
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import json_response
from .ids import new_uuid
from .runtime import emulator_of
from .zis_api import add_connection, connection_body, connection_name_problem, valid_integration

ADMIN_PREFIX = "/_emulator"

OAUTH_FIELDS = (
    "allowed_domain",
    "access_token",
    "refresh_token",
    "oauth_access_token_response_body",
    "oauth_url_subdomain",
    "permission_scope",
    "token_expiry",
    "token_type",
    "created_by",
)


def _admin_error(status: int, message: str, **extra: Any) -> Response:
    return json_response({"error": message, **extra}, status)


async def _optional_object(request: Request) -> dict[str, Any] | Response:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return _admin_error(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        return _admin_error(400, "the body must be a JSON object")
    return body


async def health(request: Request) -> Response:
    return json_response({"ok": True})


async def get_state(request: Request) -> Response:
    emulator = emulator_of(request)
    async with emulator.store.reading() as state:
        body = state.model_dump(mode="json")
    return json_response(body)


async def get_requests(request: Request) -> Response:
    include_log = request.query_params.get("log", "") not in ("", "0", "false")
    return json_response(emulator_of(request).requests.snapshot(include_log))


async def reset(request: Request) -> Response:
    emulator = emulator_of(request)
    body = await _optional_object(request)
    if isinstance(body, Response):
        return body
    counters_only = bool(body.get("counters_only", False))
    restore_settings = bool(body.get("settings", False))
    if not counters_only:
        await emulator.store.reset()
    if restore_settings:
        emulator.restore_initial_settings()
    emulator.requests.clear()
    emulator.faults.reset()
    return json_response({"state": not counters_only, "counters": True, "settings": restore_settings})


async def get_settings(request: Request) -> Response:
    return json_response(emulator_of(request).settings.model_dump(mode="json"))


async def put_settings(request: Request) -> Response:
    emulator = emulator_of(request)
    body = await _optional_object(request)
    if isinstance(body, Response):
        return body
    try:
        settings = emulator.update_settings(body)
    except ValidationError as error:
        return _admin_error(400, "invalid settings", details=json.loads(error.json(include_url=False)))
    return json_response(settings.model_dump(mode="json"))


async def seed_oauth_connection(request: Request) -> Response:
    """Body: ``name`` (required) and any of ``OAUTH_FIELDS``; answers 201 with the connection as the API lists it."""
    emulator = emulator_of(request)
    integration = request.path_params["integration"]
    if not valid_integration(integration):
        return _admin_error(400, "invalid integration name")
    body = await _optional_object(request)
    if isinstance(body, Response):
        return body
    problem = connection_name_problem(body.get("name"))
    if problem is not None:
        return _admin_error(400, problem)
    unknown = sorted(set(body) - {"name", *OAUTH_FIELDS})
    if unknown:
        return _admin_error(400, f"unknown fields: {', '.join(unknown)}")
    fields: dict[str, Any] = {
        "access_token": "",
        "refresh_token": "",
        "oauth_access_token_response_body": "",
        "token_type": "bearer",
        **{key: body[key] for key in OAUTH_FIELDS if key in body},
        "uuid": new_uuid(),
    }
    if isinstance(fields["oauth_access_token_response_body"], dict):
        fields["oauth_access_token_response_body"] = json.dumps(fields["oauth_access_token_response_body"])
    async with emulator.store.mutating() as state:
        connection = add_connection(state, integration, "oauth", body["name"], fields)
        if connection is None:
            return _admin_error(409, f"a connection named {body['name']!r} already exists")
        body_out = connection_body(connection)
    return json_response(body_out, 201)


def admin_routes() -> list[Route]:
    return [
        Route(f"{ADMIN_PREFIX}/health", health, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/state", get_state, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/requests", get_requests, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{ADMIN_PREFIX}/settings", get_settings, methods=["GET"]),
        Route(f"{ADMIN_PREFIX}/settings", put_settings, methods=["PUT"]),
        Route(f"{ADMIN_PREFIX}/zis/{{integration}}/oauth_connections", seed_oauth_connection, methods=["POST"]),
    ]
