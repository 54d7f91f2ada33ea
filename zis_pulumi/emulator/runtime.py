"""The parts of one running emulator that every handler shares: settings, state, faults and request counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request

from .accounting import RequestLog
from .faults import FaultInjector
from .settings import EmulatorSettings
from .state import StateStore


class Emulator:
    def __init__(self, settings: EmulatorSettings, state_file: Path | None = None) -> None:
        self.initial_settings = settings
        self.settings = settings
        self.store = StateStore(state_file)
        self.faults = FaultInjector(settings.faults)
        self.requests = RequestLog()

    def update_settings(self, changes: dict[str, Any]) -> EmulatorSettings:
        """Apply a partial update (validated as a whole); a new ``faults.seed`` restarts the random sequence."""
        self.settings = self.settings.updated(changes)
        reseed = "seed" in EmulatorSettings.fault_keys(changes)
        self.faults.configure(self.settings.faults, reseed=reseed)
        return self.settings

    def restore_initial_settings(self) -> None:
        """Back to the settings the emulator started with (faults, switches and credentials)."""
        self.settings = self.initial_settings
        self.faults.configure(self.settings.faults, reseed=True)


def emulator_of(request: Request) -> Emulator:
    emulator = request.app.state.emulator
    if not isinstance(emulator, Emulator):
        raise RuntimeError("the Starlette app was not built by zis_pulumi.emulator.app.build_app")
    return emulator


def mark_create_committed(request: Request) -> None:
    """Tell the gateway this request committed a create, so the lost-response fault may drop its answer."""
    request.state.create_committed = True
