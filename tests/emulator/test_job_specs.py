"""Job specs: install/uninstall by fully qualified name, listing, and what a bundle upload does to them."""

from __future__ import annotations

import httpx

from .helpers import ZIS, Clients, bundle, seed_bundle

INSTALL = f"{ZIS}/registry/job_specs/install"
QUALIFIED = "zis:example:job_spec:my_job_Spec"


def install(clients: Clients, name: str) -> httpx.Response:
    return clients.basic.post(INSTALL, params={"job_spec_name": name})


def job_specs(clients: Clients, integration: str = "example") -> list[dict[str, object]]:
    return clients.basic.get(f"{ZIS}/registry/{integration}/job_specs").json()["job_specs"]  # type: ignore[no-any-return]


def test_job_spec_list_shows_the_bundles_job_specs_uninstalled(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    [job_spec] = job_specs(clients)

    assert set(job_spec) == {
        "description",
        "event_source",
        "event_type",
        "flow_name",
        "installed",
        "integration",
        "name",
        "uuid",
    }
    assert job_spec["name"] == "my_job_Spec"
    assert job_spec["integration"] == "example"
    assert job_spec["event_source"] == "support"
    assert job_spec["event_type"] == "ticket.TicketCreated"
    assert job_spec["flow_name"] == "zis:example:flow:my_flow"
    assert job_spec["installed"] is False


def test_install_by_fully_qualified_name_answers_200_empty_and_installs(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    response = install(clients, QUALIFIED)

    assert response.status_code == 200
    assert response.content == b""
    assert job_specs(clients)[0]["installed"] is True


def test_install_by_short_name_is_400_invalid(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    response = install(clients, "my_job_Spec")

    assert response.status_code == 400
    assert response.json() == {"message": "one or more requested job specs is invalid: my_job_Spec"}


def test_install_of_unknown_job_spec_is_400_invalid(clients: Clients) -> None:
    response = install(clients, "zis:example:job_spec:missing")

    assert response.status_code == 400
    assert response.json() == {"message": "one or more requested job specs is invalid: zis:example:job_spec:missing"}


def test_install_without_job_spec_name_is_400(clients: Clients) -> None:
    response = clients.basic.post(INSTALL)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "1010"


def test_uninstall_answers_204_and_uninstalls(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()
    install(clients, QUALIFIED).raise_for_status()

    response = clients.basic.delete(INSTALL, params={"job_spec_name": QUALIFIED})

    assert response.status_code == 204
    assert job_specs(clients)[0]["installed"] is False


def test_uninstall_of_job_spec_not_installed_is_404(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()

    response = clients.basic.delete(INSTALL, params={"job_spec_name": QUALIFIED})

    assert response.status_code == 404
    assert response.json()["message"] == "Missing Resource"


def test_bundle_upload_orphans_every_installed_job_spec_of_the_integration(clients: Clients) -> None:
    clients.upload("shop", bundle("shop", name="orders", job_specs=("created", "updated"))).raise_for_status()
    clients.upload("shop", bundle("shop", name="users", job_specs=("user_created",))).raise_for_status()
    for name in ("created", "updated", "user_created"):
        install(clients, f"zis:shop:job_spec:{name}").raise_for_status()

    clients.upload("shop", bundle("shop", name="orders", job_specs=("created", "updated"))).raise_for_status()

    assert {js["name"]: js["installed"] for js in job_specs(clients, "shop")} == {
        "created": False,
        "updated": False,
        "user_created": False,
    }


def test_bundle_upload_keeps_job_spec_uuid_and_drops_job_specs_no_longer_declared(clients: Clients) -> None:
    clients.upload("shop", bundle("shop", job_specs=("created", "updated"))).raise_for_status()
    uuids = {js["name"]: js["uuid"] for js in job_specs(clients, "shop")}

    clients.upload("shop", bundle("shop", job_specs=("created",))).raise_for_status()

    after = job_specs(clients, "shop")
    assert [(js["name"], js["uuid"]) for js in after] == [("created", uuids["created"])]


def test_reinstall_answers_200_by_default(clients: Clients) -> None:
    clients.upload("example", seed_bundle()).raise_for_status()
    install(clients, QUALIFIED).raise_for_status()

    assert install(clients, QUALIFIED).status_code == 200


def test_reinstall_answers_409_with_conflict_switch(clients: Clients) -> None:
    clients.settings(job_spec_reinstall="conflict")
    clients.upload("example", seed_bundle()).raise_for_status()
    install(clients, QUALIFIED).raise_for_status()

    response = install(clients, QUALIFIED)

    assert response.status_code == 409
    assert response.json()["errors"][0]["status"] == "409"
    assert job_specs(clients)[0]["installed"] is True
