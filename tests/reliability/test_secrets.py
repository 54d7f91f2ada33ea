"""Secrets: no credential and no secret value in state exports, engine logs, outputs or error messages.

The values looked for: the emulator's credentials (random per session), the basic-auth header made of
them, the Make connections' common `clientSecret`, and a ZIS OAuth connection's access and refresh
tokens (seeded through the emulator's admin API and read by `get_connections_output`).

One run keeps the credentials in secret stack config (not the environment) and logs the engine at
`--logtostderr -v=9`; the last test looks through everything the suite's other tests printed too.

A limit of Pulumi 3.259, not of this project: at `-v=9` the engine traces every property it marshals over
gRPC ("Marshaling property for RPC[…]: key=value") and writes the elements of secret values there in clear
(decrypted stack config secrets in `Configure().inputs`, secret resource inputs in `RegisterResource`,
`Check` and `Create`). Its secret filter (`logging.FilterString`) runs before the message is formatted
from its arguments (`formattingHandler` in sdk/go/common/util/logging/log.go), so it never sees them.
Those trace lines are checked apart (`test_engine_rpc_trace_at_v9_keeps_secrets`, an expected failure);
every other line of the verbose log must be clean.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zis_pulumi.emulator import EmulatorServer

from .conftest import (
    ENGINE_RPC_TRACE,
    MAKE_SECRET,
    OAUTH_ACCESS_TOKEN,
    OAUTH_REFRESH_TOKEN,
    TRANSCRIPT,
    Admin,
    assert_holds,
    declared,
    leaks,
    make_project,
)
from .program.spec import INTEGRATION

VERBOSE = ("--logtostderr", "-v=9")
VERBOSE_LOGS: list[tuple[str, str]] = []
"""The verbose runs' output, for the test of the engine's RPC trace."""


def test_no_secret_in_verbose_engine_logs_exports_or_outputs(
    tmp_path: Path, pulumi_bin: Path, rel_emulator: EmulatorServer, admin: Admin
) -> None:
    admin.seed_oauth_connection(
        INTEGRATION,
        "crm_oauth",
        access_token=OAUTH_ACCESS_TOKEN,
        refresh_token=OAUTH_REFRESH_TOKEN,
        oauth_access_token_response_body={"access_token": OAUTH_ACCESS_TOKEN, "refresh_token": OAUTH_REFRESH_TOKEN},
        allowed_domain="crm.example.com",
    )
    project = make_project(tmp_path, pulumi_bin, rel_emulator, config={"lookup": True}, credentials_in_config=True)
    # Some faults, so that retries and their log lines happen too.
    admin.settings(faults={"rate_limit_every": 7, "lost_response_probability": 0.2, "seed": 3})

    up = project.run("up", "--yes", "--skip-preview", *VERBOSE)
    assert len(up.stderr) > 10_000 and '"v":9' in up.stderr, "no verbose engine log was captured"
    assert_holds(admin, declared(0), "the verbose up")

    outputs = json.loads(project.run("stack", "output", "--json", "--show-secrets").stdout)
    assert outputs["oauth_tokens_present"] is True, "the program did not read the OAuth connection's tokens"
    assert "crm_oauth" in outputs["connection_names"]
    project.run("stack", "output", "--json")
    exported = project.run("stack", "export").stdout
    assert "ciphertext" in exported, "the export holds no encrypted value at all"

    project.config({"generation": 1})
    project.run("preview", "--diff", *VERBOSE)
    project.up()
    project.run("refresh", "--yes", "--skip-preview", *VERBOSE)
    project.run("destroy", "--yes", "--skip-preview", *VERBOSE)
    assert_holds(admin, None, "the verbose destroy")
    VERBOSE_LOGS.extend(entry for entry in project.outputs if "-v=9" in entry[0])

    found = leaks(rel_emulator, project.outputs)
    assert not found, f"secret values in the output: {found}"


def test_no_secret_anywhere_in_the_suites_output(rel_emulator: EmulatorServer) -> None:
    """Everything every pulumi command of this session printed (and every export it made)."""
    assert TRANSCRIPT, "nothing recorded"
    found = leaks(rel_emulator, TRANSCRIPT)
    assert not found, f"secret values in the output: {sorted(set(found))[:20]}"


@pytest.mark.xfail(
    reason="Pulumi 3.259 writes the elements of secret values in clear in its -v=9 RPC trace (see the module doc)",
    strict=True,  # deterministic with 3.259: an engine that stops doing it makes this pass, and we want to know
)
def test_engine_rpc_trace_at_v9_keeps_secrets(rel_emulator: EmulatorServer) -> None:
    if not VERBOSE_LOGS:
        pytest.skip("the verbose run did not happen")
    found = leaks(rel_emulator, VERBOSE_LOGS, engine_rpc_trace=True)
    lines = [
        line
        for _, text in VERBOSE_LOGS
        for line in text.splitlines()
        if ENGINE_RPC_TRACE.search(line) and MAKE_SECRET in line
    ]
    assert not found, f"{sorted(set(found))}; e.g. {lines[:1]}"
