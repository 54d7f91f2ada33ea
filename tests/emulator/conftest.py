"""One emulator on loopback for the emulator's contract tests, emptied and set back to defaults before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

from .helpers import Clients, basic_header, bearer_header, make_headers


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture(scope="session")
def session_clients(emulator_server: EmulatorServer) -> Iterator[Clients]:
    base_url = emulator_server.base_url
    with (
        httpx.Client(base_url=base_url, timeout=10) as admin,
        httpx.Client(base_url=base_url, headers=basic_header(), timeout=10) as basic,
        httpx.Client(base_url=base_url, headers=bearer_header(), timeout=10) as bearer,
        httpx.Client(base_url=base_url, timeout=10) as anonymous,
        httpx.Client(base_url=emulator_server.make_base_url, headers=make_headers(), timeout=10) as make,
    ):
        yield Clients(emulator_server, basic, bearer, anonymous, make, admin)


@pytest.fixture
def clients(session_clients: Clients) -> Clients:
    """The clients, with the emulator emptied, its counters cleared and its settings back to the defaults."""
    session_clients.admin.post("/_emulator/reset", json={"settings": True}).raise_for_status()
    return session_clients
