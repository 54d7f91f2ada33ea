"""A local emulator of the Zendesk Integration Services (ZIS) and Make custom-app connection APIs.

One HTTP server serves ZIS under ``/api/services/zis``, Make under ``/api/v2`` and its own admin API under
``/_emulator``, so tests, demos and CI need no Zendesk or Make account::

    from zis_pulumi.emulator import EmulatorServer, EmulatorSettings, Faults

    with EmulatorServer(EmulatorSettings(faults=Faults(latency_ms=20))) as server:
        os.environ.update(server.env())
        ...

From a shell: ``python -m zis_pulumi.emulator --port 0`` (or ``zis-emulator``) prints the environment to export.

It needs the ``emulator`` extra (``pip install 'zis-pulumi[emulator]'``: starlette and uvicorn). The names below
are imported on first use, so that ``python -m zis_pulumi.emulator`` can say what to install when they are missing
instead of failing inside this package's import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._requirements import is_missing_server_package, missing_message

if TYPE_CHECKING:
    from .faults import Faults
    from .server import EmulatorServer
    from .settings import EmulatorSettings

__all__ = ["EmulatorServer", "EmulatorSettings", "Faults"]

_MODULE_OF = {"EmulatorServer": ".server", "EmulatorSettings": ".settings", "Faults": ".faults"}


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(_MODULE_OF[name], __name__)
    except ModuleNotFoundError as error:
        if is_missing_server_package(error):
            raise ModuleNotFoundError(missing_message(error), name=error.name) from error
        raise
    value = getattr(module, name)
    globals()[name] = value
    return value
