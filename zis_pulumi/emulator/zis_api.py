"""The ZIS endpoints, under ``/api/services/zis``: registry (bundles, job specs), links and connections.

Behaviour beyond the reference pages, as reported by users of the live API, is emulated: uploading a bundle
leaves every job spec of its integration uninstalled; bundle upload refuses OAuth; links and connections refuse
API tokens. Where the live behaviour is unknown, ``EmulatorSettings`` switches choose it (``job_spec_reinstall``,
``link_duplicate``, ``bundle_upload_body``).

Beyond the contract, a connection can also be read (``GET …/connections/{name}``) and deleted
(``DELETE …/connections/{name}``), as on Zendesk's connection pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import auth
from .errors import (
    ZIS_CONFLICT,
    connections_error,
    json_response,
    links_error,
    zis_bad_request,
    zis_error,
    zis_message,
    zis_missing_resource,
)
from .ids import created, new_ulid, new_uuid, timestamp_millis, timestamp_seconds
from .pagination import PageRequest, paginate, paginate_ordered, parse_page_request, refusing_bad_pages
from .runtime import Check, Emulator, Refused, guarded, mark_create_committed, routes
from .settings import EmulatorSettings
from .state import (
    BundleRecord,
    ConnectionKind,
    EmulatorState,
    JobSpecRecord,
    LinkObject,
    LinkRecord,
    ZisConnectionRecord,
)
from .zis_bundles import BundleError, validate_bundle

T = TypeVar("T")

ZIS_PREFIX = "/api/services/zis"

INTEGRATION_PATTERN = re.compile(r"[a-z0-9_-]{1,64}")
INTEGRATION_RULE = (
    "integration can be up to 64 characters long and only include lower-case letters (a-z), numbers, dash (-)"
    " and underscore (_)"
)
JOB_SPEC_NAME_PATTERN = re.compile(r"zis:([a-z0-9_-]{1,64}):job_spec:(.+)")
CONNECTION_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{3,64}")
MASK = "*****"

CREATABLE_CONNECTION_FIELDS: dict[ConnectionKind, tuple[str, ...]] = {
    "api_key": ("api_key", "header_name", "allowed_domain"),
    "basic_auth": ("username", "password", "allowed_domain"),
    "bearer_token": ("token", "allowed_domain"),
}
SECRET_FIELD = {"api_key": "api_key", "basic_auth": "password", "bearer_token": "token"}
CONNECTION_KINDS: tuple[ConnectionKind, ...] = ("api_key", "basic_auth", "bearer_token", "oauth")


class BodyError(ValueError):
    """The request body is not the JSON it must be."""


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise BodyError("a JSON body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise BodyError(f"the body is not valid JSON: {error}") from error


def valid_integration(integration: str) -> bool:
    return INTEGRATION_PATTERN.fullmatch(integration) is not None


def integration_check(refusal: Callable[[str], Response]) -> Check:
    """A route check that the path's ``{integration}`` is well formed; ``refusal`` words the rule in the shape of
    the endpoint group's errors."""

    def check(request: Request, settings: EmulatorSettings) -> Response | None:
        if valid_integration(request.path_params["integration"]):
            return None
        return refusal(INTEGRATION_RULE)

    return check


# ---------------------------------------------------------------------------------------------------------------
# Bundles


def bundle_summary(bundle: BundleRecord, account_id: int) -> dict[str, Any]:
    return {
        "description": bundle.description,
        "integration": bundle.integration,
        "name": bundle.name,
        "uuid": bundle.uuid,
        "zendesk_account_id": account_id,
        "zis_template_version": bundle.zis_template_version,
    }


def _bundle_key(bundle: BundleRecord) -> tuple[Any, ...]:
    return (bundle.seq, bundle.uuid)


async def upload_bundle(request: Request, emulator: Emulator) -> Response:
    integration = request.path_params["integration"]
    try:
        body = await json_body(request)
        declarations = validate_bundle(integration, body)
    except (BodyError, BundleError) as error:
        return zis_bad_request(str(error))

    async with emulator.store.mutating() as state:
        bundle = next(
            (b for b in state.zis.bundles.values() if b.integration == integration and b.name == body["name"]),
            None,
        )
        if bundle is None:
            bundle = BundleRecord(
                seq=state.next_seq(),
                uuid=new_uuid(),
                integration=integration,
                name=body["name"],
                description=body.get("description") or "",
                zis_template_version=body["zis_template_version"],
                resources=body["resources"],
            )
            state.zis.bundles[bundle.uuid] = bundle
        else:
            bundle.description = body.get("description") or ""
            bundle.zis_template_version = body["zis_template_version"]
            bundle.resources = body["resources"]

        job_specs = {js.name: js for js in state.zis.job_specs.values() if js.integration == integration}
        for job_spec in job_specs.values():
            job_spec.installed = False
        declared = {declaration.name for declaration in declarations}
        for job_spec in list(job_specs.values()):
            if job_spec.bundle_uuid == bundle.uuid and job_spec.name not in declared:
                del state.zis.job_specs[job_spec.uuid]
        for declaration in declarations:
            existing = job_specs.get(declaration.name)
            if existing is None:
                existing = JobSpecRecord(
                    seq=state.next_seq(),
                    uuid=new_uuid(),
                    integration=integration,
                    name=declaration.name,
                    description=declaration.description,
                    event_source=declaration.event_source,
                    event_type=declaration.event_type,
                    flow_name=declaration.flow_name,
                    bundle_uuid=bundle.uuid,
                )
                state.zis.job_specs[existing.uuid] = existing
            else:
                existing.description = declaration.description
                existing.event_source = declaration.event_source
                existing.event_type = declaration.event_type
                existing.flow_name = declaration.flow_name
                existing.bundle_uuid = bundle.uuid
    mark_create_committed(request)
    if emulator.settings.bundle_upload_body == "empty":
        return Response(status_code=200)
    return json_response(None)


async def list_bundles(request: Request, emulator: Emulator) -> Response:
    integration = request.path_params["integration"]
    account_id = emulator.settings.zendesk_account_id
    with refusing_bad_pages(zis_bad_request):
        page = parse_page_request(request.query_params)
        async with emulator.store.reading() as state:
            bundles = [b for b in state.zis.bundles.values() if b.integration == integration]
            selected, meta = paginate(bundles, _bundle_key, page)
            body = {"bundles": [bundle_summary(b, account_id) for b in selected], "meta": meta}
    return json_response(body)


def _find_bundle(state: EmulatorState, request: Request) -> BundleRecord:
    """The bundle the path names; else `Refused` with the registry's 404."""
    uuid = request.path_params["uuid"]
    bundle = state.zis.bundles.get(uuid)
    if bundle is None or bundle.integration != request.path_params["integration"]:
        raise Refused(zis_missing_resource(f"bundle {uuid} not found"))
    return bundle


async def show_bundle(request: Request, emulator: Emulator) -> Response:
    async with emulator.store.reading() as state:
        bundle = _find_bundle(state, request)
        body = bundle_summary(bundle, emulator.settings.zendesk_account_id)
        body["resources"] = bundle.resources
    return json_response(dict(sorted(body.items())))


async def delete_bundle(request: Request, emulator: Emulator) -> Response:
    async with emulator.store.mutating() as state:
        bundle = _find_bundle(state, request)
        del state.zis.bundles[bundle.uuid]
        for job_spec in [js for js in state.zis.job_specs.values() if js.bundle_uuid == bundle.uuid]:
            del state.zis.job_specs[job_spec.uuid]
    return Response(status_code=204)


# ---------------------------------------------------------------------------------------------------------------
# Job specs


def job_spec_body(job_spec: JobSpecRecord) -> dict[str, Any]:
    return {
        "description": job_spec.description,
        "event_source": job_spec.event_source,
        "event_type": job_spec.event_type,
        "flow_name": job_spec.flow_name,
        "installed": job_spec.installed,
        "integration": job_spec.integration,
        "name": job_spec.name,
        "uuid": job_spec.uuid,
    }


