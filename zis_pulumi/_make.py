"""A thin client of Make's custom-app ("SDK app") connection endpoints."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from ._http import ApiClient
from .config import MakeSettings
from .models import AppConnection

__all__ = ["SECTIONS", "MakeClient"]

SECTIONS = ("api", "parameters", "scopes", "scope", "installSpec", "install")
"""The connection sections Make stores as JSONC documents."""


def _segment(value: str) -> str:
    return quote(value, safe="")


class MakeClient(ApiClient[MakeSettings]):
    vendor = "Make"

    def _auth(self, purpose: str) -> str:
        return "Token " + self._settings.require_api_token(purpose)

    def _connection_from(self, response: httpx.Response, method: str, path: str) -> AppConnection:
        body = self.decode(response, method, path)
        if isinstance(body, dict) and isinstance(body.get("appConnection"), dict):
            return AppConnection.model_validate(body["appConnection"])
        raise self.malformed(response, method, path, 'expected {"appConnection": {...}}')

    def list_connections(self, app_name: str) -> list[AppConnection]:
        path = f"sdk/apps/{_segment(app_name)}/connections"
        response = self.request("GET", path, auth_header=self._auth("Listing Make app connections"))
        body = self.decode(response, "GET", path)
        items = body.get("appConnections") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise self.malformed(response, "GET", path, 'expected {"appConnections": [...]}')
        return [AppConnection.model_validate(item) for item in items]

    def create_connection(self, app_name: str, type_: str, label: str) -> AppConnection:
        path = f"sdk/apps/{_segment(app_name)}/connections"
        response = self.request(
            "POST", path, auth_header=self._auth("Creating a Make app connection"), json={"type": type_, "label": label}
        )
        return self._connection_from(response, "POST", path)

    def get_connection(self, name: str) -> AppConnection:
        path = f"sdk/apps/connections/{_segment(name)}"
        response = self.request("GET", path, auth_header=self._auth("Reading a Make app connection"))
        return self._connection_from(response, "GET", path)

    def update_connection(self, name: str, changes: Mapping[str, Any]) -> AppConnection:
        """PATCH `label` and/or `connectedSystemName` (None clears it)."""
        path = f"sdk/apps/connections/{_segment(name)}"
        response = self.request(
            "PATCH",
            path,
            auth_header=self._auth("Updating a Make app connection"),
            json=dict(changes),
            idempotent=True,
        )
        return self._connection_from(response, "PATCH", path)

    def delete_connection(self, name: str) -> None:
        path = f"sdk/apps/connections/{_segment(name)}"
        self.request("DELETE", path, auth_header=self._auth("Deleting a Make app connection"))

    def get_section(self, name: str, section: str) -> str:
        """The section as Make stores it: JSONC text, comments kept. A JSON value is re-serialised."""
        path = f"sdk/apps/connections/{_segment(name)}/{_section(section)}"
        response = self.request("GET", path, auth_header=self._auth("Reading a Make app connection section"))
        content_type = response.headers.get("content-type", "")
        if "json" in content_type:
            try:
                body = response.json()
            except ValueError:
                return response.text  # JSONC labelled as JSON
            if isinstance(body, str):
                return body
            return json.dumps(body, indent=4)
        return response.text

    def set_section(self, name: str, section: str, value: Any) -> None:
        path = f"sdk/apps/connections/{_segment(name)}/{_section(section)}"
        self.request("PUT", path, auth_header=self._auth("Writing a Make app connection section"), json=value)

    def get_common(self, name: str) -> dict[str, Any]:
        path = f"sdk/apps/connections/{_segment(name)}/common"
        response = self.request("GET", path, auth_header=self._auth("Reading a Make app connection's common data"))
        body = self.decode(response, "GET", path)
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise self.malformed(response, "GET", path, "expected a JSON object")
        return body

    def set_common(self, name: str, common: Mapping[str, Any]) -> None:
        path = f"sdk/apps/connections/{_segment(name)}/common"
        self.request(
            "PUT", path, auth_header=self._auth("Writing a Make app connection's common data"), json=dict(common)
        )

    def recreate_connection(self, name: str) -> None:
        path = f"sdk/apps/connections/{_segment(name)}/recreate"
        self.request("POST", path, auth_header=self._auth("Recreating a Make app connection"), json={}, idempotent=True)


def _section(section: str) -> str:
    if section not in SECTIONS:
        raise ValueError(f"unknown Make connection section {section!r}; one of {', '.join(SECTIONS)}")
    return section
