"""The admin API: state, request counts, reset, settings, unknown routes."""

from __future__ import annotations

from .helpers import API_TOKEN, ZIS, Clients, seed_bundle


def test_requests_are_counted_by_route_template_and_status(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()
    clients.basic.get(f"{ZIS}/registry/example/bundles").raise_for_status()
    clients.basic.get(f"{ZIS}/registry/other/bundles").raise_for_status()
    clients.make.get("/sdk/apps/connections/missing")

    counts = clients.requests()

    assert counts["total"] == 4
    assert counts["by_endpoint"] == {
        "POST /api/services/zis/registry/{integration}/bundles": 1,
        "GET /api/services/zis/registry/{integration}/bundles": 2,
        "GET /api/v2/sdk/apps/connections/{name}": 1,
    }
    assert counts["by_status"] == {"200": 3, "404": 1}
    assert "log" not in counts


def test_request_log_lists_recent_requests_without_headers(clients: Clients) -> None:
    clients.basic.get(f"{ZIS}/registry/example/bundles", params={"page[size]": 5}).raise_for_status()

    [entry] = clients.requests(log=True)["log"]

    assert entry["method"] == "GET"
    assert entry["path"] == "/api/services/zis/registry/example/bundles"
    assert entry["status"] == 200
    assert entry["ms"] >= 0
    assert "authorization" not in str(entry).lower()
    assert API_TOKEN not in str(entry)


def test_unknown_api_routes_are_counted_as_unmatched_and_answer_vendor_404s(clients: Clients) -> None:
    zendesk = clients.basic.get(f"{ZIS}/nope")
    make = clients.make.get("/nope")

    assert zendesk.status_code == 404
    assert make.status_code == 404
    assert make.json()["code"] == "SC404"
    assert clients.requests()["by_endpoint"] == {"GET <unmatched>": 2}


def test_reset_clears_state_and_counters(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    response = clients.admin.post("/_emulator/reset")

    assert response.status_code == 200
    assert clients.state()["zis"]["bundles"] == {}
    assert clients.requests()["total"] == 0


def test_reset_counters_only_keeps_state(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    clients.admin.post("/_emulator/reset", json={"counters_only": True}).raise_for_status()

    assert len(clients.state()["zis"]["bundles"]) == 1
    assert clients.requests()["total"] == 0


def test_reset_with_settings_restores_the_start_settings(clients: Clients) -> None:
    defaults = clients.admin.get("/_emulator/settings").json()
    clients.settings(link_duplicate="conflict", faults={"rate_limit_every": 1, "scope": "make"})

    clients.admin.post("/_emulator/reset", json={"settings": True}).raise_for_status()

    assert clients.admin.get("/_emulator/settings").json() == defaults
    assert clients.make.get("/sdk/apps/my-app/connections").status_code == 200


def test_reset_without_settings_keeps_the_settings(clients: Clients) -> None:
    clients.settings(link_duplicate="conflict")

    clients.admin.post("/_emulator/reset").raise_for_status()

    assert clients.admin.get("/_emulator/settings").json()["link_duplicate"] == "conflict"


def test_state_holds_everything_with_secrets_in_clear(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()
    clients.basic.post(
        f"{ZIS}/registry/job_specs/install", params={"job_spec_name": "zis:example:job_spec:my_job_Spec"}
    ).raise_for_status()
    clients.create_link(
        "example",
        {"link_type": "t", "left_object": {"name": "a:1", "metadata": {"k": 1}}, "right_object": {"name": "b:1"}},
    ).raise_for_status()
    clients.bearer.post(
        f"{ZIS}/integrations/example/connections/bearer_token",
        json={"name": "conn", "token": "secret-token", "allowed_domain": "x.com"},
    ).raise_for_status()
    clients.create_make_connection("my-app", "oauth").raise_for_status()
    clients.make.put("/sdk/apps/connections/my-app/common", json={"clientSecret": "s3"}).raise_for_status()

    state = clients.state()

    [stored_bundle] = state["zis"]["bundles"].values()
    assert stored_bundle["resources"] == seed_bundle()["resources"]
    assert [js["installed"] for js in state["zis"]["job_specs"].values()] == [True]
    assert [link["left_object"]["metadata"] for link in state["zis"]["links"].values()] == [{"k": 1}]
    assert state["zis"]["connections"]["example/conn"]["fields"]["token"] == "secret-token"
    make_connection = state["make"]["connections"]["my-app"]
    assert make_connection["common"] == {"clientSecret": "s3"}
    assert make_connection["requested_type"] == "oauth"
    assert set(make_connection["sections"]) == {"api", "parameters", "scopes", "scope", "install", "installSpec"}


def test_settings_partial_update_keeps_other_settings(clients: Clients) -> None:
    clients.settings(link_duplicate="conflict", faults={"latency_ms": 5})

    settings = clients.settings(faults={"rate_limit_every": 4})

    assert settings["link_duplicate"] == "conflict"
    assert settings["faults"]["latency_ms"] == 5
    assert settings["faults"]["rate_limit_every"] == 4
    assert clients.admin.get("/_emulator/settings").json() == settings


def test_invalid_settings_are_400_and_change_nothing(clients: Clients) -> None:
    before = clients.admin.get("/_emulator/settings").json()

    responses = [
        clients.admin.put("/_emulator/settings", json={"link_duplicate": "maybe"}),
        clients.admin.put("/_emulator/settings", json={"faults": {"rate_limit_probability": 2}}),
        clients.admin.put("/_emulator/settings", json={"unknown": 1}),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400]
    assert clients.admin.get("/_emulator/settings").json() == before


def test_health_answers_ok(clients: Clients) -> None:
    assert clients.admin.get("/_emulator/health").json() == {"ok": True}
