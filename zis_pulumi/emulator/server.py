"""``EmulatorServer``: the emulator on a real loopback port, served by uvicorn in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from .app import build_app
from .runtime import Emulator
from .settings import EmulatorSettings


class EmulatorServer:
    """Both APIs on one port: ZIS under ``/api/services/zis``, Make under ``/api/v2``, admin under ``/_emulator``.

    ``port=0`` picks a free port. ``state_file`` is loaded on start and rewritten after every change; without
    one, every ``start()`` begins empty. Settings changed through the admin API last until ``stop()``.
    """

    def __init__(
        self,
        settings: EmulatorSettings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: str | Path | None = None,
        log_level: str = "warning",
    ) -> None:
        self.settings = settings if settings is not None else EmulatorSettings()
        self.host = host
        self.requested_port = port
        self.state_file = Path(state_file) if state_file is not None else None
        self.log_level = log_level
        self._emulator: Emulator | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    @property
    def emulator(self) -> Emulator:
        """The running emulator (settings, state, counters); only touch it from the server's event loop."""
        if self._emulator is None:
            raise RuntimeError("the emulator server is not started")
        return self._emulator

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator server is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``ZENDESK_BASE_URL``: ``http://HOST:PORT``."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def make_base_url(self) -> str:
        """``MAKE_BASE_URL``: ``http://HOST:PORT/api/v2``."""
        return f"{self.base_url}/api/v2"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def env(self) -> dict[str, str]:
        """The environment a client needs to talk to this emulator (credentials as currently set)."""
        settings = self._emulator.settings if self._emulator is not None else self.settings
        return {
            "ZENDESK_BASE_URL": self.base_url,
            "MAKE_BASE_URL": self.make_base_url,
            "ZENDESK_EMAIL": settings.email,
            "ZENDESK_API_TOKEN": settings.api_token,
            "ZENDESK_OAUTH_TOKEN": settings.oauth_token,
            "MAKE_API_TOKEN": settings.make_token,
            "MAKE_OAUTH_TOKEN": settings.make_oauth_token,
        }

    def start(self, timeout: float = 10.0) -> EmulatorServer:
        """Start serving; return once the port accepts connections."""
        if self.running:
            raise RuntimeError("the emulator server is already running")
        emulator = Emulator(self.settings, self.state_file)
        listener = self._bind()
        self._port = listener.getsockname()[1]
        config = uvicorn.Config(
            build_app(emulator),
            log_level=self.log_level,
            log_config=None,
            http="h11",
            loop="asyncio",
            interface="asgi3",
            lifespan="off",
            proxy_headers=False,
            server_header=False,
            access_log=False,
            timeout_graceful_shutdown=2,
            backlog=4096,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="zis-emulator", daemon=True)
        self._emulator, self._server, self._thread = emulator, server, thread
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive():
                listener.close()
                raise RuntimeError("the emulator server failed to start (see the uvicorn log)")
            if time.monotonic() > deadline:
                server.should_exit = True
                raise TimeoutError(f"the emulator server did not start within {timeout} s")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and save the state (when there is a state file)."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        if self._emulator is not None:
            self._emulator.store.save()
        self._server = None
        self._thread = None

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP; without it
        # every response written in two parts waits ~40 ms for a delayed ACK.
        listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.requested_port))
        except OSError:
            listener.close()
            raise
        listener.set_inheritable(True)
        return listener

    def __enter__(self) -> EmulatorServer:
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
