"""Fixtures shared by the provider and client tests (one emulator on loopback for the session), and the CLI the
engine and reliability suites drive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pulumi_cli import EmulatorAdmin as EmulatorAdmin  # the provider and client tests import it here
from tests.support.pulumi_cli import emptied_emulator, find_pulumi_bin, stack_config_of
from tests.support.sleeps import Sleeps
from zis_pulumi._make import MakeClient
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.config import MakeSettings, ZendeskSettings
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def admin(emulator: EmulatorServer) -> Iterator[EmulatorAdmin]:
    """The admin API, with the emulator emptied and its faults cleared before each test."""
    with emptied_emulator(emulator) as admin:
        yield admin


@pytest.fixture
def stack_config(emulator: EmulatorServer, admin: EmulatorAdmin) -> dict[str, str]:
    """The stack config a user would set to point the providers at the (freshly emptied) emulator."""
    return stack_config_of(emulator)


@pytest.fixture
def zendesk(stack_config: dict[str, str]) -> Iterator[ZendeskClient]:
    """A Zendesk client set up from the stack config, as the providers build theirs."""
    with ZendeskClient(ZendeskSettings.resolve(stack_config, environ={})) as client:
        yield client


@pytest.fixture
def make(stack_config: dict[str, str]) -> Iterator[MakeClient]:
    """A Make client set up from the stack config, as the providers build theirs."""
    with MakeClient(MakeSettings.resolve(stack_config, environ={})) as client:
        yield client


@pytest.fixture
def sleeps() -> Sleeps:
    """The waits a client under test was told to make (it makes none)."""
    return Sleeps()


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    """The directory of the pulumi CLI: ZIS_PULUMI_BIN (set by `make test`) or scripts/install-pulumi.sh.

    Without one the engine and reliability tests fail rather than skip: CI must run them.
    """
    try:
        return find_pulumi_bin()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
