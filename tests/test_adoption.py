"""Adoption of what exists already, as an exported program's first `up` relies on: an identical bundle, an
installed job spec and a named Make connection are taken over with no write; only what differs is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EmulatorAdmin
from tests.support.driver import ProviderDriver, fresh_connection_driver
from zis_pulumi._make import MakeClient
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.app_connection import CLAIM_KEY, claim_of
from zis_pulumi.bundle import BundleProvider
from zis_pulumi.errors import ZisPulumiError
from zis_pulumi.job_spec import JobSpecInstallationProvider

INTEGRATION = "acme_sync"
APP = "acme-crm"
WRITES = ("POST ", "PUT ", "PATCH ", "DELETE ")
API = {"url": "https://crm.example.com/api/v1/me", "headers": {"authorization": "Bearer {{connection.accessToken}}"}}
PARAMETERS = [{"name": "clientId", "type": "text", "label": "Client ID", "required": True}]
COMMON = {"clientId": "acme-client", "clientSecret": "adoption-secret"}
CLAIM = claim_of("urn:pulumi:dev::adopted::pulumi-python:dynamic/make:AppConnection::crm")
BUNDLE: dict[str, Any] = {
    "name": "acme_sync",
    "description": "Ticket sync",
    "zis_template_version": "2019-10-14",
    "resources": {
        "the_flow": {
            "type": "ZIS::Flow",
            "properties": {
                "name": "sync",
                "definition": {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 5, "End": True}}},
            },
        },
        "the_job_spec": {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": "on_ticket_created",
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": f"zis:{INTEGRATION}:flow:sync",
            },
        },
    },
}
JOB_SPEC = f"zis:{INTEGRATION}:job_spec:on_ticket_created"


def writes(admin: EmulatorAdmin) -> dict[str, int]:
    by_endpoint: dict[str, int] = admin.requests()["by_endpoint"]
    return {endpoint: count for endpoint, count in by_endpoint.items() if endpoint.startswith(WRITES)}


@pytest.fixture
def connections(stack_config: dict[str, str], admin: EmulatorAdmin) -> ProviderDriver:
    return fresh_connection_driver(stack_config)


# --- bundles and job specs ----------------------------------------------------------------------------


def bundle_inputs(**changes: Any) -> dict[str, Any]:
    return {"integration": INTEGRATION, **BUNDLE, **changes}


def installed_bundle(zendesk: ZendeskClient, admin: EmulatorAdmin) -> str:
    """BUNDLE uploaded and its job spec installed, as another tool left them, the counters then reset: the uuid."""
    zendesk.upload_bundle(INTEGRATION, BUNDLE)
    zendesk.install_job_spec(JOB_SPEC)
    uuid = zendesk.list_bundles(INTEGRATION)[0].uuid
    admin.reset(counters_only=True)
    return uuid


def test_bundle_create_adopts_an_identical_bundle_without_upload(
    stack_config: dict[str, str], admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    uuid = installed_bundle(zendesk, admin)
    created = ProviderDriver(BundleProvider(), stack_config).create(bundle_inputs())
    assert created.id == uuid
    assert writes(admin) == {}
    assert next(spec.installed for spec in zendesk.list_job_specs(INTEGRATION))  # not orphaned


def test_bundle_create_uploads_over_a_bundle_of_that_name_that_differs(
    stack_config: dict[str, str], admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    installed_bundle(zendesk, admin)
    created = ProviderDriver(BundleProvider(), stack_config).create(bundle_inputs(description="Changed"))
    assert created.outs["description"] == "Changed"
    assert writes(admin) == {
        "POST /api/services/zis/registry/{integration}/bundles": 1,
        "POST /api/services/zis/registry/job_specs/install": 1,  # installed again after the upload
    }


def test_job_spec_installation_of_an_installed_job_spec_makes_no_write(
    stack_config: dict[str, str], admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    installed_bundle(zendesk, admin)
    driver = ProviderDriver(JobSpecInstallationProvider(), stack_config)
    created = driver.create({"integration": INTEGRATION, "job_spec_name": "on_ticket_created"})
    assert created.id == JOB_SPEC
    assert created.outs["installed"] is True
    assert created.outs["flow_name"] == f"zis:{INTEGRATION}:flow:sync"
    assert writes(admin) == {}


def test_job_spec_installation_of_an_uninstalled_job_spec_installs_once(
    stack_config: dict[str, str], admin: EmulatorAdmin, zendesk: ZendeskClient
) -> None:
    zendesk.upload_bundle(INTEGRATION, BUNDLE)
    admin.reset(counters_only=True)
    driver = ProviderDriver(JobSpecInstallationProvider(), stack_config)
    created = driver.create({"integration": INTEGRATION, "job_spec_name": "on_ticket_created"})
    assert created.outs["installed"] is True
    assert writes(admin) == {"POST /api/services/zis/registry/job_specs/install": 1}
    assert next(spec.installed for spec in zendesk.list_job_specs(INTEGRATION))


# --- Make connections ---------------------------------------------------------------------------------


def existing_connection(make: MakeClient, type_: str = "oauth-refresh", label: str = "Acme CRM") -> str:
    """A connection made by hand in Make: sections and common data set, no claim anywhere."""
    name = make.create_connection(APP, type_, label).name
    make.set_section(name, "api", API)
    make.set_section(name, "parameters", PARAMETERS)
    make.set_common(name, COMMON)
    return name


def adopting(name: str, **changes: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "app_name": APP,
        "type": "oauth",
        "label": "Acme CRM",
        "api": API,
        "parameters": PARAMETERS,
        "common": COMMON,
        "adopt_name": name,
        "claim": CLAIM,
    }
    inputs.update(changes)
    return {k: v for k, v in inputs.items() if v is not None}


def test_connection_adopted_by_name_when_identical_makes_no_write(
    connections: ProviderDriver, admin: EmulatorAdmin, make: MakeClient
) -> None:
    name = existing_connection(make)
    admin.reset(counters_only=True)
    created = connections.create(adopting(name))
    assert created.id == name
    assert created.outs["adopt_name"] == name
    assert writes(admin) == {}
    assert [c.name for c in make.list_connections(APP)] == [name]  # nothing created


def test_connection_adopted_by_name_gets_only_what_differs(
    connections: ProviderDriver, admin: EmulatorAdmin, make: MakeClient
) -> None:
    name = existing_connection(make)
    admin.reset(counters_only=True)
    connections.create(adopting(name, label="Acme CRM (OAuth)", common={**COMMON, "clientSecret": "rotated"}))
    assert writes(admin) == {
        "PATCH /api/v2/sdk/apps/connections/{name}": 1,
        "PUT /api/v2/sdk/apps/connections/{name}/common": 1,
    }
    assert make.get_connection(name).label == "Acme CRM (OAuth)"
    # Written common data holds the resource's claim, as after any create.
    assert make.get_common(name) == {**COMMON, "clientSecret": "rotated", CLAIM_KEY: CLAIM}


def test_adopting_a_connection_the_app_does_not_have_names_it(connections: ProviderDriver, make: MakeClient) -> None:
    existing_connection(make)
    with pytest.raises(ZisPulumiError) as raised:
        connections.create(adopting("acme-crm7"))
    assert "'acme-crm7'" in str(raised.value)
    assert "adopt_name" in str(raised.value)
    assert len(make.list_connections(APP)) == 1  # nothing created instead


def test_adopting_a_connection_of_another_kind_names_it_and_both_types(
    connections: ProviderDriver, make: MakeClient
) -> None:
    name = existing_connection(make, type_="apikey")
    with pytest.raises(ZisPulumiError) as raised:
        connections.create(adopting(name))
    message = str(raised.value)
    assert repr(name) in message and "'basic'" in message and "'oauth'" in message


def test_one_connection_is_adopted_by_one_resource(connections: ProviderDriver, make: MakeClient) -> None:
    name = existing_connection(make)
    connections.create(adopting(name))
    with pytest.raises(ZisPulumiError, match="another resource"):
        connections.create(adopting(name, claim=claim_of("urn:other")))


def test_adopt_name_is_never_a_change(connections: ProviderDriver, make: MakeClient) -> None:
    name = existing_connection(make)
    created = connections.create(adopting(name))
    without = {k: v for k, v in created.outs.items() if k != "adopt_name"}
    assert connections.diff(created.id, without, adopting(name)).changes is False
    assert connections.diff(created.id, created.outs, adopting(name, adopt_name=None)).changes is False


def test_adopted_connection_reads_back_unchanged_and_delete_deletes_it(
    connections: ProviderDriver, make: MakeClient
) -> None:
    name = existing_connection(make)
    created = connections.create(adopting(name))
    read = connections.read(created.id, created.outs)
    assert read.outs == created.outs
    connections.delete(created.id, created.outs)
    assert make.list_connections(APP) == []


def test_adopt_name_must_be_a_name(connections: ProviderDriver) -> None:
    result = connections.check(adopting(""))
    assert [f.property for f in result.failures] == ["adopt_name"]


def test_a_replaced_adopted_connection_gets_a_new_connection(connections: ProviderDriver, make: MakeClient) -> None:
    """The replacement of an adopted connection deletes it first; the new create then cannot adopt it."""
    name = existing_connection(make)
    created = connections.create(adopting(name))
    connections.delete(created.id, created.outs)
    replacement = connections.create(adopting(name, type="oauth-refresh"))
    assert replacement.id != name
    assert [c.name for c in make.list_connections(APP)] == [replacement.id]
