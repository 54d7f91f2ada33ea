"""Make's custom-app connection endpoints, under ``/api/v2/sdk/apps``.

Apps exist implicitly: any well-formed app name has a (possibly empty) list of connections; a malformed one is
404. Connection names are generated as Make does (``my-app``, ``my-app2``, ``my-app3`` …, never reused); the type
reads back normalized (``basic`` or ``oauth``); sections are JSONC text, pre-filled with commented templates.

Sections: ``GET`` answers the stored text as ``application/jsonc`` (the content type Make's own TypeScript SDK
expects and takes care not to parse as JSON); ``EmulatorSettings.make_section_format`` can make it ``text/plain``
or a JSON string instead. ``PUT`` takes a JSON body (stored pretty-printed) or, with ``Content-Type:
application/jsonc`` (or ``text/plain``), JSONC text (stored as sent, comments kept), and answers
``{"change": {}}`` as Make's SDK mocks show for sections.

Deletion is asynchronous on Make: with ``make_delete_delay_ms`` a deleted connection stays visible that long.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import json5
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import auth
from .errors import json_response, make_bad_request, make_not_found
from .make_templates import CONNECTION_TYPES, initial_sections
from .runtime import Emulator, Refused, guarded, mark_create_committed, routes
from .settings import EmulatorSettings
from .state import EmulatorState, MakeAppRecord, MakeConnectionRecord

MAKE_PREFIX = "/api/v2"

APP_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]{1,127}")
OAUTH_TYPES = ("oauth", "oauth-refresh", "oauth-resowncre", "oauth-clicre", "oauth-1")
ARRAY_SECTIONS = ("parameters", "scope", "installSpec")
OBJECT_SECTIONS = ("api", "scopes", "install")
SECTIONS = OBJECT_SECTIONS + ARRAY_SECTIONS
JSONC_CONTENT_TYPES = ("application/jsonc", "application/json5", "text/plain")
UPDATABLE_FIELDS = ("label", "connectedSystemName")


def normalized_type(requested_type: str) -> str:
    return "oauth" if requested_type in OAUTH_TYPES else "basic"


def connection_body(connection: MakeConnectionRecord) -> dict[str, Any]:
    body: dict[str, Any] = {"name": connection.name, "label": connection.label, "type": connection.type}
    if connection.connected_system_name is not None:
        body["connectedSystemName"] = connection.connected_system_name
    return body


def _visible_connection(state: EmulatorState, name: str) -> MakeConnectionRecord | None:
    connection = state.make.connections.get(name)
    if connection is None or not connection.visible(time.time()):
        return None
    return connection


def _connection_not_found(name: str) -> Response:
    return make_not_found(f"Connection '{name}' not found.")


def _next_connection_name(state: EmulatorState, app: MakeAppRecord) -> str:
    while True:
        app.connections_created += 1
        count = app.connections_created
        name = app.name if count == 1 else f"{app.name}{count}"
        if name not in state.make.connections:
            return name


def known_app(request: Request, settings: EmulatorSettings) -> Response | None:
    """Route check: any well-formed app name is an app (possibly without connections); another is 404."""
    app_name = request.path_params["app"]
    if APP_NAME_PATTERN.fullmatch(app_name) is None:
        return make_not_found(f"App '{app_name}' not found.")
    return None


def known_section(request: Request, settings: EmulatorSettings) -> Response | None:
    """Route check: the path names one of the ``SECTIONS``."""
    section = request.path_params["section"]
    if section not in SECTIONS:
        return make_not_found(f"Section '{section}' not found. Available sections: {', '.join(SECTIONS)}.")
    return None


def _connection(state: EmulatorState, name: str) -> MakeConnectionRecord:
    """The visible connection `name`; else `Refused` with Make's 404."""
    connection = _visible_connection(state, name)
    if connection is None:
        raise Refused(_connection_not_found(name))
    return connection


async def _object_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; else `Refused` with Make's 400."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise Refused(make_bad_request("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise Refused(make_bad_request("The request body must be a JSON object."))
    return body


async def list_connections(request: Request, emulator: Emulator) -> Response:
    app_name = request.path_params["app"]
    now = time.time()
    async with emulator.store.reading() as state:
        connections = sorted(
            (c for c in state.make.connections.values() if c.app == app_name and c.visible(now)),
            key=lambda c: c.seq,
        )
        body = {"appConnections": [connection_body(c) for c in connections]}
    return json_response(body)


async def create_connection(request: Request, emulator: Emulator) -> Response:
    app_name = request.path_params["app"]
    body = await _object_body(request)
    requested_type = body.get("type")
    if requested_type is None:
        return make_bad_request("Missing value of required parameter 'type'.")
    if requested_type not in CONNECTION_TYPES:
        return make_bad_request("Value not found in options in parameter 'type'")
    label = body.get("label", "")
    if not isinstance(label, str):
        return make_bad_request("Parameter 'label' must be a string.")
    async with emulator.store.mutating() as state:
        app = state.make.apps.setdefault(app_name, MakeAppRecord(name=app_name))
        connection = MakeConnectionRecord(
            seq=state.next_seq(),
            name=_next_connection_name(state, app),
            app=app_name,
            label=label,
            type=normalized_type(requested_type),
            requested_type=requested_type,
            sections=initial_sections(requested_type),
        )
        state.make.connections[connection.name] = connection
        body_out = {"appConnection": connection_body(connection)}
    mark_create_committed(request)
    return json_response(body_out)


async def get_connection(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    async with emulator.store.reading() as state:
        connection = _connection(state, name)
        body = {"appConnection": connection_body(connection)}
    return json_response(body)


async def update_connection(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    body = await _object_body(request)
    unknown = [key for key in body if key not in UPDATABLE_FIELDS]
    if unknown:
        return make_bad_request(
            f"Validation failed for {len(unknown)} parameter(s).",
            [f"Unexpected parameter '{key}'." for key in unknown],
        )
    if "label" in body and (not isinstance(body["label"], str) or not body["label"]):
        return make_bad_request("Parameter 'label' must be a non-empty string.")
    system = body.get("connectedSystemName")
    if system is not None and not isinstance(system, str):
        return make_bad_request("Parameter 'connectedSystemName' must be a string or null.")
    async with emulator.store.mutating() as state:
        connection = _connection(state, name)
        if "label" in body:
            connection.label = body["label"]
        if "connectedSystemName" in body:
            connection.connected_system_name = system
        body_out = {"appConnection": connection_body(connection)}
    return json_response(body_out)


async def delete_connection(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    delay_seconds = emulator.settings.make_delete_delay_ms / 1000.0
    async with emulator.store.mutating() as state:
        connection = _connection(state, name)
        if delay_seconds <= 0:
            del state.make.connections[name]
        elif connection.gone_at is None:
            connection.gone_at = time.time() + delay_seconds
    return json_response({"appConnection": name})


async def recreate_connection(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    async with emulator.store.reading() as state:
        _connection(state, name)
    return json_response({})


async def get_common(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    async with emulator.store.reading() as state:
        connection = _connection(state, name)
        body = dict(connection.common)
    return json_response(body)


async def set_common(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    body = await _object_body(request)
    async with emulator.store.mutating() as state:
        connection = _connection(state, name)
        connection.common = body
    return json_response({"changed": True})


def _section_response(text: str, section_format: str) -> Response:
    if section_format == "json_string":
        return json_response(text)
    media_type = "text/plain" if section_format == "text" else "application/jsonc"
    return Response(text, media_type=media_type)


async def get_section(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    section = request.path_params["section"]
    async with emulator.store.reading() as state:
        connection = _connection(state, name)
        text = connection.sections[section]
    return _section_response(text, emulator.settings.make_section_format)


def _parse_section(raw: bytes, content_type: str) -> tuple[Any, str] | Response:
    """The section's value and the text to store: JSONC kept as sent, JSON pretty-printed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return make_bad_request("The request body must be UTF-8 text.")
    if not text.strip():
        return make_bad_request("The request body is empty.")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in JSONC_CONTENT_TYPES:
        try:
            return json5.loads(text), text
        except ValueError as error:
            return make_bad_request(f"The request body is not valid JSONC: {error}")
    try:
        value = json.loads(text)
    except ValueError as error:
        return make_bad_request(f"The request body is not valid JSON: {error}")
    return value, json.dumps(value, indent=4, ensure_ascii=False) + "\n"


async def set_section(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["name"]
    section = request.path_params["section"]
    parsed = _parse_section(await request.body(), request.headers.get("content-type", "application/json"))
    if isinstance(parsed, Response):
        return parsed
    value, text = parsed
    if section in ARRAY_SECTIONS and not isinstance(value, list):
        return make_bad_request(f"Section '{section}' must be an array.")
    if section in OBJECT_SECTIONS and not isinstance(value, dict):
        return make_bad_request(f"Section '{section}' must be an object.")
    async with emulator.store.mutating() as state:
        connection = _connection(state, name)
        connection.sections[section] = text
    return json_response({"change": {}})


def make_routes() -> list[Route]:
    """Make's credential check in front of every handler, then the app or section check where the path names one."""
    connection = f"{MAKE_PREFIX}/sdk/apps/connections/{{name}}"
    app_connections = f"{MAKE_PREFIX}/sdk/apps/{{app}}/connections"
    authorized = guarded(auth.check_make)
    of_app = guarded(auth.check_make, known_app)
    of_section = guarded(auth.check_make, known_section)
    return [
        *routes(connection, authorized, GET=get_connection, PATCH=update_connection, DELETE=delete_connection),
        *routes(f"{connection}/recreate", authorized, POST=recreate_connection),
        *routes(f"{connection}/common", authorized, GET=get_common, PUT=set_common),
        *routes(f"{connection}/{{section}}", of_section, GET=get_section, PUT=set_section),
        *routes(app_connections, of_app, GET=list_connections, POST=create_connection),
    ]
