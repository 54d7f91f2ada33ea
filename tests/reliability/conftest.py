"""The reliability suite: the real pulumi CLI against the emulator with faults, interruptions and drift.

Sizes are parameters with CI-friendly defaults (environment variables):

- ZIS_RELIABILITY_LINKS (40) and ZIS_RELIABILITY_CONNECTIONS (6): with 1 bundle and 3 job-spec
  installations, a stack of 50 resources;
- ZIS_RELIABILITY_CYCLES (2): up → edit → up → destroy cycles under faults.

Every pulumi command's output is kept (`TRANSCRIPT`) so the secrets test can look through all of it; the
emulator's credentials are random per session, so a credential found anywhere is a real leak.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.support.pulumi_cli import EmulatorAdmin, PulumiProject, change_summary, emptied_emulator
from zis_pulumi.app_connection import CLAIM_KEY
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

from .program.spec import APPS, INTEGRATION, StackSpec, make_kind, stack_spec

PROGRAM = Path(__file__).resolve().parent / "program"
PASSPHRASE = "reliability-tests"
STACK = "rel"
LINKS = int(os.environ.get("ZIS_RELIABILITY_LINKS", "40"))
CONNECTIONS = int(os.environ.get("ZIS_RELIABILITY_CONNECTIONS", "6"))
CYCLES = int(os.environ.get("ZIS_RELIABILITY_CYCLES", "2"))
SESSION = uuid.uuid4().hex[:12]
MAKE_SECRET = f"make-client-secret-{SESSION}"
OAUTH_ACCESS_TOKEN = f"oauth-access-token-{SESSION}"
OAUTH_REFRESH_TOKEN = f"oauth-refresh-token-{SESSION}"
PROGRAM_SECRET = f"program-secret-{SESSION}"
"""A secret the program makes itself (`pulumi.Output.secret`), not from the stack config: the engine's secret
filter does not know it, so only the providers' care keeps it out of messages."""

