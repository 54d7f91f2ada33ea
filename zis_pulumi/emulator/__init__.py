"""A local emulator of the Zendesk Integration Services (ZIS) and Make custom-app connection APIs.

One HTTP server serves ZIS under ``/api/services/zis``, Make under ``/api/v2`` and its own admin API under
``/_emulator``, so tests, demos and CI need no Zendesk or Make account::

    from zis_pulumi.emulator import EmulatorServer, EmulatorSettings, Faults

    with EmulatorServer(EmulatorSettings(faults=Faults(latency_ms=20))) as server:
        os.environ.update(server.env())
        ...

From a shell: ``python -m zis_pulumi.emulator --port 0`` (or ``zis-emulator``) prints the environment to export.
"""

from .faults import Faults
from .server import EmulatorServer
from .settings import EmulatorSettings

__all__ = ["EmulatorServer", "EmulatorSettings", "Faults"]
