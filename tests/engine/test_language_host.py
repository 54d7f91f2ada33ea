"""The project's language host (scripts/pulumi-language-python) stops a program as Pulumi's own hosts do.

On Cancel (what the engine sends on the first Ctrl-C) the program gets SIGINT, so the SDK can finish what is in
flight and say why it stopped, and only later SIGKILL (see `gracePeriod` in main.go). `pulumi` runs in a session of
its own here, so the only SIGINT the program can get is the one its language host sends.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from tests.support.pulumi_cli import PulumiProject

# A program that says when it is running, then waits; on SIGINT it writes which signal came and exits.
PROGRAM = """
import os, signal, sys, time
from pathlib import Path

marker = Path(os.environ["ZIS_TEST_MARKER_DIR"])

def on_signal(signum, frame):
    (marker / "signal").write_text(signal.Signals(signum).name)
    sys.exit(1)

signal.signal(signal.SIGINT, on_signal)
(marker / "started").write_text(str(os.getpid()))
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    time.sleep(0.1)
"""


def wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            stdout, stderr = process.communicate()
            raise AssertionError(f"pulumi exited before {path.name}:\n{stdout[-3000:]}\n{stderr[-3000:]}")
        assert time.monotonic() < deadline, f"no {path.name} after {timeout}s"
        time.sleep(0.05)


def test_cancel_interrupts_the_program_before_it_would_kill_it(tmp_path: Path, pulumi_bin: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "__main__.py").write_text(PROGRAM)
    markers = tmp_path / "markers"
    markers.mkdir()
    project = PulumiProject.create(
        tmp_path / "run",
        source,
        name="language-host-cancel",
        bin_dir=pulumi_bin,
        settings={"ZIS_TEST_MARKER_DIR": str(markers)},
        passphrase="language-host",
    )
    project.run("stack", "init", "test")

    process = project.popen("up", "--yes", "--skip-preview")
    try:
        wait_for(markers / "started", process)
        process.send_signal(signal.SIGINT)  # to the CLI only: it asks its plugins, our host among them, to cancel
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    received = (markers / "signal").read_text() if (markers / "signal").exists() else None
    said = f"{stdout[-3000:]}\n{stderr[-3000:]}"
    assert received == "SIGINT", f"the program was not interrupted (signal marker: {received!r}); pulumi said:\n{said}"
    assert process.returncode != 0, "a cancelled up reports failure"
