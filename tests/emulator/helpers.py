"""Constants, vendor examples and clients shared by the emulator's contract tests."""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass
from typing import Any

import httpx

from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

SETTINGS = EmulatorSettings()
EMAIL = SETTINGS.email
API_TOKEN = SETTINGS.api_token
OAUTH_TOKEN = SETTINGS.oauth_token
MAKE_TOKEN = SETTINGS.make_token
MAKE_OAUTH_TOKEN = SETTINGS.make_oauth_token
USER_AGENT = "zis-pulumi-tests/1.0"

ZIS = "/api/services/zis"

# The example body on the Upload Bundle reference page. Its job spec points at
# zis:example:flow:my_flow, so it belongs to the integration "example".
SEED_BUNDLE: dict[str, Any] = {
    "description": "this is an example bundle",
    "name": "example bundle",
    "resources": {
        "example_flow": {
            "properties": {
                "definition": {
                    "StartAt": "HelloWorld",
                    "States": {
                        "HelloWorld": {
                            "End": True,
                            "Result": "Hello World!",
                            "ResultPath": "$.messages",
                            "Type": "Pass",
                        }
                    },
                },
                "name": "my_flow",
            },
            "type": "ZIS::Flow",
        },
        "example_job_spec": {
            "properties": {
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": "zis:example:flow:my_flow",
                "name": "my_job_Spec",
            },
            "type": "ZIS::JobSpec",
        },
    },
    "zis_template_version": "2019-10-14",
}

# The example body on the Create Link reference page.
SEED_LINK: dict[str, Any] = {
    "left_object": {"metadata": {"ID": 123}, "name": "zendesk:ticket1"},
    "link_type": "example_link",
    "right_object": {"metadata": {"ID": 456}, "name": "external:object1"},
}


def basic_header(email: str = EMAIL, token: str = API_TOKEN) -> dict[str, str]:
    credentials = base64.b64encode(f"{email}/token:{token}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def bearer_header(token: str = OAUTH_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_headers(token: str = MAKE_TOKEN, user_agent: str = USER_AGENT) -> dict[str, str]:
    return {"Authorization": f"Token {token}", "User-Agent": user_agent}


def bundle(integration: str, name: str = "bundle", job_specs: tuple[str, ...] = ("on_ticket",)) -> dict[str, Any]:
    """A valid bundle for ``integration`` with one flow and the given job specs."""
    resources: dict[str, Any] = {
        "flow": {
            "type": "ZIS::Flow",
            "properties": {
                "name": "flow",
                "definition": {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
            },
        }
    }
    for job_spec in job_specs:
        resources[f"job_spec_{job_spec}"] = {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": job_spec,
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": f"zis:{integration}:flow:flow",
            },
        }
    return {
        "name": name,
        "description": f"{name} of {integration}",
        "zis_template_version": "2019-10-14",
        "resources": resources,
    }


def seed_bundle() -> dict[str, Any]:
    return copy.deepcopy(SEED_BUNDLE)


@dataclass
class Clients:
    """Plain httpx clients on the emulator, one per credential."""

    server: EmulatorServer
    basic: httpx.Client
    bearer: httpx.Client
    anonymous: httpx.Client
    make: httpx.Client
    admin: httpx.Client

    def state(self) -> dict[str, Any]:
        return self.admin.get("/_emulator/state").raise_for_status().json()  # type: ignore[no-any-return]

    def requests(self, log: bool = False) -> dict[str, Any]:
        params = {"log": "1"} if log else {}
        return self.admin.get("/_emulator/requests", params=params).raise_for_status().json()  # type: ignore[no-any-return]

    def settings(self, **changes: Any) -> dict[str, Any]:
        return self.admin.put("/_emulator/settings", json=changes).raise_for_status().json()  # type: ignore[no-any-return]

    def upload(self, integration: str, body: dict[str, Any]) -> httpx.Response:
        return self.basic.post(f"{ZIS}/registry/{integration}/bundles", json=body)

    def create_link(self, integration: str, body: dict[str, Any]) -> httpx.Response:
        return self.bearer.post(f"{ZIS}/links/{integration}", json=body)

    def create_make_connection(self, app: str, connection_type: str = "basic", label: str = "Main") -> httpx.Response:
        return self.make.post(f"/sdk/apps/{app}/connections", json={"type": connection_type, "label": label})
