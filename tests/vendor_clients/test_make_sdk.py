"""Make's own TypeScript SDK (@makehq/sdk, the library behind Make's CLI) against the emulator, with the credentials
the emulator prints: every SDK-app connection call of `make.sdk.connections`, its errors, and both credentials
(the API key, a UUID, sent as `Token`; the OAuth access token sent as `Bearer`).

The calls are made by tests/vendor_clients/make_sdk/connections.mjs; this module checks what the SDK returned
against the emulator's own state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import json5
import pytest

from tests.support.pulumi_cli import EmulatorAdmin
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

from .make_sdk_runner import SdkUnavailable, ensure_sdk, run_script, skip_or_fail

APP = "sdk-check"


@dataclass
class SdkRun:
    report: dict[str, Any]
    state: dict[str, Any]
    counts: dict[str, Any]

    def value(self, step: str) -> Any:
        outcome = self.report[step]
        assert outcome["ok"], f"{step} failed: {outcome}"
        return outcome["value"]

    def error(self, step: str) -> dict[str, Any]:
        outcome = self.report[step]
        assert not outcome["ok"], f"{step} should have failed: {outcome}"
        assert outcome["name"] == "MakeError"
        return outcome  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sdk_version() -> str:
    try:
        return ensure_sdk()
    except SdkUnavailable as unavailable:
        skip_or_fail(unavailable)


@pytest.fixture(scope="module")
def run(sdk_version: str) -> Iterator[SdkRun]:
    """One run of the SDK script on an emulator of its own, started with the default settings."""
    with EmulatorServer(settings=EmulatorSettings(), port=0) as server, EmulatorAdmin(server) as admin:
        report = run_script(server.env(), APP)
        yield SdkRun(report=report, state=admin.state(), counts=admin.requests())


def test_the_pinned_sdk_is_installed(sdk_version: str) -> None:
    assert sdk_version == "1.6.10"


def test_create_list_get_and_rename(run: SdkRun) -> None:
    assert run.value("list_empty") == []
    assert run.value("create") == {"name": APP, "label": "Main", "type": "basic"}
    assert run.value("create_oauth") == {"name": f"{APP}2", "label": "OAuth", "type": "oauth"}
    assert [(c["name"], c["label"]) for c in run.value("list")] == [(APP, "Main"), (f"{APP}2", "OAuth")]
    assert run.value("get") == {"name": APP, "label": "Main", "type": "basic"}
    assert run.value("update_label")["label"] == "Renamed"
    assert run.value("get_after_update")["label"] == "Renamed"
    assert run.state["make"]["connections"][APP]["label"] == "Renamed"


def test_sections_as_object_and_as_jsonc_text(run: SdkRun) -> None:
    template = run.value("get_section_api_template")
    assert isinstance(template, str) and "//" in template, "the SDK reads a section as JSONC text, comments kept"

    assert run.value("set_section_object") is None
    parameters = run.value("get_section_object")
    assert json5.loads(parameters) == [{"name": "apiKey", "type": "text", "label": "API Key", "required": True}]

    assert run.value("set_section_text") is None
    text = run.value("get_section_text")
    assert "// the request that checks the key" in text
    assert json5.loads(text)["url"] == "https://api.example.com/me"
    sections = run.state["make"]["connections"][APP]["sections"]
    assert (sections["api"], sections["parameters"]) == (text, parameters)


def test_common_set_and_get(run: SdkRun) -> None:
    assert run.value("set_common") is True
    assert run.value("get_common") == {"clientId": "client-id", "clientSecret": "client-secret"}


def test_delete(run: SdkRun) -> None:
    assert run.value("delete") is None
    assert [c["name"] for c in run.value("list_after_delete")] == [APP]
    assert run.error("get_deleted")["statusCode"] == 404
    assert set(run.state["make"]["connections"]) == {APP}


def test_errors_reach_the_sdk_as_make_errors_with_the_vendor_message(run: SdkRun) -> None:
    invalid_type = run.error("error_invalid_type")
    assert invalid_type["statusCode"] == 400
    assert "Value not found in options in parameter 'type'" in invalid_type["message"]
    assert run.error("error_unknown_connection")["statusCode"] == 404
    assert run.error("error_invalid_section")["statusCode"] == 400
    assert run.error("error_unknown_section")["statusCode"] == 404
    assert run.error("error_empty_label")["statusCode"] == 400


def test_a_wrong_token_is_401_and_the_oauth_token_is_accepted_as_bearer(run: SdkRun) -> None:
    wrong_key = run.error("error_wrong_api_key")
    assert (wrong_key["statusCode"], wrong_key["message"]) == (401, "Access denied: invalid token.")
    assert run.error("error_wrong_oauth_token")["statusCode"] == 401
    assert [c["name"] for c in run.value("oauth_token_list")] == [APP]


def test_every_call_reached_the_connection_endpoints(run: SdkRun) -> None:
    """No call of the script missed its route (each would show as unmatched) and none was blocked as a default
    library User-Agent (403)."""
    assert not any("<unmatched>" in endpoint for endpoint in run.counts["by_endpoint"])
    assert "403" not in run.counts["by_status"]
    assert sum(run.counts["by_status"].values()) == len(run.report)
