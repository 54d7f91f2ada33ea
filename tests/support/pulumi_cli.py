"""Driving the real pulumi CLI offline against the emulator: shared by the engine tests, the reliability suite
and the benchmark (bench/run.py), so the three run pulumi the same way.

A project is a copy of a Pulumi program in a temporary directory with a local file backend, its own
PULUMI_HOME and passphrase, and an environment holding only the settings given (the emulator's), never the
caller's ZENDESK_/MAKE_/PULUMI_ variables: a run can neither reach a real account nor touch the user's stacks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import httpx

from zis_pulumi.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = ROOT / "scripts" / "install-pulumi.sh"
CALLER_PREFIXES = ("ZENDESK_", "MAKE_", "PULUMI_")
"""Variables of the caller's environment a project never inherits: credentials and the user's Pulumi setup."""


def stack_config_of(emulator: EmulatorServer) -> dict[str, str]:
    """The stack config a user would set to point the providers at `emulator`."""
    env = emulator.env()
    return {
        "zendesk:baseUrl": env["ZENDESK_BASE_URL"],
        "zendesk:email": env["ZENDESK_EMAIL"],
        "zendesk:apiToken": env["ZENDESK_API_TOKEN"],
        "zendesk:oauthToken": env["ZENDESK_OAUTH_TOKEN"],
        "make:baseUrl": env["MAKE_BASE_URL"],
        "make:apiToken": env["MAKE_API_TOKEN"],
    }


def find_pulumi_bin(explicit: str | Path | None = None) -> Path:
    """The directory holding `pulumi`: `explicit`, else ZIS_PULUMI_BIN, else scripts/install-pulumi.sh's last line.

    Raises FileNotFoundError when that directory has no `pulumi`, so each caller can fail its own way.
    """
    configured = explicit or os.environ.get("ZIS_PULUMI_BIN")
    if configured:
        path = Path(configured)
    else:
        out = subprocess.run(
            ["bash", str(INSTALL_SCRIPT)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHON": sys.executable},
        )
        path = Path(out.stdout.strip().splitlines()[-1])
    if not (path / "pulumi").exists():
        raise FileNotFoundError(
            f"no pulumi CLI in {path}; `make pulumi` builds or finds one (scripts/install-pulumi.sh)"
        )
    return path


def project_env(tmp: Path, bin_dir: Path, settings: Mapping[str, str], passphrase: str) -> dict[str, str]:
    """The environment of a project under `tmp`: the caller's, cleaned, plus `settings` and an offline backend.

    PATH starts with the CLI and this venv's bin, so the engine finds the language host and this Python.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(CALLER_PREFIXES)}
    env.update(settings)
    env.update(
        {
            "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")]),
            "PULUMI_BACKEND_URL": (tmp / "state").as_uri(),
            "PULUMI_HOME": str(tmp / "pulumi-home"),
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
    )
    return env


def copy_program(program: Path, workdir: Path, name: str, ignore: tuple[str, ...] = ("__pycache__",)) -> None:
    """Copy a program to `workdir` with a Pulumi.yaml of its own: project `name`, run with this venv's Python."""
    shutil.copytree(program, workdir, ignore=shutil.ignore_patterns(*ignore))
    (workdir / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {Path(sys.prefix)}\n"
    )


class PulumiFailed(AssertionError):
    """A pulumi command exited non-zero; the message carries the tails of its output, which say why.

    An AssertionError, so pytest reports it as a failed expectation of the test that ran the command.
    """

    def __init__(self, command: str, result: subprocess.CompletedProcess[str]) -> None:
        self.result = result
        super().__init__(
            f"{command} exited {result.returncode}\n--- stdout\n{result.stdout[-8000:]}\n"
            f"--- stderr\n{result.stderr[-4000:]}"
        )


ProjectT = TypeVar("ProjectT", bound="PulumiProject")


