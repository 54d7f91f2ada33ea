"""Validation of an uploaded ZIS bundle, and the job specs it declares.

The checks follow the reference: ``zis_template_version`` "2019-10-14"; resources of the known types with a
``properties.name``; flows written in the supported subset of the Amazon States Language (Action, Choice, Map,
Wait with Seconds only, Pass, Succeed, Fail); actions' ``ActionName`` pointing at an action of the bundle
(``zis:{integration}:action:{name}``) or a built-in (``zis:common:…``); job specs' ``flow_name`` pointing at a flow
of the bundle (``zis:{integration}:flow:{name}``); at least one flow and one job spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEMPLATE_VERSION = "2019-10-14"
FLOW = "ZIS::Flow"
HTTP_ACTION = "ZIS::Action::Http"
JOB_SPEC = "ZIS::JobSpec"
RESOURCE_TYPES = (FLOW, HTTP_ACTION, JOB_SPEC)
STATE_TYPES = ("Action", "Choice", "Map", "Wait", "Pass", "Succeed", "Fail")
WAIT_FIELDS_REFUSED = ("Timestamp", "SecondsPath", "TimestampPath")


class BundleError(ValueError):
    """Why the bundle is refused (the ``detail`` of the 400)."""


@dataclass(frozen=True)
class JobSpecDeclaration:
    name: str
    description: str
    event_source: str
    event_type: str
    flow_name: str


def _require_string(container: dict[str, Any], key: str, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise BundleError(f"{where}: '{key}' is required and must be a non-empty string")
    return value


def validate_bundle(integration: str, body: Any) -> list[JobSpecDeclaration]:
    """Check an upload body; return the job specs it declares, or raise ``BundleError``."""
    if not isinstance(body, dict):
        raise BundleError("the bundle must be a JSON object")
    _require_string(body, "name", "bundle")
    description = body.get("description", "")
    if description is not None and not isinstance(description, str):
        raise BundleError("bundle: 'description' must be a string")
    if body.get("zis_template_version") != TEMPLATE_VERSION:
        raise BundleError(f"bundle: 'zis_template_version' must be \"{TEMPLATE_VERSION}\"")
    resources = body.get("resources")
    if not isinstance(resources, dict) or not resources:
        raise BundleError("bundle: 'resources' must be a non-empty object")

    names: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in RESOURCE_TYPES}
    for key, resource in resources.items():
        where = f"resources.{key}"
        if not isinstance(resource, dict):
            raise BundleError(f"{where}: must be an object with 'type' and 'properties'")
        kind = resource.get("type")
        if kind not in RESOURCE_TYPES:
            raise BundleError(f"{where}: unknown resource type {kind!r}; expected one of {', '.join(RESOURCE_TYPES)}")
        properties = resource.get("properties")
        if not isinstance(properties, dict):
            raise BundleError(f"{where}: 'properties' must be an object")
        name = _require_string(properties, "name", f"{where}.properties")
        if name in names[kind]:
            raise BundleError(f"{where}: duplicate {kind} name {name!r}")
        names[kind][name] = properties

    if not names[FLOW]:
        raise BundleError("bundle: at least one ZIS::Flow is required")
    if not names[JOB_SPEC]:
        raise BundleError("bundle: at least one ZIS::JobSpec is required")

    for name, properties in names[HTTP_ACTION].items():
        _validate_http_action(name, properties)
    for name, properties in names[FLOW].items():
        definition = properties.get("definition")
        _validate_state_machine(definition, f"flow {name!r}", integration, set(names[HTTP_ACTION]))

    declarations = []
    for name, properties in names[JOB_SPEC].items():
        where = f"job spec {name!r}"
        event_source = _require_string(properties, "event_source", where)
        event_type = _require_string(properties, "event_type", where)
        flow_name = _require_string(properties, "flow_name", where)
        prefix = f"zis:{integration}:flow:"
        if not flow_name.startswith(prefix) or flow_name[len(prefix) :] not in names[FLOW]:
            raise BundleError(
                f"{where}: flow_name {flow_name!r} must name a flow of this bundle as '{prefix}<flow name>'"
            )
        job_description = properties.get("description", "")
        declarations.append(
            JobSpecDeclaration(
                name=name,
                description=job_description if isinstance(job_description, str) else "",
                event_source=event_source,
                event_type=event_type,
                flow_name=flow_name,
            )
        )
    return declarations


def _validate_http_action(name: str, properties: dict[str, Any]) -> None:
    where = f"action {name!r}"
    definition = properties.get("definition")
    if not isinstance(definition, dict):
        raise BundleError(f"{where}: 'definition' must be an object")
    _require_string(definition, "method", f"{where}.definition")
    if not isinstance(definition.get("url"), str) and not isinstance(definition.get("path"), str):
        raise BundleError(f"{where}.definition: 'url' or 'path' is required")
    headers = definition.get("headers", [])
    if not isinstance(headers, list) or any(
        not isinstance(header, dict) or "key" not in header or "value" not in header for header in headers
    ):
        raise BundleError(f"{where}.definition: 'headers' must be a list of {{key, value}}")


def _validate_state_machine(definition: Any, where: str, integration: str, actions: set[str]) -> None:
    if not isinstance(definition, dict):
        raise BundleError(f"{where}: 'definition' must be an object with StartAt and States")
    start_at = definition.get("StartAt")
    states = definition.get("States")
    if not isinstance(states, dict) or not states:
        raise BundleError(f"{where}: 'States' must be a non-empty object")
    if not isinstance(start_at, str) or start_at not in states:
        raise BundleError(f"{where}: 'StartAt' must name one of its States")
    for state_name, state in states.items():
        state_where = f"{where}, state {state_name!r}"
        if not isinstance(state, dict):
            raise BundleError(f"{state_where}: must be an object")
        state_type = state.get("Type")
        if state_type not in STATE_TYPES:
            raise BundleError(
                f"{state_where}: Type {state_type!r} is not supported; use one of {', '.join(STATE_TYPES)}"
            )
        targets = [state.get("Next"), state.get("Default")]
        if state_type == "Choice":
            choices = state.get("Choices")
            if not isinstance(choices, list) or not choices:
                raise BundleError(f"{state_where}: 'Choices' must be a non-empty list")
            targets.extend(choice.get("Next") for choice in choices if isinstance(choice, dict))
        for target in targets:
            if target is not None and target not in states:
                raise BundleError(f"{state_where}: transition to unknown state {target!r}")
        if state_type == "Wait":
            refused = [field for field in WAIT_FIELDS_REFUSED if field in state]
            if refused or not isinstance(state.get("Seconds"), int):
                raise BundleError(f"{state_where}: Wait supports 'Seconds' (an integer) only")
        if state_type == "Action":
            _validate_action_name(state.get("ActionName"), state_where, integration, actions)
        if state_type == "Map":
            iterator = state.get("Iterator", state.get("ItemProcessor"))
            _validate_state_machine(iterator, f"{state_where} Iterator", integration, actions)


def _validate_action_name(action_name: Any, where: str, integration: str, actions: set[str]) -> None:
    if not isinstance(action_name, str):
        raise BundleError(f"{where}: 'ActionName' is required")
    if action_name.startswith("zis:common:"):
        return
    prefix = f"zis:{integration}:action:"
    if not action_name.startswith(prefix) or action_name[len(prefix) :] not in actions:
        raise BundleError(
            f"{where}: ActionName {action_name!r} must be 'zis:common:…' or name an action of this bundle"
            f" as '{prefix}<action name>'"
        )
