"""Real artifacts nobody here wrote (tests/data, sources in tests/data/SOURCES.md) go through check and the whole
life of their resource against the emulator: create → read → diff (no change) → update → delete."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EmulatorAdmin
from tests.support.driver import ProviderDriver, fresh_connection_driver
from zis_pulumi.bundle import BundleProvider, bundle_warnings, load_bundle

DATA = Path(__file__).parent / "data"
BUNDLES = DATA / "zis_bundles"
CONNECTIONS = DATA / "make_connections"


@dataclass(frozen=True)
class CorpusBundle:
    file: str
    integration: str
    """The integration the bundle is uploaded to: the one its own references name, as SOURCES.md says."""
    placeholders: dict[str, str] = field(default_factory=dict)
    """A template's `{{…}}` placeholders and the values a user would fill in (SOURCES.md)."""


CORPUS_BUNDLES = [
    CorpusBundle("docs_upload_bundle_example.json", "my_integration"),
    CorpusBundle("docs_custom_action_url_jsonpath.json", "example_integration"),
    CorpusBundle("docs_custom_action_webhook_site.json", "example_integration"),
    CorpusBundle("docs_tutorial_webhook_action.json", "my_integration"),
    CorpusBundle("docs_built_in_actions_config.json", "my-integration"),
    CorpusBundle("docs_choice_state.json", "example_integration"),
    CorpusBundle("docs_map_state.json", "example_integration"),
    CorpusBundle("docs_pass_state.json", "example_integration"),
    CorpusBundle("docs_fail_state.json", "example_integration"),
    CorpusBundle("zis_explorer_show_bundle.json", "my_integration"),
    CorpusBundle("zis_explorer_mock_bundle.json", "my_mocked_integration"),
    CorpusBundle("tsanet_connect_bundle.json", "tsanet_connect"),
    CorpusBundle("incode_identity_verification_bundle.json", "incode_identity_verification"),
    CorpusBundle("surveysparrow_zis_bundle.json", "surveysparrow_integration"),
    CorpusBundle(
        "zis_workflow_manager_initial_workflow.json",
        "bigtime_zis",
        {
            "{{zis_integration_key}}": "bigtime_zis",
            "{{zis_description}}": "Conversation id sync",
            "{{jobspec_bigtime_event_source}}": "support",
            "{{jobspec_bigtime_event_type}}": "ticket.TicketCreated",
            "{{jobspec_bigtime}}": "bigtime",
        },
    ),
]


def test_the_corpus_holds_every_bundle_file_and_at_least_15() -> None:
    assert sorted(b.file for b in CORPUS_BUNDLES) == sorted(p.name for p in BUNDLES.glob("*.json"))
    assert len(CORPUS_BUNDLES) >= 15


def bundle_text(bundle: CorpusBundle) -> str:
    """The file's text, a template's placeholders filled in."""
    text = (BUNDLES / bundle.file).read_text(encoding="utf-8")
    for placeholder, value in bundle.placeholders.items():
        text = text.replace(placeholder, value)
    return text


def bundle_document(bundle: CorpusBundle, tmp_path: Path) -> dict[str, Any]:
    """The bundle as `load_bundle` reads it."""
    path = BUNDLES / bundle.file
    if bundle.placeholders:
        path = tmp_path / bundle.file
        path.write_text(bundle_text(bundle), encoding="utf-8")
    return load_bundle(path)


@pytest.fixture
def bundle_driver(stack_config: dict[str, str]) -> ProviderDriver:
    return ProviderDriver(BundleProvider(), stack_config)


@pytest.mark.parametrize("bundle", CORPUS_BUNDLES, ids=[b.file.removesuffix(".json") for b in CORPUS_BUNDLES])
def test_real_bundle_passes_check_and_lives_its_whole_life_on_the_emulator(
    bundle: CorpusBundle, bundle_driver: ProviderDriver, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    inputs = {"integration": bundle.integration, **bundle_document(bundle, tmp_path)}
    result = bundle_driver.check(inputs)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]

    created = bundle_driver.create(inputs)
    assert created.outs["resources"] == inputs["resources"]

    read = bundle_driver.read(created.id, created.outs)
    assert read.id == created.id
    before = admin.request_count()
    assert bundle_driver.diff(created.id, read.outs, inputs).changes is False
    assert bundle_driver.provider.diff(created.id, read.outs, read.inputs).changes is False
    assert admin.request_count() == before  # a no-change diff makes no request

    changed = {**inputs, "description": "updated by the corpus test"}
    assert bundle_driver.diff(created.id, read.outs, changed).changes is True
    outs = bundle_driver.update(created.id, read.outs, changed)
    assert outs["uuid"] == created.id
    assert bundle_driver.read(created.id, outs).outs["description"] == "updated by the corpus test"

    bundle_driver.delete(created.id, outs)
    assert bundle_driver.read(created.id, outs).id == ""


@pytest.mark.parametrize("bundle", CORPUS_BUNDLES, ids=[b.file.removesuffix(".json") for b in CORPUS_BUNDLES])
def test_the_same_bundle_kept_as_yaml_loads_the_same(bundle: CorpusBundle, tmp_path: Path) -> None:
    document = bundle_document(bundle, tmp_path)
    kept_as_yaml = tmp_path / "bundle.yaml"
    kept_as_yaml.write_text(yaml.safe_dump(json.loads(bundle_text(bundle))), encoding="utf-8")
    assert load_bundle(kept_as_yaml) == document


