"""The emulator's own dependencies, the `emulator` extra: what to tell someone who installed the package without it.

The providers never serve HTTP, so `pip install zis-pulumi` brings no web server; this module imports nothing
beyond the standard library so it can speak before starlette or uvicorn is needed.
"""

from __future__ import annotations

SERVER_PACKAGES = frozenset({"starlette", "uvicorn"})
INSTALL_COMMAND = "pip install 'zis-pulumi[emulator]'"
# Exit code of `python -m zis_pulumi.emulator` / `zis-emulator` when they are missing (2 is bad arguments).
EXIT_MISSING_DEPENDENCIES = 3


def is_missing_server_package(error: ModuleNotFoundError) -> bool:
    """True when `error` is about starlette or uvicorn (or one of their modules) not being installed."""
    return (error.name or "").partition(".")[0] in SERVER_PACKAGES


def missing_message(error: ModuleNotFoundError) -> str:
    package = (error.name or "").partition(".")[0]
    return (
        f"the zis-pulumi emulator needs {package}, which is not installed. "
        f"Install the emulator extra: {INSTALL_COMMAND} (starlette and uvicorn)"
    )
