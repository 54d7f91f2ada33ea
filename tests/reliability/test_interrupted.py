"""`pulumi up` killed part-way (SIGINT, then SIGKILL), then the recovery recipe, converges.

After a SIGKILL the file backend keeps the stack's lock and the state keeps "pending create" operations
for the resources whose create was in flight (their objects may or may not exist). What Pulumi 3.259
needs, in this order:

    pulumi cancel --yes                                   # removes the lock the killed process left
    pulumi refresh --yes --clear-pending-creates          # drops the pending creates, reads the rest
    pulumi up --yes                                       # creates them again: the providers adopt what exists

Without `--clear-pending-creates` the pending operations stay in the state (every later `up` warns about
them); a plain `pulumi refresh` only clears them interactively.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from zis_pulumi.emulator import EmulatorServer

from .conftest import Admin, Project, assert_holds, declared, kill_group, kill_strays, leaks, make_project, wait_group

MAKE_CREATE = "POST /api/v2/sdk/apps/{app}/connections"
LINK_CREATE = "POST /api/services/zis/links/{integration}"


def settle(admin: Admin, quiet_seconds: float = 1.0, timeout: float = 30) -> None:
    """Wait until the emulator sees no more requests (a killed provider's last ones included)."""
    deadline = time.monotonic() + timeout
    count = -1
    while time.monotonic() < deadline:
        now = admin.request_count()
        if now == count:
            return
        count = now
        time.sleep(quiet_seconds)


def pending_operations(export: dict[str, object]) -> list[str]:
    deployment = export.get("deployment")
    assert isinstance(deployment, dict)
    operations = deployment.get("pending_operations") or []
    return [f"{op['type']} {op['resource']['urn'].split('::')[-1]}" for op in operations]


def up_in_flight(project: Project, ready: Callable[[], bool]) -> subprocess.Popen[str]:
    """Start `pulumi up` and return once `ready()` says the moment to interrupt it has come."""
    process = project.popen("up", "--yes", "--skip-preview", "--parallel", "16")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and not ready():
        time.sleep(0.02)
    if process.poll() is not None:
        stdout, stderr = process.communicate()
        raise AssertionError(f"the up finished before it could be interrupted:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return process


def test_a_killed_up_converges_after_cancel_refresh_and_up(
    tmp_path: Path, pulumi_bin: Path, rel_emulator: EmulatorServer, admin: Admin
) -> None:
    project = make_project(tmp_path, pulumi_bin, rel_emulator)
    # Slow enough that creates are in flight when the CLI dies: links and Make connections alike.
    admin.settings(latency_ms=800)

    def creates_in_flight() -> bool:
        counts = admin.requests()["by_endpoint"]
        return bool(counts.get(MAKE_CREATE, 0) >= 2 and counts.get(LINK_CREATE, 0) >= 4)

    process = up_in_flight(project, creates_in_flight)
    try:
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)  # Pulumi starts a graceful cancel: in-flight creates would finish; do not wait for it
        process.kill()
        stdout, stderr = process.communicate(timeout=30)
        project.outputs.append(("the killed up", f"{stdout}\n{stderr}"))
    finally:
        if not wait_group(process.pid, 20):
            kill_group(process.pid)
    settle(admin)  # the provider outlives the CLI and may finish its creates: let it, as it would
    kill_strays(project.dir)
    admin.settings(latency_ms=0)

    # What the kill left: a lock, and pending creates.
    locked = project.run("up", "--yes", "--skip-preview", check=False)
    assert locked.returncode != 0 and "locked" in locked.stdout + locked.stderr, locked.stdout[-2000:]
    project.run("cancel", "--yes")
    pending = pending_operations(project.export())
    assert pending, "the kill left no pending operation: it came too late to test anything"

    summary = project.refresh("--clear-pending-creates")
    assert summary, summary
    assert not pending_operations(project.export())
    project.up()

    assert_holds(admin, declared(0), "the recovery (cancel, refresh --clear-pending-creates, up)")
    project.assert_no_changes()
    assert not pending_operations(project.export())

    # And the stack goes on: an edit and a destroy leave exactly what they should.
    project.config({"generation": 1})
    project.up()
    assert_holds(admin, declared(1), "the edit after the recovery")
    project.destroy()
    assert_holds(admin, None, "the destroy after the recovery")
    assert not leaks(rel_emulator, [*project.outputs, ("export", json.dumps(project.export()))])


def test_a_sigint_alone_cancels_cleanly(
    tmp_path: Path, pulumi_bin: Path, rel_emulator: EmulatorServer, admin: Admin
) -> None:
    """One Ctrl-C: Pulumi lets the creates in flight finish and saves them; a plain `up` then finishes."""
    project = make_project(tmp_path, pulumi_bin, rel_emulator)
    admin.settings(latency_ms=300)
    process = up_in_flight(project, lambda: admin.request_count() >= 20)
    try:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
        project.outputs.append(("the interrupted up", f"{stdout}\n{stderr}"))
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    finally:
        if not wait_group(process.pid, 20):
            kill_group(process.pid)
        kill_strays(project.dir)
    assert process.returncode != 0, "the up was not cancelled"
    settle(admin)
    admin.settings(latency_ms=0)
    assert not pending_operations(project.export())
    project.up()
    assert_holds(admin, declared(0), "the up after a cancelled one")
    project.destroy()
    assert_holds(admin, None, "the destroy")
