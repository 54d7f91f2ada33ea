"""What the reliability stack declares, as plain data: the program builds it, the tests compare the emulator with it.

No import of pulumi here: the tests import this module too. The program's directory is copied into each
test project, so the program imports it as `spec`; the tests import it as `tests.reliability.program.spec`.

Generation 0 is the first deployment; generation 1 is "the edit": it updates the bundle (a new description
and one more state), moves one job-spec installation to another job spec, removes two links and adds two,
changes the metadata of every 5th link, replaces every 9th link (a new right object name), renames some
Make connections, changes a section and the common data of others, and replaces two (a new type, of the same
kind for one of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INTEGRATION = "rel_sync"
LINK_TYPE = "ticket_to_issue"
APPS = ("rel-app-a", "rel-app-b")
JOB_SPECS = ("job_0", "job_1", "job_2", "job_3")
CONNECTION_TYPES = ("oauth-refresh", "apikey", "basic", "oauth")
SECRET_PLACEHOLDER = "<a secret the program makes>"


def make_kind(type_: str) -> str:
    """The type as Make reads it back."""
    return "oauth" if type_.startswith("oauth") else "basic"


@dataclass(frozen=True)
class BundleSpec:
    resource: str
    integration: str
    name: str
    description: str
    resources: dict[str, Any]


@dataclass(frozen=True)
class InstallSpec:
    resource: str
    integration: str
    job_spec: str


@dataclass(frozen=True)
class LinkSpec:
    resource: str
    integration: str
    link_type: str
    left: str
    right: str
    left_metadata: dict[str, Any]
    right_metadata: dict[str, Any]

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.integration, self.link_type, self.left, self.right)


@dataclass(frozen=True)
class ConnectionSpec:
    resource: str
    app: str
    type: str
    label: str
    sections: dict[str, Any]
    """By property name (`install_spec`, not `installSpec`)."""
    common_public: dict[str, Any]
    """The common data without the secret (the program adds `clientSecret` from the secret config)."""


@dataclass(frozen=True)
class StackSpec:
    bundles: list[BundleSpec] = field(default_factory=list)
    installs: list[InstallSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    connections: list[ConnectionSpec] = field(default_factory=list)

    @property
    def resources(self) -> int:
        return len(self.bundles) + len(self.installs) + len(self.links) + len(self.connections)


def bundle_resources(integration: str, generation: int) -> dict[str, Any]:
    states: dict[str, Any] = {
        "Notify": {"Type": "Action", "ActionName": f"zis:{integration}:action:notify", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    }
    if generation % 2 == 1:
        states["Notify"]["Next"] = "Pause"
        states["Pause"] = {"Type": "Wait", "Seconds": 5, "Next": "Done"}
    resources: dict[str, Any] = {
        "notify": {
            "type": "ZIS::Action::Http",
            "properties": {
                "name": "notify",
                "definition": {"method": "POST", "path": "/hooks/notify", "connectionName": "hooks"},
            },
        },
        "on_event": {
            "type": "ZIS::Flow",
            "properties": {"name": "on_event", "definition": {"StartAt": "Notify", "States": states}},
        },
    }
    for index, name in enumerate(JOB_SPECS):
        resources[name] = {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": name,
                "event_source": "support",
                "event_type": f"ticket.Event{index}",
                "flow_name": f"zis:{integration}:flow:on_event",
            },
        }
    return resources


def stack_spec(links: int = 40, connections: int = 6, generation: int = 0) -> StackSpec:
    """The declared stack for a size and a generation (0: first deployment, 1: the edit)."""
    odd = generation % 2 == 1
    spec = StackSpec()
    spec.bundles.append(
        BundleSpec(
            resource="bundle",
            integration=INTEGRATION,
            name=INTEGRATION,
            description=f"reliability bundle, generation {generation}",
            resources=bundle_resources(INTEGRATION, generation),
        )
    )
    installed = JOB_SPECS[1:4] if odd else JOB_SPECS[0:3]
    spec.installs.extend(InstallSpec(f"install-{name}", INTEGRATION, name) for name in installed)
    first = 2 if odd else 0
    for i in range(first, first + links):
        right = f"jira:REL-{i}" + (f"-v{generation}" if i % 9 == 0 else "")
        spec.links.append(
            LinkSpec(
                resource=f"link-{i}",
                integration=INTEGRATION,
                link_type=LINK_TYPE,
                left=f"zendesk:ticket{i}",
                right=right,
                left_metadata={"ticket_id": i},
                right_metadata={"key": f"REL-{i}", "rev": generation if i % 5 == 0 else 0},
            )
        )
    for c in range(connections):
        type_ = CONNECTION_TYPES[c % len(CONNECTION_TYPES)]
        if odd and c == connections - 1:
            type_ = "other" if make_kind(type_) == "oauth" else "oauth-clicre"  # a new type of another kind
        elif odd and c == 3:
            type_ = "oauth-1"  # a new type of the same kind (Make reads both back as `oauth`), same label
        label = f"Reliability {c}" + (" (renamed)" if odd and c % 2 == 0 else "")
        sections: dict[str, Any] = {
            "api": {"url": f"https://crm{c}.example.com/api/v1/me", "method": "GET"},
            "parameters": [{"name": "clientId", "type": "text", "label": "Client ID", "required": True}],
        }
        if make_kind(type_) == "oauth":
            sections["scopes"] = {"contacts.read": "Read contacts", "contacts.write": "Write contacts"}
            sections["scope"] = ["contacts.read", "contacts.write"] if odd and c % 3 == 0 else ["contacts.read"]
        spec.connections.append(
            ConnectionSpec(
                resource=f"connection-{c}",
                app=APPS[c % len(APPS)],
                type=type_,
                label=label,
                sections=sections,
                common_public={"clientId": f"client-{c}" + ("-v2" if odd and c % 3 == 0 else "")},
            )
        )
    return spec


# --- bad input: one invalid declaration per case --------------------------------------------------


@dataclass(frozen=True)
class BadCase:
    kind: str
    """`bundle`, `install`, `link`, `connection`, or `raw:<token>` (the dynamic resource with raw props)."""
    inputs: dict[str, Any]
    property: str
    """What the engine's message must name (the property path of the check failure)."""
    why: str


