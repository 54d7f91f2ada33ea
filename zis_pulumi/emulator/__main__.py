"""``python -m zis_pulumi.emulator`` / ``zis-emulator``: run the emulator until SIGTERM or SIGINT.

Without the `emulator` extra (starlette, uvicorn) it says what to install and exits with code 3.
Once it accepts connections it prints the client environment on stdout, one ``NAME=value`` line each (flushed),
and with ``--env-file`` writes the same lines to that file atomically (and removes it on a clean stop). Logs go to
stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._requirements import EXIT_MISSING_DEPENDENCIES, is_missing_server_package, missing_message

try:
    from .faults import Faults
    from .server import EmulatorServer
    from .settings import EmulatorSettings
except ModuleNotFoundError as _error:  # installed without the `emulator` extra: say what to install
    if not is_missing_server_package(_error):
        raise
    print(f"zis-emulator: {missing_message(_error)}", file=sys.stderr)
    raise SystemExit(EXIT_MISSING_DEPENDENCIES) from None

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="zis-emulator",
        description="Local emulator of the Zendesk Integration Services and Make custom-app connection APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--state", type=Path, help="state file: loaded on start, rewritten after every change")
    parser.add_argument("--env-file", type=Path, help="write the client environment here once listening")
    parser.add_argument("--log-level", default="warning", choices=LOG_LEVELS)

    credentials = parser.add_argument_group("credentials")
    defaults = EmulatorSettings()
    credentials.add_argument("--email", default=defaults.email)
    credentials.add_argument("--api-token", default=defaults.api_token)
    credentials.add_argument("--oauth-token", default=defaults.oauth_token)
    credentials.add_argument("--make-token", default=defaults.make_token, help="Make API token (a UUID, as Make's)")
    credentials.add_argument("--make-oauth-token", default=defaults.make_oauth_token, help="Make OAuth access token")
    credentials.add_argument("--zendesk-account-id", type=int, default=defaults.zendesk_account_id)

    faults = parser.add_argument_group("faults (API requests only)")
    faults.add_argument("--latency-ms", type=float, default=0)
    faults.add_argument("--rate-limit-every", type=int, default=0, metavar="N")
    faults.add_argument("--rate-limit-probability", type=float, default=0, metavar="P")
    faults.add_argument("--retry-after-seconds", type=int, default=1, help="Zendesk's Retry-After on 429s")
    faults.add_argument("--server-error-probability", type=float, default=0, metavar="P")
    faults.add_argument("--server-error-body", choices=("random", "vendor", "html"), default="random")
    faults.add_argument("--lost-response-probability", type=float, default=0, metavar="P")
    faults.add_argument("--lost-response-every", type=int, default=0, metavar="N")
    faults.add_argument("--seed", type=int)
    faults.add_argument("--fault-scope", choices=("all", "zendesk", "make"), default="all")

    behaviour = parser.add_argument_group("behaviour switches (where the vendors' behaviour is unknown)")
    behaviour.add_argument("--job-spec-reinstall", choices=("ok", "conflict"), default=defaults.job_spec_reinstall)
    behaviour.add_argument("--bundle-upload-body", choices=("null", "empty"), default=defaults.bundle_upload_body)
    behaviour.add_argument(
        "--link-duplicate", choices=("conflict", "unprocessable", "duplicate"), default=defaults.link_duplicate
    )
    behaviour.add_argument("--make-delete-delay-ms", type=float, default=defaults.make_delete_delay_ms)
    behaviour.add_argument(
        "--make-section-format", choices=("jsonc", "text", "json_string"), default=defaults.make_section_format
    )
    return parser.parse_args(argv)


def settings_from(arguments: argparse.Namespace) -> EmulatorSettings:
    faults = _fields_from(Faults, arguments, scope=arguments.fault_scope)
    return _fields_from(EmulatorSettings, arguments, faults=faults)


M = TypeVar("M", bound=BaseModel)


def _fields_from(model: type[M], arguments: argparse.Namespace, **others: Any) -> M:
    """The model with each field that has a command-line option of its name set from it, and `others`."""
    given = {name: getattr(arguments, name) for name in model.model_fields if hasattr(arguments, name)}
    return model(**given, **others)


def env_lines(env: dict[str, str]) -> str:
    return "".join(f"{name}={shlex.quote(value)}\n" for name, value in env.items())


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if arguments.log_level == "trace" else arguments.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = settings_from(arguments)
    except ValidationError as error:
        print(f"zis-emulator: invalid settings:\n{error}", file=sys.stderr)
        return 2

    for warning in settings.credential_warnings():
        print(f"zis-emulator: warning: {warning}", file=sys.stderr)

    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> Any:
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    server = EmulatorServer(
        settings=settings,
        host=arguments.host,
        port=arguments.port,
        state_file=arguments.state,
        log_level=arguments.log_level,
    )
    try:
        server.start()
    except (OSError, RuntimeError, TimeoutError, ValueError) as error:
        print(f"zis-emulator: cannot start: {error}", file=sys.stderr)
        return 1
    try:
        lines = env_lines(server.env())
        sys.stdout.write(lines)
        sys.stdout.flush()
        if arguments.env_file is not None:
            write_atomically(arguments.env_file, lines)
        while not stop_requested.wait(0.2):
            if not server.running:
                print("zis-emulator: the server stopped unexpectedly", file=sys.stderr)
                return 1
    finally:
        server.stop()
        if arguments.env_file is not None:
            arguments.env_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