@dataclass
class PulumiProject:
    """A copy of a Pulumi program with its own file backend; `pulumi` runs in it non-interactively.

    Subclasses add what their suite needs: `ran` sees every finished command (a transcript), `timeout` bounds a
    run. Without `stack`, a command acts on the stack selected last (`stack init` selects the new one).
    """

    dir: Path
    env: dict[str, str]
    timeout: ClassVar[float | None] = None
    """Seconds a run may take before subprocess.TimeoutExpired; None: no limit."""

    @classmethod
    def create(
        cls: type[ProjectT],
        tmp: Path,
        program: Path,
        *,
        name: str,
        bin_dir: Path,
        settings: Mapping[str, str],
        passphrase: str,
        ignore: tuple[str, ...] = ("__pycache__",),
    ) -> ProjectT:
        """A project under `tmp` (project/, state/, pulumi-home/), with no stack yet."""
        copy_program(program, tmp / "project", name, ignore)
        (tmp / "state").mkdir()
        return cls(dir=tmp / "project", env=project_env(tmp, bin_dir, settings, passphrase))

    @staticmethod
    def command(argv: tuple[str, ...], stack: str | None) -> list[str]:
        """`pulumi <argv>` on `stack` (None: the selected one), as failures and transcripts show it."""
        return ["pulumi", *argv, *(["--stack", stack] if stack is not None else [])]

    def run(self, *argv: str, stack: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `pulumi <argv>`; with `check`, a non-zero exit raises PulumiFailed."""
        command = self.command(argv, stack)
        result = subprocess.run(
            [*command, "--non-interactive"],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=self.timeout,
        )
        what = " ".join(command)
        self.ran(what, result)
        if check and result.returncode != 0:
            raise PulumiFailed(what, result)
        return result

    def ran(self, what: str, result: subprocess.CompletedProcess[str]) -> None:
        """Called after every `run`, failed or not, with the command as text: a hook for subclasses."""

    def timed(self, *argv: str, stack: str | None = None) -> float:
        """The wall time of one checked run, in seconds: what the benchmark measures."""
        started = time.monotonic()
        self.run(*argv, stack=stack)
        return time.monotonic() - started

    def popen(self, *argv: str, stack: str | None = None) -> subprocess.Popen[str]:
        """Start a pulumi command in its own process group, so the whole tree can be killed or waited for."""
        return subprocess.Popen(
            [*self.command(argv, stack), "--non-interactive"],
            cwd=self.dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def config(self, values: Mapping[str, Any], *, secret: bool = False, stack: str | None = None) -> None:
        """`pulumi config set` each value (booleans as Pulumi spells them: true, false)."""
        for key, value in values.items():
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            self.run("config", "set", *(["--secret"] if secret else []), key, text, stack=stack)

    def preview_steps(self, *extra: str) -> list[dict[str, Any]]:
        """The steps of `pulumi preview --json`: op and URN/type of every resource."""
        return list(json.loads(self.run("preview", "--json", *extra).stdout).get("steps", []))


def change_summary(stdout: str) -> dict[str, int]:
    """Counts by operation from the `--json` output of up, refresh or destroy.

    Without `--skip-preview` that is one document with `changeSummary`; with it, a stream of engine events,
    one JSON object a line, whose summary event holds the counts.
    """
    try:
        documents = [json.loads(stdout)]
    except ValueError:
        documents = [json.loads(line) for line in stdout.splitlines() if line.strip().startswith("{")]
    for document in reversed(documents):
        summary = (
            document.get("changeSummary")
            or document.get("summary")
            or (document.get("summaryEvent") or {}).get("resourceChanges")
        )
        if summary:
            return {str(k): int(v) for k, v in summary.items()}
    return {}


class EmulatorAdmin:
    """The emulator's admin API: state, request counts, settings. Closes its connection when used in `with`."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=30)

    def __enter__(self) -> EmulatorAdmin:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def state(self) -> dict[str, Any]:
        return self.http.get("/_emulator/state").raise_for_status().json()  # type: ignore[no-any-return]

    def requests(self) -> dict[str, Any]:
        return self.http.get("/_emulator/requests").raise_for_status().json()  # type: ignore[no-any-return]

    def request_count(self) -> int:
        return int(self.requests()["total"])

    def reset(self, counters_only: bool = False) -> None:
        """Empty the emulator (or only its request counters); a full reset also restores its start settings."""
        body = {"counters_only": True} if counters_only else {"settings": True}
        self.http.post("/_emulator/reset", json=body).raise_for_status()

    def settings(self, **changes: Any) -> dict[str, Any]:
        if changes:
            return self.http.put("/_emulator/settings", json=changes).raise_for_status().json()  # type: ignore[no-any-return]
        return self.http.get("/_emulator/settings").raise_for_status().json()  # type: ignore[no-any-return]

    def seed_oauth_connection(self, integration: str, name: str, **fields: Any) -> None:
        """An OAuth connection, as only Zendesk's UI can make one."""
        self.http.post(
            f"/_emulator/zis/{integration}/oauth_connections", json={"name": name, **fields}
        ).raise_for_status()


@contextmanager
def emptied_emulator(server: EmulatorServer) -> Iterator[EmulatorAdmin]:
    """The admin API with the emulator emptied and its start settings back, before and after: no test sees
    another's objects or faults."""
    with EmulatorAdmin(server) as admin:
        admin.reset()
        yield admin
        admin.reset()