TRANSCRIPT: list[tuple[str, str]] = []
"""(what, text) of every pulumi command and state export of the session."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/reliability/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.engine)


# --- the emulator ---------------------------------------------------------------------------------


Admin = EmulatorAdmin
"""The emulator's admin API (tests/support/pulumi_cli.py), by the name this suite's tests use."""


@pytest.fixture(scope="session")
def rel_emulator() -> Iterator[EmulatorServer]:
    settings = EmulatorSettings(
        api_token=f"zendesk-api-token-{SESSION}",
        oauth_token=f"zis-oauth-token-{SESSION}",
        make_token=f"make-api-token-{SESSION}",
    )
    with EmulatorServer(settings=settings, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def admin(rel_emulator: EmulatorServer) -> Iterator[Admin]:
    """The admin API, with the emulator emptied and its faults off before and after each test."""
    with emptied_emulator(rel_emulator) as admin:
        yield admin


def secret_values(server: EmulatorServer) -> dict[str, str]:
    """Every credential and secret value of the session, by what it is."""
    env = server.env()
    basic = base64.b64encode(f"{env['ZENDESK_EMAIL']}/token:{env['ZENDESK_API_TOKEN']}".encode()).decode()
    return {
        "ZENDESK_API_TOKEN": env["ZENDESK_API_TOKEN"],
        "ZENDESK_OAUTH_TOKEN": env["ZENDESK_OAUTH_TOKEN"],
        "MAKE_API_TOKEN": env["MAKE_API_TOKEN"],
        "basic auth header": basic,
        "Make common clientSecret": MAKE_SECRET,
        "ZIS OAuth access_token": OAUTH_ACCESS_TOKEN,
        "ZIS OAuth refresh_token": OAUTH_REFRESH_TOKEN,
        "secret made by the program": PROGRAM_SECRET,
    }


ENGINE_RPC_TRACE = re.compile(r"(Un)?[Mm]arshaling property for RPC\[")
"""The engine's own trace of every property it sends or receives over gRPC (`-v=9`). Pulumi 3.259 writes the
elements of secret values there in clear (see `test_secrets.py`): a leak of the engine, not of this project."""


def without_engine_rpc_trace(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not ENGINE_RPC_TRACE.search(line))


def leaks(server: EmulatorServer, entries: list[tuple[str, str]], *, engine_rpc_trace: bool = False) -> list[str]:
    """`what: secret name` for every secret value found in the entries.

    Lines of the engine's RPC property trace are left out unless `engine_rpc_trace` is true.
    """
    found = []
    for name, value in secret_values(server).items():
        for what, text in entries:
            if value in (text if engine_rpc_trace else without_engine_rpc_trace(text)):
                found.append(f"{what}: {name}")
    return found


# --- projects -------------------------------------------------------------------------------------


@dataclass
class Project(PulumiProject):
    """A copy of the reliability program with its own file backend and stack, run with the emulator's env.

    Every command's output is kept, here and in the session's TRANSCRIPT, for the secrets checks.
    """

    outputs: list[tuple[str, str]] = field(default_factory=list)
    timeout: ClassVar[float | None] = 900

    def ran(self, what: str, result: subprocess.CompletedProcess[str]) -> None:
        entry = (what, f"{result.stdout}\n{result.stderr}")
        self.outputs.append(entry)
        TRANSCRIPT.append(entry)

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", "--parallel", "16", *extra)

    def destroy(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "--yes", "--skip-preview", "--parallel", "16", *extra)

    def refresh(self, *extra: str) -> dict[str, int]:
        result = self.run("refresh", "--yes", "--skip-preview", "--json", "--parallel", "16", *extra)
        return change_summary(result.stdout)

    def preview_changes(self) -> dict[str, int]:
        """Counts by operation of a `pulumi preview` (`same` included)."""
        return dict(Counter(str(step["op"]) for step in self.preview_steps()))

    def assert_no_changes(self) -> None:
        changes = {op: n for op, n in self.preview_changes().items() if op not in ("same", "read")}
        assert not changes, f"a preview right after shows changes: {changes}"

    def export(self) -> dict[str, Any]:
        result = self.run("stack", "export")
        return json.loads(result.stdout)  # type: ignore[no-any-return]


def make_project(
    tmp: Path,
    pulumi_bin: Path,
    server: EmulatorServer,
    *,
    links: int = LINKS,
    connections: int = CONNECTIONS,
    config: dict[str, Any] | None = None,
    credentials_in_config: bool = False,
) -> Project:
    """A project of the reliability program; credentials in the environment, or as secret stack config."""
    server_env = server.env()
    # With the credentials in the stack config, the environment gives only where the emulator is.
    env_keys = ("ZENDESK_BASE_URL", "MAKE_BASE_URL") if credentials_in_config else tuple(server_env)
    project = Project.create(
        tmp,
        PROGRAM,
        name="zis-pulumi-reliability",
        bin_dir=pulumi_bin,
        settings={
            **{k: server_env[k] for k in env_keys},
            # Keep the retries of the injected faults short; the policy itself is what is tested.
            "ZIS_PULUMI_RETRY_MAX_SECONDS": "60",
            "ZIS_RELIABILITY_PROGRAM_SECRET": PROGRAM_SECRET,
        },
        passphrase=PASSPHRASE,
        ignore=("__pycache__", "__init__.py"),
    )
    project.run("stack", "init", STACK)
    project.config({"links": links, "connections": connections, "generation": 0, **(config or {})})
    project.config({"makeSecret": MAKE_SECRET}, secret=True)
    if credentials_in_config:
        project.config(
            {"zendesk:email": server_env["ZENDESK_EMAIL"]},
        )
        project.config(
            {
                "zendesk:apiToken": server_env["ZENDESK_API_TOKEN"],
                "zendesk:oauthToken": server_env["ZENDESK_OAUTH_TOKEN"],
                "make:apiToken": server_env["MAKE_API_TOKEN"],
            },
            secret=True,
        )
    return project


# --- what the emulator holds ----------------------------------------------------------------------


def _section_value(text: str) -> Any:
    import json5

    return json5.loads(text) if text.strip() else None


def ours(state: dict[str, Any]) -> dict[str, Any]:
    """The objects of the reliability stack's integration and apps in the emulator's state."""
    zis, make = state["zis"], state["make"]
    return {
        "bundles": [b for b in zis["bundles"].values() if b["integration"] == INTEGRATION],
        "job_specs": [j for j in zis["job_specs"].values() if j["integration"] == INTEGRATION],
        "links": [link for link in zis["links"].values() if link["integration"] == INTEGRATION],
        "connections": [c for c in make["connections"].values() if c["app"] in APPS and c.get("gone_at") is None],
    }


def mismatches(state: dict[str, Any], spec: StackSpec | None) -> list[str]:
    """How the emulator differs from the declared stack (None: nothing declared). Empty when equal."""
    held = ours(state)
    problems: list[str] = []
    spec = spec or StackSpec()

    bundles = Counter((b["integration"], b["name"]) for b in held["bundles"])
    wanted_bundles = Counter((b.integration, b.name) for b in spec.bundles)
    if bundles != wanted_bundles:
        problems.append(f"bundles {dict(bundles)} != declared {dict(wanted_bundles)}")
    for b in spec.bundles:
        stored = next((x for x in held["bundles"] if x["name"] == b.name), None)
        if stored is not None:
            if stored["description"] != b.description:
                problems.append(f"bundle {b.name}: description {stored['description']!r} != {b.description!r}")
            if stored["resources"] != b.resources:
                problems.append(f"bundle {b.name}: resources differ from the declared ones")

    installed = sorted(j["name"] for j in held["job_specs"] if j["installed"])
    wanted_installed = sorted(i.job_spec for i in spec.installs)
    if installed != wanted_installed:
        problems.append(f"installed job specs {installed} != declared {wanted_installed}")

    links = Counter(
        (x["integration"], x["link_type"], x["left_object"]["name"], x["right_object"]["name"]) for x in held["links"]
    )
    wanted_links = Counter(link.identity for link in spec.links)
    extra = links - wanted_links
    missing = wanted_links - links
    if extra:
        problems.append(f"{sum(extra.values())} links not declared (or copies): {sorted(extra)[:5]}")
    if missing:
        problems.append(f"{sum(missing.values())} declared links missing: {sorted(missing)[:5]}")
    by_identity = {
        (x["integration"], x["link_type"], x["left_object"]["name"], x["right_object"]["name"]): x
        for x in held["links"]
    }
    for link in spec.links:
        stored = by_identity.get(link.identity)
        if stored is None:
            continue
        if stored["left_object"]["metadata"] != link.left_metadata:
            problems.append(f"link {link.resource}: left metadata {stored['left_object']['metadata']}")
        if stored["right_object"]["metadata"] != link.right_metadata:
            problems.append(f"link {link.resource}: right metadata {stored['right_object']['metadata']}")

    connections = Counter((c["app"], c["label"]) for c in held["connections"])
    wanted_connections = Counter((c.app, c.label) for c in spec.connections)
    if connections != wanted_connections:
        extra_c = connections - wanted_connections
        missing_c = wanted_connections - connections
        problems.append(f"Make connections: extra {dict(extra_c)}, missing {dict(missing_c)}")
    by_label = {(c["app"], c["label"]): c for c in held["connections"]}
    for c in spec.connections:
        stored = by_label.get((c.app, c.label))
        if stored is None:
            continue
        if stored["type"] != make_kind(c.type):
            problems.append(f"connection {c.resource}: type {stored['type']} != {make_kind(c.type)}")
        common = dict(stored["common"])
        if not isinstance(common.pop(CLAIM_KEY, None), str):
            problems.append(f"connection {c.resource}: common holds no claim")
        if common != {**c.common_public, "clientSecret": MAKE_SECRET}:
            problems.append(f"connection {c.resource}: common differs from the declared one")
        for prop, value in c.sections.items():
            wire = {"install_spec": "installSpec"}.get(prop, prop)
            if _section_value(stored["sections"].get(wire, "")) != value:
                problems.append(f"connection {c.resource}: section {wire} differs from the declared one")
    return problems


def assert_holds(admin: Admin, spec: StackSpec | None, when: str) -> None:
    problems = mismatches(admin.state(), spec)
    assert not problems, f"after {when}, the emulator does not hold exactly the declared stack:\n  " + "\n  ".join(
        problems
    )


def declared(generation: int, links: int = LINKS, connections: int = CONNECTIONS) -> StackSpec:
    return stack_spec(links=links, connections=connections, generation=generation)


# --- processes ------------------------------------------------------------------------------------


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_group(pgid: int, timeout: float) -> bool:
    """Wait for every process of the group to end; True when they did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.1)
    return not group_alive(pgid)


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def kill_strays(workdir: Path) -> list[int]:
    """Kill what a killed `pulumi` left running in `workdir` (its language host and provider start their own
    process groups, so killing the CLI's group misses them); returns their ids."""
    root = workdir.resolve()
    killed: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = (entry / "cwd").resolve()
        except OSError:
            continue
        if cwd == root or root in cwd.parents:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed
