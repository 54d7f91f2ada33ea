"""ZIS integrations, under ``/api/services/zis/registry``: register one, list them.

Sources (INT: https://developer.zendesk.com/api-reference/integration-services/registry/integrations/):
- ``POST registry/{integration}`` with ``{"description": …}`` answers **200** (not 201) with ``description``,
  ``jwt_public_key`` and ``zendesk_oauth_client: {id, identifier: "zis_<integration>", secret}`` [doc: INT]; it
  takes a basic API-token credential [doc: INT] or an admin OAuth bearer [seen: tsanetgit/Zendesk_App notes].
- Registering a name the account already registered is a 409 [seen: tsanetgit/Zendesk_App notes; body unknown, so
  the registry's documented error envelope is used].
- ``GET registry/integrations`` answers ``{"integrations": [{description, jwt_public_key, name,
  zendesk_oauth_client}]}`` with the client secret masked [code: jolyh/ZIS_explorer assets/examples/
  integrations.json, a copy of the vendor example]; its pagination is unknown, so it has none.
- An integration cannot be deleted ("You can't delete an integration" [doc: INT]): there is no DELETE.

The other ZIS endpoints do not require the integration in their path to be registered (whether Zendesk does is
not documented), so clients that never register one keep working.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import auth
from .errors import ZIS_CONFLICT, json_response, zis_bad_request, zis_error
from .runtime import Emulator, guarded, mark_create_committed
from .state import IntegrationRecord
from .zis_api import ZIS_PREFIX, BodyError, integration_check, json_body

MASKED_SECRET = "************"
FIRST_OAUTH_CLIENT_ID = 10066  # the id in the vendor's example


def _public_key() -> str:
    """A PEM-shaped stand-in for the integration's RSA public key (not a usable key)."""
    return f"-----BEGIN PUBLIC KEY-----\n{base64.b64encode(secrets.token_bytes(48)).decode()}\n-----END PUBLIC KEY-----"


def integration_body(integration: IntegrationRecord, *, masked: bool) -> dict[str, Any]:
    return {
        "description": integration.description,
        "jwt_public_key": integration.jwt_public_key,
        "name": integration.name,
        "zendesk_oauth_client": {
            "id": integration.oauth_client_id,
            "identifier": f"zis_{integration.name}",
            "secret": MASKED_SECRET if masked else integration.oauth_client_secret,
        },
    }


async def create_integration(request: Request, emulator: Emulator) -> Response:
    name = request.path_params["integration"]
    try:
        body = await json_body(request)
    except BodyError as error:
        return zis_bad_request(str(error))
    if not isinstance(body, dict) or not isinstance(body.get("description", ""), str):
        return zis_bad_request('the body must be a JSON object with a string "description"')
    async with emulator.store.mutating() as state:
        if name in state.zis.integrations:
            return zis_error(409, ZIS_CONFLICT, f"the integration {name} is already registered on this account")
        seq = state.next_seq()
        integration = IntegrationRecord(
            seq=seq,
            name=name,
            description=body.get("description", ""),
            jwt_public_key=_public_key(),
            oauth_client_id=FIRST_OAUTH_CLIENT_ID + len(state.zis.integrations),
            oauth_client_secret=secrets.token_hex(32),
        )
        state.zis.integrations[name] = integration
    mark_create_committed(request)
    created = integration_body(integration, masked=False)
    del created["name"]  # the create answer has no name [doc: INT]
    return json_response(created)


async def list_integrations(request: Request, emulator: Emulator) -> Response:
    async with emulator.store.reading() as state:
        integrations = sorted(state.zis.integrations.values(), key=lambda integration: integration.seq)
        body = [integration_body(integration, masked=True) for integration in integrations]
    return json_response({"integrations": body})


def integration_routes() -> list[Route]:
    registry = f"{ZIS_PREFIX}/registry"
    return [
        Route(f"{registry}/integrations", guarded(auth.check_registry)(list_integrations), methods=["GET"]),
        Route(
            f"{registry}/{{integration}}",
            guarded(auth.check_registry, integration_check(zis_bad_request))(create_integration),
            methods=["POST"],
        ),
    ]