def _find_job_spec(state: EmulatorState, qualified_name: str) -> JobSpecRecord | None:
    """The job spec a fully qualified ``zis:{integration}:job_spec:{name}`` names; short names name none."""
    match = JOB_SPEC_NAME_PATTERN.fullmatch(qualified_name)
    if match is None:
        return None
    integration, name = match.groups()
    return next((js for js in state.zis.job_specs.values() if js.integration == integration and js.name == name), None)


def _invalid_job_spec(name: str) -> Response:
    return zis_message(400, f"one or more requested job specs is invalid: {name}")


async def install_job_spec(request: Request, emulator: Emulator) -> Response:
    return await _set_installed(request, emulator, installed=True)


async def uninstall_job_spec(request: Request, emulator: Emulator) -> Response:
    return await _set_installed(request, emulator, installed=False)


async def _set_installed(request: Request, emulator: Emulator, *, installed: bool) -> Response:
    """Install (200; 409 on a second install when so configured) or uninstall (204; 404 when not installed)."""
    name = request.query_params.get("job_spec_name", "")
    if not name:
        return zis_bad_request("job_spec_name is required")
    async with emulator.store.mutating() as state:
        job_spec = _find_job_spec(state, name)
        if job_spec is None:
            return _invalid_job_spec(name)
        if installed and job_spec.installed and emulator.settings.job_spec_reinstall == "conflict":
            return zis_error(409, ZIS_CONFLICT, f"job spec {name} is already installed")
        if not installed and not job_spec.installed:
            return zis_missing_resource(f"job spec {name} is not installed")
        job_spec.installed = installed
    if not installed:
        return Response(status_code=204)
    mark_create_committed(request)
    return Response(status_code=200)


async def list_job_specs(request: Request, emulator: Emulator) -> Response:
    integration = request.path_params["integration"]
    with refusing_bad_pages(zis_bad_request):
        page = parse_page_request(request.query_params)
        async with emulator.store.reading() as state:
            job_specs = [js for js in state.zis.job_specs.values() if js.integration == integration]
            selected, meta = paginate(job_specs, lambda js: (js.seq, js.uuid), page)
            body = {"job_specs": [job_spec_body(js) for js in selected], "meta": meta}
    return json_response(body)


# ---------------------------------------------------------------------------------------------------------------
# Links


def name_attrs(name: str) -> dict[str, str]:
    """``zendesk:ticket1`` → ``{"zendesk": "ticket1"}`` (split at the first colon); a name without one → ``{}``."""
    if ":" not in name:
        return {}
    prefix, _, rest = name.partition(":")
    return {prefix: rest}


def link_object_body(link_object: LinkObject) -> dict[str, Any]:
    return {"metadata": link_object.metadata, "name": link_object.name, "name_attrs": name_attrs(link_object.name)}


def link_body(link: LinkRecord, account_id: int) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "created_at": link.created_at,
        "id": link.id,
        "integration": link.integration,
        "left_object": link_object_body(link.left_object),
        "link_type": link.link_type,
        "right_object": link_object_body(link.right_object),
        "updated_at": link.updated_at,
        "uuid": link.uuid,
    }


def _name_matches(pattern: str | None, name: str) -> bool:
    if pattern is None:
        return True
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def _search_pattern_error(parameter: str, value: str) -> str | None:
    if value == "*":
        return f'{parameter}: a value of only "*" is not supported'
    if "*" in value[:-1]:
        return f"{parameter}: the wildcard (*) must be the last character"
    return None


def _links_with_identity(
    state: EmulatorState, integration: str, link_type: str, left_name: str, right_name: str
) -> list[LinkRecord]:
    return state.zis.links_with_identity((integration, link_type, left_name, right_name))


