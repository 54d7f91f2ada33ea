"""What ZIS refuses in a bundle, and what only looks wrong: one list of rules for `Bundle`'s check and the emulator.

A rule is an error only where Zendesk's docs say a value must be so (or the live API was seen refusing it); anything
else suspicious is a warning, which `Bundle` prints at preview and the emulator accepts. Each rule names its source
beside it. The `.$` form of a property (its value a JSONPath or `{{…}}` template, evaluated at run time) counts as
the property itself wherever ZIS takes JSONPath values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._unknowns import shown

__all__ = [
    "ACTION",
    "FLOW",
    "HTTP_METHODS",
    "JOB_SPEC",
    "RESOURCE_TYPES",
    "STATE_TYPES",
    "TEMPLATE_VERSION",
    "Problem",
    "bundle_problems",
]

# Sources, cited beside each rule below.
BUNDLES_API = "https://developer.zendesk.com/api-reference/integration-services/registry/bundles/"
JOB_SPECS_API = "https://developer.zendesk.com/api-reference/integration-services/registry/jobspecs/"
CUSTOM_ACTIONS = "https://developer.zendesk.com/documentation/integration-services/developer-guide/zis-custom-actions/"
ACTION_TUTORIAL = (
    "https://developer.zendesk.com/documentation/integration-services/zis-tutorials/advanced/"
    "zis-action-authenticate-requests/"
)
FLOW_STATES = (
    "https://developer.zendesk.com/documentation/integration-services/developer-guide/understanding-flow-states/"
)
MAP_STATE = "https://developer.zendesk.com/documentation/integration-services/developer-guide/map-state/"
ASL = "https://states-language.net/spec.html"

TEMPLATE_VERSION = "2019-10-14"
FLOW, ACTION, JOB_SPEC = "ZIS::Flow", "ZIS::Action::Http", "ZIS::JobSpec"
RESOURCE_TYPES = (FLOW, ACTION, JOB_SPEC)
STATE_TYPES = ("Action", "Choice", "Map", "Wait", "Pass", "Succeed", "Fail")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WAIT_FIELDS_REFUSED = ("SecondsPath", "Timestamp", "TimestampPath")
ACTION_REFERENCE = re.compile(r"zis:([^:]+):action:(.+)")
FLOW_REFERENCE = re.compile(r"zis:([^:]+):flow:(.+)")
DEFINITION_FIELDS = ("method", "url", "path", "connectionName", "headers", "query", "requestBody")
JOB_SPEC_FIELDS = ("name", "description", "event_source", "event_type", "flow_name")


@dataclass(frozen=True)
class Problem:
    """One finding: `path` names the property (`resources.KEY.properties.definition.method`)."""

    path: str
    reason: str
    error: bool
    """True where the source says ZIS refuses it; False for a warning."""

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _never(_value: Any) -> bool:
    return False


def _either(mapping: Mapping[str, Any], name: str) -> Any:
    """The property, or its `.$` (JSONPath) form when only that is given."""
    return mapping[name] if name in mapping else mapping.get(f"{name}.$")


def _has(mapping: Mapping[str, Any], name: str) -> bool:
    return mapping.get(name) is not None or mapping.get(f"{name}.$") is not None


def _plain_name(key: str) -> str:
    return key[:-2] if key.endswith(".$") else key


@dataclass
class _Rules:
    integration: str | None
    unknown: Callable[[Any], bool]
    engine_numbers: bool
    """Numbers crossed the Pulumi engine, which carries them as doubles: 5.0 stands for 5."""
    problems: list[Problem] = field(default_factory=list)
    actions: set[str] = field(default_factory=set)
    flows: set[str] = field(default_factory=set)
    unsure: set[str] = field(default_factory=set)
    """The resource types some of whose names are not known yet: a reference to them cannot be refused."""

    def whole(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        return self.engine_numbers and isinstance(value, float) and value.is_integer()

    def error(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason, error=True))

    def warn(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason, error=False))

    # --- the document ----------------------------------------------------------------------------

    def document(self, doc: Mapping[str, Any]) -> None:
        name = doc.get("name")
        if not self.unknown(name) and (not isinstance(name, str) or not name.strip()):
            self.error("name", "must be a non-empty string")  # BUNDLES_API: `name` mandatory, a string
        description = doc.get("description")
        if description is not None and not self.unknown(description) and not isinstance(description, str):
            self.error("description", "must be a string")  # BUNDLES_API: `description` is a string
        version = doc.get("zis_template_version")
        if not self.unknown(version) and version != TEMPLATE_VERSION:
            # BUNDLES_API: "The ZIS bundle template version. Allowed value of "2019-10-14"."
            self.error("zis_template_version", f"must be {shown(TEMPLATE_VERSION)} (got {shown(version)})")
        self.resources(doc.get("resources"))

    def resources(self, resources: Any) -> None:
        if self.unknown(resources):
            return
        if not isinstance(resources, Mapping):
            # BUNDLES_API: `resources` mandatory, an object
            self.error("resources", "must be a map of resource key to {type, properties}")
            return
        self.actions = self._names(resources, ACTION)
        self.flows = self._names(resources, FLOW)
        counts = dict.fromkeys(RESOURCE_TYPES, 0)
        seen: dict[tuple[str, str], str] = {}
        for key, res in resources.items():
            kind = self.resource(f"resources.{key}", str(key), res, seen)
            if kind == "?":
                counts[FLOW] += 1  # not known yet: report no missing flow or job spec
                counts[JOB_SPEC] += 1
            elif kind is not None:
                counts[kind] += 1
        if counts[FLOW] == 0:
            # BUNDLES_API: "A bundle can include: One or more flows, …"
            self.error(
                "resources", f"a bundle needs at least one {FLOW} (resources of type {', '.join(RESOURCE_TYPES)})"
            )
        if counts[JOB_SPEC] == 0:
            # BUNDLES_API says "one or more job specs", but bundles whose flows are started by another bundle's job
            # specs are deployed (issue 10; e.g. tests/data/zis_bundles/incode_identity_verification_bundle.json).
            self.warn("resources", f"no {JOB_SPEC}: nothing starts this bundle's flows unless another bundle does")

    def _names(self, resources: Mapping[str, Any], kind: str) -> set[str]:
        found = set()
        for res in resources.values():
            if self.unknown(res) or (isinstance(res, Mapping) and self.unknown(res.get("type"))):
                self.unsure.add(kind)
            elif isinstance(res, Mapping) and res.get("type") == kind:
                props = res.get("properties")
                name = props.get("name") if isinstance(props, Mapping) else None
                if self.unknown(props) or self.unknown(name):
                    self.unsure.add(kind)
                elif isinstance(name, str):
                    found.add(name)
        return found

    def resource(self, path: str, key: str, res: Any, seen: dict[tuple[str, str], str]) -> str | None:
        """The resource's type ("?" when not known yet), after checking it; None when it has none."""
        if self.unknown(res):
            return "?"
        if not isinstance(res, Mapping):
            self.error(path, "must be an object with `type` and `properties`")  # CUSTOM_ACTIONS: both mandatory
            return None
        extra = sorted(set(res) - {"type", "properties"})
        if extra:
            self.warn(path, f"fields {extra} beside `type` and `properties` are not documented; ZIS may ignore them")
        kind = res.get("type")
        if self.unknown(kind):
            return "?"
        if not isinstance(kind, str) or kind not in RESOURCE_TYPES:
            # BUNDLES_API: flows, custom action definitions, job specs; CUSTOM_ACTIONS: "must be ZIS::Action::Http"
            self.error(f"{path}.type", f"must be one of {', '.join(RESOURCE_TYPES)} (got {shown(kind)})")
            return None
        props = res.get("properties")
        if self.unknown(props):
            return kind
        if not isinstance(props, Mapping):
            self.error(f"{path}.properties", "must be an object")  # CUSTOM_ACTIONS: `properties` mandatory object
            return kind
        name = props.get("name")
        if not self.unknown(name):
            if not isinstance(name, str) or not name.strip():
                self.error(f"{path}.properties.name", "must be a non-empty string")  # CUSTOM_ACTIONS: mandatory
            elif (kind, name) in seen:
                other = f"{shown(name)} is also the name of resources.{seen[kind, name]}"
                if kind == ACTION:
                    # CUSTOM_ACTIONS: "Unique name for the action within the integration"
                    self.error(f"{path}.properties.name", other)
                else:
                    self.warn(f"{path}.properties.name", f"{other}; one would replace the other")
            else:
                seen[kind, name] = key
        if kind == FLOW:
            self.flow(f"{path}.properties", props)
        elif kind == ACTION:
            self.action(f"{path}.properties", key, props)
        else:
            self.job_spec(f"{path}.properties", props)
        return kind

    # --- custom actions ------------------------------------------------------------------------------

    def action(self, path: str, key: str, props: Mapping[str, Any]) -> None:
        self.undocumented(path, props, ("name", "description", "definition"))
        name = props.get("name")
        if isinstance(name, str) and not self.unknown(name) and name != key:
            # CUSTOM_ACTIONS: properties.name "Must match the key for the resource"; not known to be refused
            self.warn(f"{path}.name", f"{shown(name)} differs from its key {shown(key)}; the docs say they match")
        # Not checked: CUSTOM_ACTIONS documents names of up to 20 of A-Z a-z 0-9 _, but its own example is
        # `external_api.post_message`, and production bundles use longer names (tsanet_connect_bundle.json).
        definition = props.get("definition")
        if self.unknown(definition):
            return
        dpath = f"{path}.definition"
        if not isinstance(definition, Mapping):
            # ACTION_TUTORIAL: properties.definition.{method, url, path, headers, …}
            self.error(dpath, "must be an object with `method` and `url` or `path`")
            return
        method = _either(definition, "method")
        if "method" in definition and not self.unknown(method):
            if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
                # ACTION_TUTORIAL: "Available methods are GET, POST, PUT, PATCH, DELETE"
                self.error(f"{dpath}.method", f"must be one of {', '.join(HTTP_METHODS)} (got {shown(method)})")
        elif method is None:
            self.error(f"{dpath}.method", f"is required: one of {', '.join(HTTP_METHODS)}")  # ACTION_TUTORIAL
        has_url, has_path = _has(definition, "url"), _has(definition, "path")
        if not has_url and not has_path:
            # ACTION_TUTORIAL: `url` (an external URL) or `path` (on the Zendesk account), each "optional*"
            self.error(dpath, "needs `url` or `path` (or their JSONPath forms `url.$`, `path.$`)")
        elif has_url and has_path:
            self.warn(dpath, "has both `url` and `path`; the docs use one or the other")  # ACTION_TUTORIAL
        for list_name in ("headers", "query"):
            self.pairs(f"{dpath}.{list_name}", definition.get(list_name))
        self.undocumented(dpath, {_plain_name(k): v for k, v in definition.items()}, DEFINITION_FIELDS)

    def pairs(self, path: str, value: Any) -> None:
        if value is None or self.unknown(value):
            return
        if not isinstance(value, list):
            # ACTION_TUTORIAL: headers and query are an "Array of property value pairs"
            self.error(path, 'must be a list of {"key": …, "value": …}')
            return
        for index, pair in enumerate(value):
            if self.unknown(pair):
                continue
            if not isinstance(pair, Mapping) or not _has(pair, "key") or not _has(pair, "value"):
                # ACTION_TUTORIAL shows {key, value}; the flows tutorial uses "value.$". Anything else: unsure.
                self.warn(f"{path}[{index}]", 'is not {"key": …, "value": …} (or their `.$` forms)')

    # --- job specs -----------------------------------------------------------------------------------

    def job_spec(self, path: str, props: Mapping[str, Any]) -> None:
        self.undocumented(path, props, JOB_SPEC_FIELDS)
        for required in ("event_source", "event_type", "flow_name"):
            value = props.get(required)
            if not self.unknown(value) and (not isinstance(value, str) or not value.strip()):
                # JOB_SPECS_API: a job spec "contains an event source and type, and a reference to the flow"
                self.error(f"{path}.{required}", "must be a non-empty string")
        flow_name = props.get("flow_name")
        if not isinstance(flow_name, str) or not flow_name.strip() or self.unknown(flow_name):
            return
        match = FLOW_REFERENCE.fullmatch(flow_name)
        if match is None:
            self.warn(f"{path}.flow_name", f"{shown(flow_name)} is not the documented `zis:INTEGRATION:flow:NAME`")
        elif self.integration is not None and match.group(1) != self.integration:
            # The Upload Bundle example itself (BUNDLES_API) points at zis:example:flow:my_flow from my_integration.
            self.warn(
                f"{path}.flow_name",
                f"names a flow of integration {shown(match.group(1))}, not {shown(self.integration)}",
            )
        elif match.group(2) not in self.flows and FLOW not in self.unsure:
            # A job spec may start a flow of another bundle of the same integration (issue 10).
            names = ", ".join(sorted(self.flows)) or "none"
            self.warn(f"{path}.flow_name", f"flow {shown(match.group(2))} is not in this bundle (its flows: {names})")

    # --- flows ---------------------------------------------------------------------------------------

    def flow(self, path: str, props: Mapping[str, Any]) -> None:
        self.undocumented(path, props, ("name", "description", "definition"))
        definition = props.get("definition")
        if self.unknown(definition):
            return
        if not isinstance(definition, Mapping):
            self.error(f"{path}.definition", "must be an object with `StartAt` and `States`")  # FLOW_STATES, ASL
            return
        self.state_machine(f"{path}.definition", definition)

    def state_machine(self, path: str, machine: Mapping[str, Any]) -> None:
        start, states = machine.get("StartAt"), machine.get("States")
        if self.unknown(states):
            return
        if not isinstance(states, Mapping) or not states:
            # FLOW_STATES: "A ZIS Flow is made up of one or more states"; ASL: "States" MUST be an object
            self.error(f"{path}.States", "must be a non-empty map of state name to state")
            return
        if not self.unknown(start) and start not in states:
            # ASL: "StartAt" MUST exactly match one of the names of the "States" fields
            self.error(
                f"{path}.StartAt", f"must name a state in States ({', '.join(map(str, states))}); got {shown(start)}"
            )
        for state_name, state in states.items():
            self.state(f"{path}.States.{state_name}", state, states)

    def state(self, path: str, state: Any, states: Mapping[str, Any]) -> None:
        if self.unknown(state):
            return
        if not isinstance(state, Mapping):
            self.error(path, "must be an object with a `Type`")  # FLOW_STATES: "All states require Type"
            return
        kind = state.get("Type")
        if self.unknown(kind):
            return
        if kind not in STATE_TYPES:
            # FLOW_STATES: "ZIS supports the following state types" (no Task, no Parallel)
            self.error(
                f"{path}.Type",
                f"must be one of {', '.join(STATE_TYPES)} (ZIS has no Task or Parallel); got {shown(kind)}",
            )
            return
        self.transition(f"{path}.Next", state.get("Next"), states)
        if "Next" in state and state.get("End") is True:
            self.warn(path, "has both `Next` and `End`; the docs say a state can't use both")  # FLOW_STATES
        if kind == "Action":
            self.action_name(f"{path}.ActionName", state.get("ActionName"))
        elif kind == "Wait":
            # FLOW_STATES: Wait "pauses for the specified number of seconds"
            if "Seconds" not in state or any(k in state for k in WAIT_FIELDS_REFUSED):
                self.error(path, "a ZIS Wait state takes `Seconds` only")
            elif not self.unknown(state["Seconds"]) and not self.whole(state["Seconds"]):
                # ZIS wants an integer there (seen; why Bundle sends whole floats as ints)
                self.error(f"{path}.Seconds", f"must be a whole number of seconds (got {shown(state['Seconds'])})")
        elif kind == "Choice":
            self.choices(path, state, states)
        elif kind == "Map":
            self.map_state(path, state)

    def choices(self, path: str, state: Mapping[str, Any], states: Mapping[str, Any]) -> None:
        choices = state.get("Choices")
        if not self.unknown(choices):
            if not isinstance(choices, list) or not choices:
                self.error(f"{path}.Choices", "must be a non-empty list")  # ASL: Choices MUST be a non-empty array
            else:
                for index, choice in enumerate(choices):
                    if isinstance(choice, Mapping):
                        # ASL: each Choice Rule at the top level MUST have a "Next" field
                        self.transition(f"{path}.Choices[{index}].Next", choice.get("Next"), states, required=True)
        self.transition(f"{path}.Default", state.get("Default"), states)

    def map_state(self, path: str, state: Mapping[str, Any]) -> None:
        if "ItemsPath" not in state:
            self.error(
                f"{path}.ItemsPath", "is required: the reference path to the input array"
            )  # MAP_STATE: mandatory
        iterator = state.get("Iterator", state.get("ItemProcessor"))
        if isinstance(iterator, Mapping):
            # MAP_STATE: states within an Iterator "can only transition to each other"
            self.state_machine(f"{path}.Iterator", iterator)
        elif not self.unknown(iterator):
            self.error(f"{path}.Iterator", "a Map state needs an Iterator with StartAt and States")  # MAP_STATE

    def transition(self, path: str, target: Any, states: Mapping[str, Any], *, required: bool = False) -> None:
        if target is None:
            if required:
                self.error(path, "is required")
            return
        if not self.unknown(target) and target not in states:
            # ASL: a transition MUST name a state of the same state machine
            self.error(path, f"must name a state in States ({', '.join(map(str, states))}); got {shown(target)}")

    def action_name(self, path: str, value: Any) -> None:
        if self.unknown(value):
            return
        if not isinstance(value, str) or not value:
            self.error(path, "is required: `zis:INTEGRATION:action:NAME` or a built-in `zis:common:…`")  # FLOW_STATES
            return
        if value.startswith("zis:common:"):
            return  # built-in actions (LoadConfig, transform:Jq, …)
        match = ACTION_REFERENCE.fullmatch(value)
        allowed = f"`zis:{self.integration or '{integration}'}:action:NAME` or a built-in `zis:common:…`"
        if match is None:
            self.error(path, f"must be {allowed} (got {shown(value)})")  # CUSTOM_ACTIONS: "zis:INTEGRATION:action:NAME"
            return
        if self.integration is not None and match.group(1) != self.integration:
            # CUSTOM_ACTIONS: actions are scoped to the integration key, and "The custom action definition must be
            # in the same bundle as the Action state. An Action state can't call an action from another bundle."
            self.error(
                path, f"refers to integration {shown(match.group(1))}; this bundle is for {shown(self.integration)}"
            )
        elif match.group(2) not in self.actions and ACTION not in self.unsure:
            names = ", ".join(sorted(self.actions)) or "none"
            # CUSTOM_ACTIONS: "The custom action definition must be in the same bundle as the Action state."
            self.error(
                path, f"refers to action {shown(match.group(2))}, which is not in this bundle (actions: {names})"
            )

    # --- shared --------------------------------------------------------------------------------------

    def undocumented(self, path: str, props: Mapping[str, Any], documented: tuple[str, ...]) -> None:
        extra = sorted(str(k) for k in props if k not in documented)
        if extra:
            # Not refused: the live API stores or ignores extra fields (issue 10; an action's `schema` and
            # `description` in tests/data/zis_bundles/incode_identity_verification_bundle.json).
            self.warn(
                path, f"fields {extra} are not documented (documented: {', '.join(documented)}); ZIS may ignore them"
            )


def bundle_problems(
    document: Mapping[str, Any],
    integration: str | None,
    *,
    unknown: Callable[[Any], bool] = _never,
    engine_numbers: bool = False,
) -> list[Problem]:
    """Every error and warning for a bundle document (name, description, zis_template_version, resources).

    `integration` is the one the bundle is uploaded to (None when not known yet); `unknown` tells values the engine
    does not know yet, which pass every rule; `engine_numbers` accepts 5.0 for 5 (values that crossed the engine).
    """
    rules = _Rules(integration, unknown, engine_numbers)
    rules.document(document)
    return rules.problems
