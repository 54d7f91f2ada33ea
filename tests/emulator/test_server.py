"""EmulatorServer and the command line: start/stop, env, state file persistence, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import zis_pulumi.emulator
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

from .helpers import ZIS, basic_header, bearer_header, make_headers, seed_bundle

REPO_ROOT = Path(zis_pulumi.emulator.__file__).resolve().parents[2]
ENV_NAMES = [
    "ZENDESK_BASE_URL",
    "MAKE_BASE_URL",
    "ZENDESK_EMAIL",
    "ZENDESK_API_TOKEN",
    "ZENDESK_OAUTH_TOKEN",
    "MAKE_API_TOKEN",
    "MAKE_OAUTH_TOKEN",
]


def test_env_describes_the_running_server() -> None:
    settings = EmulatorSettings(
        email="me@example.com", api_token="a", oauth_token="o", make_token="m", make_oauth_token="mo"
    )
    with EmulatorServer(settings=settings, port=0) as server:
        env = server.env()

    assert list(env) == ENV_NAMES
    assert env["ZENDESK_BASE_URL"] == f"http://127.0.0.1:{server.port}"
    assert env["MAKE_BASE_URL"] == f"http://127.0.0.1:{server.port}/api/v2"
    credentials = ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "ZENDESK_OAUTH_TOKEN", "MAKE_API_TOKEN", "MAKE_OAUTH_TOKEN")
    assert [env[name] for name in credentials] == ["me@example.com", "a", "o", "m", "mo"]


def test_server_accepts_connections_after_start_and_refuses_after_stop() -> None:
    server = EmulatorServer(port=0).start()
    health = httpx.get(f"{server.base_url}/_emulator/health")
    server.stop()

    assert health.status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/_emulator/health")


def test_state_file_is_written_after_every_change_and_loaded_on_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with EmulatorServer(port=0, state_file=state_file) as first:
        httpx.post(
            f"{first.base_url}{ZIS}/registry/example/bundles", json=seed_bundle(), headers=basic_header()
        ).raise_for_status()
        written_before_stop = json.loads(state_file.read_text())
        httpx.post(
            f"{first.make_base_url}/sdk/apps/my-app/connections",
            json={"type": "basic", "label": "x"},
            headers=make_headers(),
        ).raise_for_status()
        httpx.post(
            f"{first.base_url}{ZIS}/links/example",
            headers=bearer_header(),
            json={"link_type": "t", "left_object": {"name": "a:1"}, "right_object": {"name": "b:1"}},
        ).raise_for_status()
        uuid = httpx.get(f"{first.base_url}{ZIS}/registry/example/bundles", headers=basic_header()).json()["bundles"][
            0
        ]["uuid"]

    with EmulatorServer(port=0, state_file=state_file) as second:
        bundles = httpx.get(f"{second.base_url}{ZIS}/registry/example/bundles", headers=basic_header()).json()
        links = httpx.get(
            f"{second.base_url}{ZIS}/links/example",
            headers=bearer_header(),
            params={"link_type": "t", "left_object_name": "a:1"},
        ).json()
        next_name = httpx.post(
            f"{second.make_base_url}/sdk/apps/my-app/connections",
            json={"type": "basic", "label": "y"},
            headers=make_headers(),
        ).json()

    assert len(written_before_stop["zis"]["bundles"]) == 1
    assert [b["uuid"] for b in bundles["bundles"]] == [uuid]
    assert links["count"] == 1
    assert next_name["appConnection"]["name"] == "my-app2"


def _start_cli(tmp_path: Path, *arguments: str) -> tuple[subprocess.Popen[str], Path]:
    env_file = tmp_path / "emulator.env"
    process = subprocess.Popen(
        [sys.executable, "-m", "zis_pulumi.emulator", "--port", "0", "--env-file", str(env_file), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    deadline = time.monotonic() + 30
    while not env_file.exists():
        if process.poll() is not None:
            raise AssertionError(f"the emulator exited early: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the emulator did not write its env file in time")
        time.sleep(0.02)
    return process, env_file


def _stop_cli(process: subprocess.Popen[str], signal_number: int = signal.SIGTERM) -> int:
    process.send_signal(signal_number)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_cli_prints_env_lines_writes_env_file_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    process, env_file = _start_cli(tmp_path, "--state", str(state_file), "--email", "ci@example.com")
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline().rstrip("\n") for _ in ENV_NAMES]
        env = dict(line.split("=", 1) for line in printed)
        file_lines = env_file.read_text().splitlines()
        health = httpx.get(f"{env['ZENDESK_BASE_URL']}/_emulator/health")
        upload = httpx.post(
            f"{env['ZENDESK_BASE_URL']}{ZIS}/registry/example/bundles",
            json=seed_bundle(),
            headers=basic_header(email="ci@example.com"),
        )
    finally:
        exit_code = _stop_cli(process)

    assert [line.split("=", 1)[0] for line in printed] == ENV_NAMES
    assert file_lines == printed
    assert env["ZENDESK_BASE_URL"].startswith("http://127.0.0.1:")
    assert not env["ZENDESK_BASE_URL"].endswith(":0")
    assert env["MAKE_BASE_URL"] == env["ZENDESK_BASE_URL"] + "/api/v2"
    assert env["ZENDESK_EMAIL"] == "ci@example.com"
    assert health.status_code == 200
    assert upload.status_code == 200
    assert exit_code == 0
    assert len(json.loads(state_file.read_text())["zis"]["bundles"]) == 1
    assert not env_file.exists()


def test_cli_flags_set_faults_and_behaviour_switches_and_sigint_stops_it(tmp_path: Path) -> None:
    process, env_file = _start_cli(
        tmp_path,
        "--rate-limit-every",
        "3",
        "--latency-ms",
        "5",
        "--seed",
        "9",
        "--link-duplicate",
        "conflict",
        "--job-spec-reinstall",
        "conflict",
        "--make-delete-delay-ms",
        "100",
        "--fault-scope",
        "zendesk",
        "--make-token",
        "ci-make-token",
        "--make-oauth-token",
        "ci-make-oauth-token",
    )
    try:
        env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        settings = httpx.get(f"{env['ZENDESK_BASE_URL']}/_emulator/settings").json()
    finally:
        exit_code = _stop_cli(process, signal.SIGINT)
    stderr = process.stderr.read() if process.stderr else ""

    assert env["MAKE_API_TOKEN"] == "ci-make-token"
    assert env["MAKE_OAUTH_TOKEN"] == "ci-make-oauth-token"
    assert "the Make token is not a UUID" in stderr, "a token Make's SDK would send as Bearer is warned about"
    assert settings["faults"]["rate_limit_every"] == 3
    assert settings["faults"]["latency_ms"] == 5
    assert settings["faults"]["seed"] == 9
    assert settings["faults"]["scope"] == "zendesk"
    assert settings["link_duplicate"] == "conflict"
    assert settings["job_spec_reinstall"] == "conflict"
    assert settings["make_delete_delay_ms"] == 100
    assert exit_code == 0
    assert not env_file.exists()