def _identity_params(request: Request) -> tuple[str, str, str] | Response:
    """The three query parameters PATCH and DELETE need: all present, no wildcard."""
    values = []
    for parameter in ("link_type", "left_object_name", "right_object_name"):
        value = request.query_params.get(parameter, "")
        if not value:
            return links_error(400, f"{parameter} is required")
        if "*" in value:
            return links_error(400, f"{parameter}: wildcards are not allowed")
        values.append(value)
    return values[0], values[1], values[2]


async def search_links(request: Request, emulator: Emulator) -> Response:
    integration = request.path_params["integration"]
    link_type = request.query_params.get("link_type", "")
    if not link_type:
        return links_error(400, "link_type is required")
    left = request.query_params.get("left_object_name") or None
    right = request.query_params.get("right_object_name") or None
    if left is None and right is None:
        return links_error(400, "left_object_name or right_object_name is required")
    for parameter, value in (("left_object_name", left), ("right_object_name", right)):
        problem = None if value is None else _search_pattern_error(parameter, value)
        if problem is not None:
            return links_error(400, problem)
    account_id = emulator.settings.zendesk_account_id
    with refusing_bad_pages(lambda reason: links_error(400, reason)):
        page = parse_page_request(request.query_params)
        async with emulator.store.reading() as state:
            records = state.zis.links

            def matches(key: tuple[Any, ...]) -> bool:
                link = records[key[1]]
                return _name_matches(left, link.left_object.name) and _name_matches(right, link.right_object.name)

            selected, meta = paginate_ordered(state.zis.links_in_order(integration, link_type), page, matches)
            links = [link_body(records[key[1]], account_id) for key in selected]
    return json_response({"count": len(links), "links": links, "meta": meta})


def _link_object(body: dict[str, Any], key: str) -> LinkObject | Response:
    value = body.get(key)
    if value is None:
        return links_error(400, f"{key} is required")
    if not isinstance(value, dict):
        return links_error(422, f"{key} must be an object")
    name = value.get("name")
    if name is None or name == "":
        return links_error(400, f"{key}.name is required")
    if not isinstance(name, str):
        return links_error(422, f"{key}.name must be a string")
    metadata = value.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        return links_error(422, f"{key}.metadata must be an object")
    return LinkObject(name=name, metadata=metadata)


async def _links_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; else `Refused` with the Links API's 400."""
    try:
        body = await json_body(request)
    except BodyError as error:
        raise Refused(links_error(400, str(error))) from None
    if not isinstance(body, dict):
        raise Refused(links_error(400, "the body must be a JSON object"))
    return body


def _both_sides(body: dict[str, Any], read: Callable[[dict[str, Any], str], T | Response]) -> tuple[T, T]:
    """`read` of the left then the right object; `Refused` with the first error answer, if any."""
    left, right = read(body, "left_object"), read(body, "right_object")
    for side in (left, right):
        if isinstance(side, Response):
            raise Refused(side)
    return cast("T", left), cast("T", right)


async def create_link(request: Request, emulator: Emulator) -> Response:
    integration = request.path_params["integration"]
    body = await _links_body(request)
    link_type = body.get("link_type")
    if link_type is None or link_type == "":
        return links_error(400, "link_type is required")
    if not isinstance(link_type, str):
        return links_error(422, "link_type must be a string")
    left, right = _both_sides(body, _link_object)

    duplicate_mode = emulator.settings.link_duplicate
    async with emulator.store.mutating() as state:
        if _links_with_identity(state, integration, link_type, left.name, right.name):
            if duplicate_mode == "conflict":
                return links_error(409, "a link with this link_type, left_object.name and right_object.name exists")
            if duplicate_mode == "unprocessable":
                return links_error(422, "a link with this link_type, left_object.name and right_object.name exists")
        link = LinkRecord(
            seq=state.next_seq(),
            id=new_ulid(),
            uuid=new_uuid(),
            integration=integration,
            link_type=link_type,
            left_object=left,
            right_object=right,
            **created(timestamp_seconds()),
        )
        state.zis.add_link(link)
        body_out = {"link": link_body(link, emulator.settings.zendesk_account_id)}
    mark_create_committed(request)
    return json_response(body_out, 201)