def _bundle(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "integration": "rel_bad",
        "name": "rel_bad",
        "description": "bad input",
        "resources": bundle_resources("rel_bad", 0),
    }
    base.update(changes)
    return base


def _bundle_resource(key: str, path: list[str], value: Any, *, delete: bool = False) -> dict[str, Any]:
    resources = bundle_resources("rel_bad", 0)
    target = resources[key]
    for step in path[:-1]:
        target = target[step]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return _bundle(resources=resources)


def _link(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "integration": "rel_bad",
        "link_type": "ticket_to_issue",
        "left_object": {"name": "zendesk:ticket1", "metadata": {"id": 1}},
        "right_object": {"name": "jira:BAD-1", "metadata": {}},
    }
    base.update(changes)
    return base


def _connection(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "app_name": "rel-bad-app",
        "type": "oauth",
        "label": "Bad input",
        "api": {"url": "https://crm.example.com/me"},
    }
    base.update(changes)
    return base


FLOW_STATES = ["properties", "definition", "States"]

BAD_CASES: list[BadCase] = [
    # --- Bundle: names, versions, references, shapes, types, unknown fields
    BadCase("bundle", _bundle(integration="Rel Bad!"), "integration", "upper case and spaces"),
    BadCase("bundle", _bundle(integration="x" * 65), "integration", "longer than 64"),
    BadCase("bundle", _bundle(name=""), "name", "empty name"),
    BadCase("bundle", _bundle(zis_template_version="2020-01-01"), "zis_template_version", "unknown version"),
    BadCase("bundle", _bundle(description=42), "description", "a number as description"),
    BadCase("bundle", _bundle(resources={}), "resources", "no resources"),
    BadCase(
        "bundle",
        _bundle_resource("notify", ["type"], "ZIS::Action::Lambda"),
        "resources.notify.type",
        "unknown resource type",
    ),
    BadCase(
        "bundle",
        _bundle_resource("on_event", ["properties", "definition", "StartAt"], "Nowhere"),
        "resources.on_event.properties.definition.StartAt",
        "StartAt names no state",
    ),
    BadCase(
        "bundle",
        _bundle_resource("on_event", [*FLOW_STATES, "Notify", "Next"], "Missing"),
        "resources.on_event.properties.definition.States.Notify.Next",
        "Next names no state",
    ),
    BadCase(
        "bundle",
        _bundle_resource("on_event", [*FLOW_STATES, "Notify", "Type"], "Task"),
        "resources.on_event.properties.definition.States.Notify.Type",
        "Task state",
    ),
    BadCase(
        "bundle",
        _bundle_resource("on_event", [*FLOW_STATES, "Notify", "ActionName"], "zis:rel_bad:action:nope"),
        "resources.on_event.properties.definition.States.Notify.ActionName",
        "reference to a missing action",
    ),
    BadCase(
        "bundle",
        _bundle_resource("on_event", [*FLOW_STATES, "Notify", "ActionName"], "zis:other:action:notify"),
        "resources.on_event.properties.definition.States.Notify.ActionName",
        "reference to another integration",
    ),
    BadCase(
        "bundle",
        _bundle_resource("job_0", ["properties", "flow_name"], None, delete=True),
        "resources.job_0.properties.flow_name",
        "job spec without a flow",
    ),
    BadCase(
        "bundle",
        _bundle_resource("job_0", ["properties", "event_type"], ""),
        "resources.job_0.properties.event_type",
        "empty event type",
    ),
    BadCase(
        "bundle",
        _bundle_resource("notify", ["properties", "definition", "method"], "FETCH"),
        "resources.notify.properties.definition.method",
        "unknown HTTP method",
    ),
    BadCase(
        "bundle",
        _bundle_resource("notify", ["properties", "definition", "path"], None, delete=True),
        "resources.notify.properties.definition",
        "action with neither url nor path",
    ),
    BadCase("raw:zis:Bundle", {**_bundle(), "owner": "me"}, "owner", "unknown input"),
    # --- JobSpecInstallation
    BadCase("install", {"integration": "rel_bad", "job_spec_name": "on ticket"}, "job_spec_name", "a space"),
    BadCase(
        "install",
        {"integration": "rel_bad", "job_spec_name": "zis:other:job_spec:job_0"},
        "job_spec_name",
        "another integration's job spec",
    ),
    BadCase("install", {"integration": "REL", "job_spec_name": "job_0"}, "integration", "upper case"),
    BadCase(
        "raw:zis:JobSpecInstallation",
        {"integration": "rel_bad", "job_spec_name": "job_0", "enabled": True},
        "enabled",
        "unknown input",
    ),
    # --- Link
    BadCase("link", _link(integration="rel bad"), "integration", "a space"),
    BadCase("link", _link(link_type=""), "link_type", "empty link type"),
    BadCase("link", _link(link_type="ticket_*"), "link_type", "a wildcard in the link type"),
    BadCase(
        "link",
        _link(left_object={"name": "zendesk:ticket*", "metadata": {}}),
        "left_object.name",
        "a wildcard in an object name",
    ),
    BadCase("link", _link(right_object={"name": "", "metadata": {}}), "right_object.name", "an empty object name"),
    BadCase(
        "link",
        _link(left_object={"name": "zendesk:ticket1", "metadata": "id=1"}),
        "left_object.metadata",
        "metadata that is not an object",
    ),
    # (A null metadata value never reaches the provider: the SDK drops null members of objects.)
    BadCase("link", _link(link_type=42), "link_type", "a number as link type"),
    BadCase(
        "link",
        _link(left_object={"name": "zendesk:ticket1", "metadata": {}, "colour": "red"}),
        "left_object.colour",
        "an unknown field of a link object",
    ),
    BadCase("link", _link(left_object={"name": 17, "metadata": {}}), "left_object.name", "a number as name"),
    BadCase("raw:zis:Link", {**_link(), "priority": 1}, "priority", "unknown input"),
    # --- AppConnection
    BadCase("connection", _connection(type="oauth3"), "type", "unknown connection type"),
    BadCase("connection", _connection(label=""), "label", "empty label"),
    BadCase("connection", _connection(app_name=""), "app_name", "empty app name"),
    BadCase("connection", _connection(parameters={"name": "clientId"}), "parameters", "an object for a list section"),
    BadCase("connection", _connection(scope=["contacts.read", 7]), "scope", "a number in a list of strings"),
    BadCase("connection", _connection(api="{ url: "), "api", "JSONC text that does not parse"),
    BadCase("connection", _connection(api=["https://crm.example.com"]), "api", "a list for an object section"),
    BadCase("connection", _connection(install_spec=["region"]), "install_spec", "strings for a list of objects"),
    # The program puts a secret it makes in place of SECRET_PLACEHOLDER: the message must not show it.
    BadCase("connection", _connection(common=SECRET_PLACEHOLDER), "common", "a secret text for the common data"),
    BadCase("connection", _connection(connected_system_name=5), "connected_system_name", "a number"),
    BadCase("raw:make:AppConnection", {**_connection(), "colour": "red"}, "colour", "unknown input"),
]
