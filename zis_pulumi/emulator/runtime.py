"""The parts of one running emulator that every handler shares: settings, state, faults and request counts; and
``guarded``, which puts a route's checks (credentials, then path parameters) in front of its handler."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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


Check = Callable[[Request, EmulatorSettings], Response | None]
"""Looks at a request before its handler does: None lets it through, a response refuses it."""


class Refused(Exception):
    """Raised by a handler's helper with the error answer to send; `guarded` endpoints send it."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


Handler = Callable[[Request, Emulator], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def guarded(*checks: Check) -> Callable[[Handler], Endpoint]:
    """Make a handler an endpoint behind ``checks``: they run in order, the first refusal is the answer, and the
    handler runs (given the emulator) only when none refuses; a `Refused` it raises is its answer."""

    def guard(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            emulator = emulator_of(request)
            for check in checks:
                refused = check(request, emulator.settings)
                if refused is not None:
                    return refused
            try:
                return await handler(request, emulator)
            except Refused as refused_by_handler:
                return refused_by_handler.response

        return endpoint

    return guard


def routes(path: str, guard: Callable[[Handler], Endpoint], **handlers: Handler) -> list[Route]:
    """One route per method of `path` (`GET=show, DELETE=delete`), each handler behind `guard`, in that order."""
    return [Route(path, guard(handler), methods=[method]) for method, handler in handlers.items()]