def _metadata_patch(body: dict[str, Any], key: str) -> dict[str, Any] | Response:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        return links_error(422, f"{key} must be an object")
    metadata = value.get("metadata")
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        return links_error(422, f"{key}.metadata must be an object")
    return metadata


def _merge_metadata(metadata: dict[str, Any], patch: dict[str, Any]) -> None:
    """Keys left out stay; a key sent as null is removed."""
    for key, value in patch.items():
        if value is None:
            metadata.pop(key, None)
        else:
            metadata[key] = value


async def update_link(request: Request, emulator: Emulator) -> Response:
    """PATCH: merges metadata into the oldest link with the identity (with ``link_duplicate=duplicate``, copies)."""
    identity = _identity_params(request)
    if isinstance(identity, Response):
        return identity
    left_patch, right_patch = _both_sides(await _links_body(request), _metadata_patch)
    async with emulator.store.mutating() as state:
        found = _links_with_identity(state, request.path_params["integration"], *identity)
        if not found:
            return json_response(None, 404)
        link = found[0]
        _merge_metadata(link.left_object.metadata, left_patch)
        _merge_metadata(link.right_object.metadata, right_patch)
        link.updated_at = timestamp_seconds()
        body_out = {"link": link_body(link, emulator.settings.zendesk_account_id)}
    return json_response(body_out)


async def delete_link(request: Request, emulator: Emulator) -> Response:
    """DELETE: removes the oldest link with the identity (with ``link_duplicate=duplicate``, one copy per call)."""
    identity = _identity_params(request)
    if isinstance(identity, Response):
        return identity
    async with emulator.store.mutating() as state:
        found = _links_with_identity(state, request.path_params["integration"], *identity)
        if not found:
            return json_response(None, 404)
        state.zis.remove_link(found[0].id)
    return Response(status_code=204)


# ---------------------------------------------------------------------------------------------------------------
# Connections


def connection_body(connection: ZisConnectionRecord) -> dict[str, Any]:
    """A connection as the API shows it: secrets masked, except OAuth tokens (the API returns those in clear)."""
    if connection.kind == "oauth":
        return dict(sorted({**connection.fields, "name": connection.name}.items()))
    body = {
        **connection.fields,
        "name": connection.name,
        "created_at": connection.created_at,
        "updated_at": connection.updated_at,
    }
    body[SECRET_FIELD[connection.kind]] = MASK
    return dict(sorted(body.items()))


def connection_name_problem(name: Any) -> str | None:
    if not isinstance(name, str) or CONNECTION_NAME_PATTERN.fullmatch(name) is None:
        return "name must be 3 to 64 characters of letters, numbers, dash (-) and underscore (_)"
    return None


def add_connection(
    state: EmulatorState, integration: str, kind: ConnectionKind, name: str, fields: dict[str, Any]
) -> ZisConnectionRecord | None:
    """Store a new connection; None when the name is taken (names are unique across the four types)."""
    key = f"{integration}/{name}"
    if key in state.zis.connections:
        return None
    connection = ZisConnectionRecord(
        seq=state.next_seq(),
        integration=integration,
        kind=kind,
        name=name,
        fields=fields,
        **created(timestamp_millis()),
    )
    state.zis.connections[key] = connection
    return connection


def _connection_page(connections: list[ZisConnectionRecord], page: PageRequest) -> dict[str, Any]:
    """One page across the four types: the page is taken from all connections ordered by name (the cursor
    the reference shows is a connection name), then split by type."""
    selected, meta = paginate(connections, lambda connection: (connection.name,), page)
    body: dict[str, Any] = {kind: [] for kind in CONNECTION_KINDS}
    for connection in selected:
        body[connection.kind].append(connection_body(connection))
    body["meta"] = meta
    return body


async def list_connections(request: Request, emulator: Emulator) -> Response:
    integration = request.path_params["integration"]
    with refusing_bad_pages(lambda reason: connections_error(400, "InvalidParameter", reason)):
        page = parse_page_request(request.query_params)
        async with emulator.store.reading() as state:
            connections = [c for c in state.zis.connections.values() if c.integration == integration]
            body = _connection_page(connections, page)
    return json_response(body)