def test_a_bundle_whose_flows_another_bundle_starts_is_accepted_with_a_warning(tmp_path: Path) -> None:
    bundle = next(b for b in CORPUS_BUNDLES if b.file.startswith("incode"))
    inputs = {"integration": bundle.integration, **bundle_document(bundle, tmp_path)}
    warnings = bundle_warnings(inputs)
    assert any(line.startswith("resources: no ZIS::JobSpec") for line in warnings), warnings
    assert any(line.startswith("resources.update_ticket.properties: fields ['schema']") for line in warnings)


# --- Make custom-app connections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusConnection:
    folder: str
    type: str
    sections: dict[str, str]
    """Input name → file in the folder, kept as the repo keeps it (JSONC text)."""
    oauth_client: bool = False
    """Its IML reads `{{common.clientId}}`: the test gives a placeholder client (never a real one)."""


CORPUS_CONNECTIONS = [
    CorpusConnection("smsenmasse_apikey", "apikey", {"api": "api.json", "parameters": "parameters.json"}),
    CorpusConnection("apiflash", "apikey", {"api": "communication.imljson", "parameters": "params.imljson"}),
    CorpusConnection(
        "hedy_apikey",
        "apikey",
        {"api": "apiKey.communication.iml.json", "parameters": "apiKey.params.iml.json"},
    ),
    CorpusConnection("opnform", "apikey", {"api": "communication.json", "parameters": "parameters.json"}),
    CorpusConnection(
        "archbee",
        "apikey",
        {"api": "connection1.communication.iml.json", "parameters": "connection1.params.iml.json"},
    ),
    CorpusConnection("browsercloud", "basic", {"api": "api.imljson", "parameters": "parameters.imljson"}),
    CorpusConnection("orch8", "apikey", {"api": "orch8.communication.iml.json", "parameters": "orch8.params.iml.json"}),
    CorpusConnection(
        "praxicraft_apikey",
        "apikey",
        {"api": "apiKey.communication.iml.json", "parameters": "apiKey.params.iml.json"},
    ),
    CorpusConnection(
        "entity_enricher_apikey", "apikey", {"api": "communication.imljson", "parameters": "parameters.imljson"}
    ),
    CorpusConnection(
        "entity_enricher_oauth2",
        "oauth-refresh",
        {"api": "communication.imljson", "parameters": "parameters.imljson"},
        oauth_client=True,
    ),
    CorpusConnection(
        "renderbase_oauth2", "oauth-refresh", {"api": "communication.json", "scope": "scope.json"}, oauth_client=True
    ),
    CorpusConnection(
        "integromat_docs_oauth2",
        "oauth-refresh",
        {"api": "communication.json", "scopes": "scopes.json", "scope": "scope.json", "parameters": "parameters.json"},
        oauth_client=True,
    ),
]


def test_the_corpus_holds_every_connection_file_and_at_least_10() -> None:
    listed = sorted(f"{c.folder}/{name}" for c in CORPUS_CONNECTIONS for name in c.sections.values())
    assert listed == sorted(str(p.relative_to(CONNECTIONS)) for p in CONNECTIONS.glob("*/*"))
    assert len(CORPUS_CONNECTIONS) >= 10


def connection_inputs(connection: CorpusConnection, label: str = "Corpus") -> dict[str, Any]:
    inputs: dict[str, Any] = {"app_name": "corpus-app", "type": connection.type, "label": label}
    for prop, name in connection.sections.items():
        inputs[prop] = (CONNECTIONS / connection.folder / name).read_text(encoding="utf-8")
    if connection.oauth_client:
        inputs["common"] = {"clientId": "corpus-client-id", "clientSecret": "corpus-client-secret"}
    return inputs


@pytest.fixture
def connection_driver(stack_config: dict[str, str], admin: EmulatorAdmin) -> ProviderDriver:
    return fresh_connection_driver(stack_config)


@pytest.mark.parametrize("connection", CORPUS_CONNECTIONS, ids=[c.folder for c in CORPUS_CONNECTIONS])
def test_real_connection_definition_passes_check_and_lives_its_whole_life_on_the_emulator(
    connection: CorpusConnection, connection_driver: ProviderDriver, admin: EmulatorAdmin
) -> None:
    inputs = connection_inputs(connection)
    result = connection_driver.check(inputs)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]

    created = connection_driver.create(inputs)
    read = connection_driver.read(created.id, created.outs)
    assert read.id == created.id
    for prop in connection.sections:
        assert read.outs[prop] == result.inputs[prop]
    before = admin.request_count()
    assert not connection_driver.diff(created.id, read.outs, inputs).changes
    assert not connection_driver.provider.diff(created.id, read.outs, read.inputs).changes
    assert admin.request_count() == before

    renamed = connection_inputs(connection, label="Corpus (renamed)")
    diff = connection_driver.diff(created.id, read.outs, renamed)
    assert diff.changes and not diff.replaces
    outs = connection_driver.update(created.id, read.outs, renamed)
    assert outs["label"] == "Corpus (renamed)"

    connection_driver.delete(created.id, outs)
    assert connection_driver.read(created.id, outs).id == ""
