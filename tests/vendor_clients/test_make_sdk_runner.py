"""When the Make SDK test skips and when it fails: it may skip only where npm or its registry is out of reach, and
never under CI. `npm` and `node` are replaced here (the narrow case where a stand-in is the point)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from . import make_sdk_runner
from .make_sdk_runner import SdkUnavailable, ensure_sdk, skip_or_fail


@pytest.fixture
def not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(make_sdk_runner, "installed_version", lambda: None)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")


def npm_ci_failing_with(monkeypatch: pytest.MonkeyPatch, stderr: str) -> list[list[str]]:
    calls: list[list[str]] = []

    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 1, stdout="", stderr=stderr)

    monkeypatch.setattr(subprocess, "run", run)
    return calls


def test_without_npm_the_sdk_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(make_sdk_runner, "installed_version", lambda: None)
    monkeypatch.setattr(shutil, "which", lambda name: None)

    with pytest.raises(SdkUnavailable, match="not on PATH"):
        ensure_sdk()


@pytest.mark.usefixtures("not_installed")
def test_an_unreachable_registry_makes_the_sdk_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = npm_ci_failing_with(monkeypatch, "npm error code ENOTFOUND\nnpm error request to ... failed")

    with pytest.raises(SdkUnavailable, match="ENOTFOUND"):
        ensure_sdk()
    assert calls == [["/usr/bin/npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]]


@pytest.mark.usefixtures("not_installed")
def test_any_other_npm_failure_is_an_error_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    npm_ci_failing_with(monkeypatch, "npm error code EUSAGE\nnpm error `npm ci` can only install with a lockfile")

    with pytest.raises(RuntimeError, match="EUSAGE") as raised:
        ensure_sdk()
    assert not isinstance(raised.value, SdkUnavailable)


def test_unavailable_skips_outside_ci_and_fails_under_ci() -> None:
    unavailable = SdkUnavailable("no registry")

    with pytest.raises(pytest.skip.Exception, match="no registry"):
        skip_or_fail(unavailable, environ={})
    with pytest.raises(pytest.fail.Exception, match="CI must run"):
        skip_or_fail(unavailable, environ={"CI": "true"})


def test_the_lock_pins_the_sdk_the_script_imports() -> None:
    script = Path(make_sdk_runner.SCRIPT).read_text(encoding="utf-8")

    assert make_sdk_runner.pinned_version() == "1.6.10"
    assert 'from "@makehq/sdk"' in script