async def create_connection(request: Request, emulator: Emulator) -> Response:
    integration = request.path_params["integration"]
    kind = next((known for known in CREATABLE_CONNECTION_FIELDS if known == request.path_params["kind"]), None)
    if kind is None:
        return connections_error(404, "NotFound", f"unknown connection type {request.path_params['kind']!r}")
    required = CREATABLE_CONNECTION_FIELDS[kind]
    try:
        body = await json_body(request)
    except BodyError as error:
        return connections_error(400, "InvalidParameter", str(error))
    if not isinstance(body, dict):
        return connections_error(400, "InvalidParameter", "the body must be a JSON object")
    problem = connection_name_problem(body.get("name"))
    if problem is not None:
        return connections_error(400, "InvalidParameter", problem)
    fields: dict[str, Any] = {}
    for field in required:
        value = body.get(field)
        if not isinstance(value, str) or not value:
            return connections_error(400, "InvalidParameter", f"{field} is required")
        fields[field] = value
    async with emulator.store.mutating() as state:
        connection = add_connection(state, integration, kind, body["name"], fields)
        if connection is None:
            return connections_error(409, "Conflict", f"a connection named {body['name']!r} already exists")
        body_out = {kind: connection_body(connection)}
    mark_create_committed(request)
    return json_response(body_out, 201)


async def show_connection(request: Request, emulator: Emulator) -> Response:
    key = f"{request.path_params['integration']}/{request.path_params['name']}"
    async with emulator.store.reading() as state:
        connection = state.zis.connections.get(key)
        if connection is None:
            return connections_error(404, "NotFound", f"connection {request.path_params['name']!r} not found")
        body = {connection.kind: connection_body(connection)}
    return json_response(body)


async def delete_connection(request: Request, emulator: Emulator) -> Response:
    key = f"{request.path_params['integration']}/{request.path_params['name']}"
    async with emulator.store.mutating() as state:
        if state.zis.connections.pop(key, None) is None:
            return connections_error(404, "NotFound", f"connection {request.path_params['name']!r} not found")
    return Response(status_code=204)


def zis_routes() -> list[Route]:
    """Each endpoint group's credential check, then (where the path names one) the integration check, in front of
    the handlers."""
    registry = f"{ZIS_PREFIX}/registry"
    bundles = f"{registry}/{{integration}}/bundles"
    links = f"{ZIS_PREFIX}/links/{{integration}}"
    connections = f"{ZIS_PREFIX}/integrations/{{integration}}/connections"
    job_spec_install = guarded(auth.check_registry)
    upload = guarded(auth.check_bundle_upload, integration_check(zis_bad_request))
    in_registry = guarded(auth.check_registry, integration_check(zis_bad_request))
    in_links = guarded(auth.check_links, integration_check(lambda rule: links_error(400, rule)))
    in_connections = guarded(
        auth.check_connections, integration_check(lambda rule: connections_error(400, "InvalidParameter", rule))
    )
    return [
        *routes(f"{registry}/job_specs/install", job_spec_install, POST=install_job_spec, DELETE=uninstall_job_spec),
        *routes(bundles, upload, POST=upload_bundle),
        *routes(bundles, in_registry, GET=list_bundles),
        *routes(f"{bundles}/{{uuid}}", in_registry, GET=show_bundle, DELETE=delete_bundle),
        *routes(f"{registry}/{{integration}}/job_specs", in_registry, GET=list_job_specs),
        *routes(links, in_links, GET=search_links, POST=create_link, PATCH=update_link, DELETE=delete_link),
        *routes(f"{connections}/all", in_connections, GET=list_connections),
        *routes(f"{connections}/{{kind}}", in_connections, POST=create_connection),
        *routes(f"{connections}/{{name}}", in_connections, GET=show_connection, DELETE=delete_connection),
    ]
