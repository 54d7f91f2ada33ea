"""Installing Make's TypeScript SDK from npm beside its driver script, and running that script.

The SDK is pinned by tests/vendor_clients/make_sdk/package-lock.json and installed with `npm ci` into that
directory's node_modules/ (gitignored), once: later runs reuse it while it holds the pinned version. Without npm, or
when the npm registry cannot be reached, the caller skips, except under CI (CI=true), where it fails: there the
registry is reachable and the test must run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

SDK_DIR = Path(__file__).resolve().parent / "make_sdk"
SCRIPT = SDK_DIR / "connections.mjs"
NETWORK_ERRORS = re.compile(r"ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|network", re.I)


class SdkUnavailable(RuntimeError):
    """npm or the npm registry cannot be reached: the SDK cannot be installed here."""


def pinned_version() -> str:
    lock = json.loads((SDK_DIR / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/@makehq/sdk"]["version"])


def installed_version() -> str | None:
    manifest = SDK_DIR / "node_modules" / "@makehq" / "sdk" / "package.json"
    if not manifest.exists():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def ensure_sdk() -> str:
    """The pinned SDK installed; returns its version. Raises SdkUnavailable when npm cannot fetch it."""
    version = pinned_version()
    if installed_version() == version:
        return version
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise SdkUnavailable("node and npm are needed to install Make's SDK (@makehq/sdk) and are not on PATH")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=SDK_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        message = f"`npm ci` in {SDK_DIR} failed ({result.returncode}):\n{result.stderr[-2000:]}"
        if NETWORK_ERRORS.search(result.stderr):
            raise SdkUnavailable(message)
        raise RuntimeError(message)
    if installed_version() != version:
        raise RuntimeError(f"`npm ci` did not install @makehq/sdk {version} in {SDK_DIR / 'node_modules'}")
    return version


def skip_or_fail(unavailable: SdkUnavailable, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Skip the calling test where the SDK cannot be installed, but fail under CI, which must run it."""
    if environ.get("CI"):
        pytest.fail(f"CI must run Make's SDK against the emulator: {unavailable}")
    pytest.skip(f"Make's SDK cannot be installed here: {unavailable}")


def run_script(env: Mapping[str, str], app: str) -> dict[str, Any]:
    """Run connections.mjs with the emulator's environment; its JSON report."""
    node = shutil.which("node")
    if node is None:
        raise SdkUnavailable("node is not on PATH")
    script_env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE_")}
    script_env.update(env)
    script_env["APP"] = app
    result = subprocess.run(
        [node, str(SCRIPT)], cwd=SDK_DIR, env=script_env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"{SCRIPT.name} failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)  # type: ignore[no-any-return]
