"""Builds the emulator's ASGI application: the Starlette app of both APIs and the admin API, behind a gateway.

The gateway (``ApiGateway``, the outermost ASGI callable) does for API requests what the vendors' edges do:
it adds the configured latency (``asyncio.sleep``, so concurrent requests overlap), answers injected 429s and
5xx instead of the service (nothing reaches the state), counts every request by route template and status, and
drops the answers of creates that the lost-response fault picks.

Lost responses: the create is committed first; then, instead of the status line, the gateway aborts the TCP
connection, so the client sees the server disconnect without a response (httpx: ``RemoteProtocolError``). It
reaches the connection through the ``send`` callable of uvicorn's h11 protocol (``send.__self__.transport``), which
is why ``EmulatorServer`` runs uvicorn with ``http="h11"`` and nothing between uvicorn and the gateway. Under a
server where the transport cannot be reached, the gateway answers 504 with a gateway-timeout page instead.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from .accounting import UNMATCHED_ROUTE, RequestRecord
from .admin_api import admin_routes
from .errors import json_response, make_error, zendesk_not_found
from .faults import Vendor, gateway_page
from .make_api import MAKE_PREFIX, make_routes
from .runtime import Emulator
from .zis_api import ZIS_PREFIX, zis_routes
from .zis_integrations import integration_routes

LOST = "lost"


def vendor_of(path: str) -> Vendor | None:
    """Which vendor's API a path belongs to; None for the admin API and anything else."""
    if path == ZIS_PREFIX or path.startswith(ZIS_PREFIX + "/"):
        return "zendesk"
    if path == MAKE_PREFIX or path.startswith(MAKE_PREFIX + "/"):
        return "make"
    return None


async def drop_connection(send: Send) -> bool:
    """Abort the client's TCP connection without answering; False when the transport cannot be reached."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if not isinstance(transport, asyncio.Transport):
        return False
    transport.abort()
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
    return True


class ApiGateway:
    """Latency, faults, lost responses and request counting around the Starlette app."""

    def __init__(self, app: Starlette, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator
        self._routes = [route for route in app.routes if isinstance(route, Route)]

    def route_template(self, scope: Scope) -> str:
        partial: str | None = None
        for route in self._routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return route.path
            if match == Match.PARTIAL and partial is None:
                partial = route.path
        return partial or UNMATCHED_ROUTE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        vendor = vendor_of(scope["path"]) if scope["type"] == "http" else None
        if vendor is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        outcome: dict[str, int | str] = {"status": 500}
        try:
            latency = self.emulator.faults.latency_seconds(vendor)
            if latency > 0:
                await asyncio.sleep(latency)
            fault = self.emulator.faults.fault_response(vendor)
            if fault is not None:
                await fault(scope, receive, self._recording_send(send, outcome))
            else:
                await self.app(scope, receive, self._guarded_send(scope, receive, send, vendor, outcome))
        finally:
            self.emulator.requests.record(
                RequestRecord(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    route=self.route_template(scope),
                    status=outcome["status"],
                    ms=round((time.perf_counter() - started) * 1000, 3),
                )
            )

    @staticmethod
    def _recording_send(send: Send, outcome: dict[str, int | str]) -> Send:
        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
            await send(message)

        return recording_send

    def _guarded_send(
        self, scope: Scope, receive: Receive, send: Send, vendor: Vendor, outcome: dict[str, int | str]
    ) -> Send:
        dropping = False

        async def guarded_send(message: Message) -> None:
            nonlocal dropping
            if dropping:
                return
            if message["type"] == "http.response.start":
                status = int(message["status"])
                outcome["status"] = status
                committed = bool(scope.get("state", {}).get("create_committed", False))
                if committed and 200 <= status < 300 and self.emulator.faults.lose_response(vendor):
                    dropping = True
                    outcome["status"] = LOST
                    if not await drop_connection(send):
                        await gateway_page(504)(scope, receive, send)
                    return
            await send(message)

        return guarded_send


async def _http_error(request: Request, exc: Exception) -> Response:
    """404 and 405 from the router, in the shape of the vendor whose path was asked for."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    vendor = vendor_of(request.url.path)
    if vendor == "make":
        message = "Not Found" if status == 404 else "Method Not Allowed"
        response = make_error(status, message, f"{request.method} {request.url.path} is not a known endpoint.")
    elif vendor == "zendesk" and status == 404:
        response = zendesk_not_found()
    else:
        error: dict[str, Any] = {
            "error": "NotFound" if status == 404 else "MethodNotAllowed",
            "description": f"{request.method} {request.url.path}",
        }
        response = json_response(error, status)
    response.headers.update(headers)
    return response


def build_starlette_app(emulator: Emulator) -> Starlette:
    app = Starlette(
        routes=[*admin_routes(), *zis_routes(), *integration_routes(), *make_routes()],
        exception_handlers={404: _http_error, 405: _http_error},
    )
    app.router.redirect_slashes = False
    app.state.emulator = emulator
    return app


def build_app(emulator: Emulator) -> ApiGateway:
    """The ASGI application to serve: the gateway around the Starlette app."""
    return ApiGateway(build_starlette_app(emulator), emulator)
