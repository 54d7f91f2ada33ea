"""Injected faults: 429s, 5xx, lost responses, latency, seed and scope."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from starlette.types import Message, Receive, Scope, Send

from zis_pulumi.emulator import EmulatorSettings, Faults
from zis_pulumi.emulator.app import build_app
from zis_pulumi.emulator.runtime import Emulator

from .helpers import ZIS, Clients, basic_header, seed_bundle

BUNDLES = f"{ZIS}/registry/example/bundles"
MAKE_LIST = "/sdk/apps/my-app/connections"


def test_every_nth_request_is_rate_limited_with_zendesk_body_and_retry_after(clients: Clients) -> None:
    clients.settings(faults={"rate_limit_every": 3})

    responses = [clients.basic.get(BUNDLES) for _ in range(6)]

    assert [r.status_code for r in responses] == [200, 200, 429, 200, 200, 429]
    limited = responses[2]
    assert limited.json() == {"errors": [{"code": "TooManyRequests", "title": "Too many requests"}]}
    assert limited.headers["Retry-After"] == "1"


def test_retry_after_is_configurable_down_to_zero(clients: Clients) -> None:
    clients.settings(faults={"rate_limit_every": 1, "retry_after_seconds": 0})

    response = clients.basic.get(BUNDLES)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "0"


def test_make_rate_limit_has_make_body_and_no_retry_after(clients: Clients) -> None:
    clients.settings(faults={"rate_limit_every": 1})

    response = clients.make.get(MAKE_LIST)

    assert response.status_code == 429
    assert "Retry-After" not in response.headers
    assert response.json()["message"] == "Requests limit for organization exceeded"
    assert response.json()["code"] == "SC429"


def test_rate_limit_probability_one_limits_every_request(clients: Clients) -> None:
    clients.settings(faults={"rate_limit_probability": 1.0})

    assert {clients.basic.get(BUNDLES).status_code for _ in range(5)} == {429}


def test_admin_requests_are_never_faulted_nor_counted(clients: Clients) -> None:
    clients.settings(faults={"rate_limit_every": 1, "server_error_probability": 1.0, "latency_ms": 500})

    started = time.perf_counter()
    responses = [clients.admin.get("/_emulator/state"), clients.admin.get("/_emulator/settings")]

    assert [r.status_code for r in responses] == [200, 200]
    assert time.perf_counter() - started < 0.4
    assert clients.requests()["total"] == 0


def test_server_errors_in_vendor_shape(clients: Clients) -> None:
    clients.settings(faults={"server_error_probability": 1.0, "server_error_body": "vendor"})

    zendesk = clients.basic.get(BUNDLES)
    make = clients.make.get(MAKE_LIST)

    assert zendesk.status_code in (502, 503, 504)
    assert zendesk.json()["errors"][0]["code"] == "1050"
    assert make.status_code in (502, 503, 504)
    assert make.json()["code"] == f"SC{make.status_code}"


def test_server_errors_as_html_gateway_page(clients: Clients) -> None:
    clients.settings(
        faults={"server_error_probability": 1.0, "server_error_body": "html", "server_error_statuses": [503]}
    )

    response = clients.basic.get(BUNDLES)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "503 Service Unavailable" in response.text


def test_server_error_statuses_are_chosen_among_502_503_504(clients: Clients) -> None:
    clients.settings(faults={"server_error_probability": 1.0, "seed": 7})

    statuses = {clients.basic.get(BUNDLES).status_code for _ in range(40)}

    assert statuses == {502, 503, 504}


def test_server_error_on_a_create_changes_nothing(clients: Clients) -> None:
    clients.settings(faults={"server_error_probability": 1.0})

    response = clients.upload("example", seed_bundle())

    assert response.status_code >= 500
    assert clients.state()["zis"]["bundles"] == {}


def _upload(clients: Clients) -> httpx.Response:
    return clients.upload("example", seed_bundle())


def _create_link(clients: Clients) -> httpx.Response:
    return clients.create_link(
        "example", {"link_type": "t", "left_object": {"name": "a:1"}, "right_object": {"name": "b:1"}}
    )


def _install(clients: Clients) -> httpx.Response:
    return clients.basic.post(
        f"{ZIS}/registry/job_specs/install", params={"job_spec_name": "zis:example:job_spec:my_job_Spec"}
    )


def _create_make_connection(clients: Clients) -> httpx.Response:
    return clients.create_make_connection("my-app")


def _create_zis_connection(clients: Clients) -> httpx.Response:
    return clients.bearer.post(
        f"{ZIS}/integrations/example/connections/bearer_token",
        json={"name": "conn", "token": "t", "allowed_domain": "api.example.com"},
    )


def _bundle_stored(state: dict[str, object]) -> bool:
    return bool(state["zis"]["bundles"])  # type: ignore[index]


def _link_stored(state: dict[str, object]) -> bool:
    return bool(state["zis"]["links"])  # type: ignore[index]


def _job_spec_installed(state: dict[str, object]) -> bool:
    return [js["installed"] for js in state["zis"]["job_specs"].values()] == [True]  # type: ignore[index]


def _make_connection_stored(state: dict[str, object]) -> bool:
    return list(state["make"]["connections"]) == ["my-app"]  # type: ignore[index]


def _zis_connection_stored(state: dict[str, object]) -> bool:
    return list(state["zis"]["connections"]) == ["example/conn"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("create", "committed"),
    [
        (_upload, _bundle_stored),
        (_create_link, _link_stored),
        (_install, _job_spec_installed),
        (_create_make_connection, _make_connection_stored),
        (_create_zis_connection, _zis_connection_stored),
    ],
    ids=["bundle-upload", "link-create", "job-spec-install", "make-connection-create", "zis-connection-create"],
)
def test_lost_response_commits_the_create_and_drops_the_connection(
    clients: Clients,
    create: Callable[[Clients], httpx.Response],
    committed: Callable[[dict[str, object]], bool],
) -> None:
    if create is _install:
        _upload(clients).raise_for_status()
    clients.settings(faults={"lost_response_every": 1})

    with pytest.raises(httpx.RemoteProtocolError):
        create(clients)

    assert committed(clients.state())
    assert clients.requests()["by_status"].get("lost") == 1


def test_lost_response_every_n_counts_successful_creates(clients: Clients) -> None:
    clients.settings(faults={"lost_response_every": 2})
    outcomes: list[int | str] = []
    for index in range(4):
        try:
            response = clients.create_link(
                "example", {"link_type": "t", "left_object": {"name": f"a:{index}"}, "right_object": {"name": "b:1"}}
            )
            outcomes.append(response.status_code)
        except httpx.RemoteProtocolError:
            outcomes.append("lost")

    assert outcomes == [201, "lost", 201, "lost"]
    assert len(clients.state()["zis"]["links"]) == 4


def test_lost_response_probability_one_loses_every_create(clients: Clients) -> None:
    clients.settings(faults={"lost_response_probability": 1.0})

    with pytest.raises(httpx.RemoteProtocolError):
        _create_make_connection(clients)
    assert _make_connection_stored(clients.state())


def test_lost_response_spares_reads_and_refused_creates(clients: Clients) -> None:
    clients.settings(faults={"lost_response_every": 1})

    read = clients.basic.get(BUNDLES)
    refused = clients.upload("example", {"name": "broken"})

    assert read.status_code == 200
    assert refused.status_code == 400


def test_seed_makes_random_faults_repeatable(clients: Clients) -> None:
    def statuses() -> list[int]:
        return [clients.basic.get(BUNDLES).status_code for _ in range(30)]

    clients.settings(faults={"rate_limit_probability": 0.5, "seed": 42})
    first = statuses()
    clients.admin.post("/_emulator/reset", json={"counters_only": True}).raise_for_status()
    second = statuses()
    clients.settings(faults={"seed": 43})
    other_seed = statuses()

    assert first == second
    assert 200 in first and 429 in first
    assert other_seed != first


def test_fault_scope_limits_faults_to_one_vendor(clients: Clients) -> None:
    clients.settings(faults={"rate_limit_every": 1, "scope": "make"})

    assert clients.basic.get(BUNDLES).status_code == 200
    assert clients.make.get(MAKE_LIST).status_code == 429


def test_latency_is_added_and_concurrent_requests_overlap(clients: Clients) -> None:
    clients.settings(faults={"latency_ms": 300})

    def one(_: int) -> float:
        started = time.perf_counter()
        clients.bearer.get(BUNDLES).raise_for_status()
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=10) as pool:
        durations = list(pool.map(one, range(10)))
    total = time.perf_counter() - started

    assert min(durations) >= 0.3
    assert total < 0.3 * 3


def test_faults_can_be_given_at_the_top_level_of_a_settings_update(clients: Clients) -> None:
    settings = clients.settings(rate_limit_every=2, latency_ms=0)

    assert settings["faults"]["rate_limit_every"] == 2
    assert [clients.basic.get(BUNDLES).status_code for _ in range(2)] == [200, 429]


def test_lost_response_falls_back_to_504_where_the_connection_cannot_be_reached() -> None:
    """Under a server whose ``send`` does not lead to the TCP transport (here uvicorn with an ASGI layer in front
    of the gateway) the gateway cannot drop the connection, so it answers 504 with a gateway page; the create is
    committed all the same."""
    emulator = Emulator(EmulatorSettings(faults=Faults(lost_response_every=1)))
    gateway = build_app(emulator)

    async def layer_in_front(scope: Scope, receive: Receive, send: Send) -> None:
        async def forward(message: Message) -> None:
            await send(message)

        await gateway(scope, receive, forward)

    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(layer_in_front, log_config=None, lifespan="off", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        response = httpx.post(f"{base_url}{ZIS}/registry/example/bundles", json=seed_bundle(), headers=basic_header())
        state = httpx.get(f"{base_url}/_emulator/state").json()
    finally:
        server.should_exit = True
        thread.join(10)

    assert response.status_code == 504
    assert response.headers["content-type"].startswith("text/html")
    assert len(state["zis"]["bundles"]) == 1
