"""Fixtures shared by the provider and client tests: one emulator on loopback for the session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from zis_pulumi.emulator import EmulatorServer, EmulatorSettings


class EmulatorAdmin:
    """The emulator's admin API: state, request counts, settings."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=30)

    def state(self) -> dict[str, Any]:
        return self.http.get("/_emulator/state").raise_for_status().json()  # type: ignore[no-any-return]

    def requests(self) -> dict[str, Any]:
        return self.http.get("/_emulator/requests").raise_for_status().json()  # type: ignore[no-any-return]

    def request_count(self) -> int:
        return int(self.requests()["total"])

    def reset(self, counters_only: bool = False) -> None:
        """Empty the emulator (or only its request counters); a full reset also restores its start settings."""
        body = {"counters_only": True} if counters_only else {"settings": True}
        self.http.post("/_emulator/reset", json=body).raise_for_status()

    def settings(self, **changes: Any) -> dict[str, Any]:
        if changes:
            return self.http.put("/_emulator/settings", json=changes).raise_for_status().json()  # type: ignore[no-any-return]
        return self.http.get("/_emulator/settings").raise_for_status().json()  # type: ignore[no-any-return]

    def seed_oauth_connection(self, integration: str, name: str, **fields: Any) -> None:
        """An OAuth connection, as only Zendesk's UI can make one."""
        self.http.post(
            f"/_emulator/zis/{integration}/oauth_connections", json={"name": name, **fields}
        ).raise_for_status()


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def admin(emulator: EmulatorServer) -> Iterator[EmulatorAdmin]:
    """The admin API, with the emulator emptied and its faults cleared before each test."""
    admin = EmulatorAdmin(emulator)
    admin.reset()
    yield admin
    admin.reset()
    admin.http.close()


@pytest.fixture
def stack_config(emulator: EmulatorServer, admin: EmulatorAdmin) -> dict[str, str]:
    """The stack config a user would set to point the providers at the (freshly emptied) emulator."""
    env = emulator.env()
    return {
        "zendesk:baseUrl": env["ZENDESK_BASE_URL"],
        "zendesk:email": env["ZENDESK_EMAIL"],
        "zendesk:apiToken": env["ZENDESK_API_TOKEN"],
        "zendesk:oauthToken": env["ZENDESK_OAUTH_TOKEN"],
        "make:baseUrl": env["MAKE_BASE_URL"],
        "make:apiToken": env["MAKE_API_TOKEN"],
    }
