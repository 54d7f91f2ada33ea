"""The ZIS bundle: an integration's flows, actions and job specs, uploaded as one document.

Two things about the API shape this module. The upload answers `null`, so the uuid is found by listing
the integration's bundles. And an upload leaves every job spec of the integration uninstalled, so the
provider notes which were installed before and installs them again after.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, cast

import pulumi
import pulumi.dynamic as dynamic
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, UpdateResult

from ._pickling import unnest_sorting_pickler
from ._provider import BaseProvider, failure, is_unknown, plain
from ._zendesk import job_spec_qualified_name
from .errors import NotFoundError

__all__ = [
    "DEFAULT_TEMPLATE_VERSION",
    "Bundle",
    "BundleArgs",
    "BundleProvider",
    "Flow",
    "HttpAction",
    "JobSpec",
    "load_bundle",
]

DEFAULT_TEMPLATE_VERSION = "2019-10-14"
TEMPLATE_VERSIONS = (DEFAULT_TEMPLATE_VERSION,)
INTEGRATION_NAME = re.compile(r"^[a-z0-9_-]{1,64}$")
FLOW, ACTION, JOB_SPEC = "ZIS::Flow", "ZIS::Action::Http", "ZIS::JobSpec"
RESOURCE_TYPES = (FLOW, ACTION, JOB_SPEC)
STATE_TYPES = ("Action", "Choice", "Map", "Wait", "Pass", "Succeed", "Fail")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
INPUTS = ("integration", "name", "description", "resources", "zis_template_version")


def integration_problem(value: Any) -> str | None:
    """Why `value` is not a valid integration name, or None."""
    if not isinstance(value, str) or not INTEGRATION_NAME.match(value):
        return f"must be 1 to 64 characters of a-z, 0-9, '-' and '_' (got {value!r})"
    return None


# --- typed helpers to write a bundle in Python ----------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """A `ZIS::Flow`: an Amazon States Language state machine (Action, Choice, Map, Wait, Pass, Succeed, Fail)."""

    name: str
    definition: Mapping[str, Any]
    key: str | None = None
    """The key of the resource in the bundle's map; defaults to `{name}_flow`."""
    kind_suffix: ClassVar[str] = "flow"

    def qualified_name(self, integration: str) -> str:
        return f"zis:{integration}:flow:{self.name}"

    def resource(self, integration: str) -> dict[str, Any]:
        return {"type": FLOW, "properties": {"name": self.name, "definition": plain(self.definition)}}


@dataclass(frozen=True)
class HttpAction:
    """A `ZIS::Action::Http`: one HTTP request a flow's Action state can run."""

    name: str
    method: str
    url: str | None = None
    path: str | None = None
    connection_name: str | None = None
    headers: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None
    """Either a mapping or the API's list of `{"key", "value"}`."""
    request_body: Any = None
    key: str | None = None
    """Defaults to `{name}_action`."""
    kind_suffix: ClassVar[str] = "action"

    def qualified_name(self, integration: str) -> str:
        return f"zis:{integration}:action:{self.name}"

    def resource(self, integration: str) -> dict[str, Any]:
        definition: dict[str, Any] = {"method": self.method.upper()}
        if self.url is not None:
            definition["url"] = self.url
        if self.path is not None:
            definition["path"] = self.path
        if self.connection_name is not None:
            definition["connectionName"] = self.connection_name
        if self.headers is not None:
            if isinstance(self.headers, Mapping):
                definition["headers"] = [{"key": k, "value": v} for k, v in self.headers.items()]
            else:
                definition["headers"] = [dict(h) for h in self.headers]
        if self.request_body is not None:
            definition["requestBody"] = plain(self.request_body)
        return {"type": ACTION, "properties": {"name": self.name, "definition": definition}}


@dataclass(frozen=True)
class JobSpec:
    """A `ZIS::JobSpec`: which event starts which flow. `flow` is a `Flow` or a flow name."""

    name: str
    event_source: str
    event_type: str
    flow: Flow | str
    key: str | None = None
    """Defaults to `{name}_job_spec`."""
    kind_suffix: ClassVar[str] = "job_spec"

    def resource(self, integration: str) -> dict[str, Any]:
        if isinstance(self.flow, Flow):
            flow_name = self.flow.qualified_name(integration)
        elif self.flow.startswith("zis:"):
            flow_name = self.flow
        else:
            flow_name = f"zis:{integration}:flow:{self.flow}"
        return {
            "type": JOB_SPEC,
            "properties": {
                "name": self.name,
                "event_source": self.event_source,
                "event_type": self.event_type,
                "flow_name": flow_name,
            },
        }


BundlePart = Flow | HttpAction | JobSpec


def build_resources(integration: str, parts: Sequence[BundlePart]) -> dict[str, Any]:
    """The API's resources map from typed helpers, keyed by `key` or `{name}_{kind}` (a clash is an error)."""
    resources: dict[str, Any] = {}
    for part in parts:
        key = part.key or f"{part.name}_{part.kind_suffix}"
        if key in resources:
            raise ValueError(f"two bundle resources share the key {key!r}; give one of them key=…")
        resources[key] = part.resource(integration)
    return resources


def load_bundle(path: str | Path) -> dict[str, Any]:
    """Read a bundle document (JSON or YAML, as the API takes it) into Bundle keyword arguments.

    `zis.Bundle("sync", integration="acme_sync", **zis.load_bundle("bundle.json"))`
    """
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        import yaml

        document = yaml.safe_load(text)
    else:
        document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError(f"{path}: a bundle document is a JSON/YAML object")
    unknown = set(document) - {"name", "description", "resources", "zis_template_version", "integration", "uuid"}
    if unknown:
        raise ValueError(f"{path}: unknown bundle fields {sorted(unknown)}")
    return {k: document[k] for k in ("name", "description", "resources", "zis_template_version") if k in document}


# --- validation (check) ---------------------------------------------------------------------------


@dataclass
class _Validation:
    integration: str | None
    failures: list[pulumi.dynamic.CheckFailure] = field(default_factory=list)

    def fail(self, path: str, reason: str) -> None:
        self.failures.append(failure(path, reason))

    def names(self, resources: Mapping[str, Any], kind: str) -> set[str]:
        found = set()
        for res in resources.values():
            if isinstance(res, Mapping) and res.get("type") == kind:
                name = (res.get("properties") or {}).get("name") if isinstance(res.get("properties"), Mapping) else None
                if isinstance(name, str):
                    found.add(name)
        return found

    def resources(self, resources: Any) -> None:
        if is_unknown(resources):
            return
        if not isinstance(resources, Mapping) or not resources:
            self.fail("resources", "must be a non-empty map of resource key to {type, properties}")
            return
        flows = self.names(resources, FLOW)
        actions = self.names(resources, ACTION)
        counts = dict.fromkeys(RESOURCE_TYPES, 0)
        seen_names: dict[tuple[str, str], str] = {}
        for key, res in resources.items():
            path = f"resources.{key}"
            if is_unknown(res):
                counts[FLOW] += 1  # cannot tell yet; do not report a missing flow or job spec
                counts[JOB_SPEC] += 1
                continue
            if not isinstance(res, Mapping):
                self.fail(path, "must be an object with `type` and `properties`")
                continue
            extra = set(res) - {"type", "properties"}
            if extra:
                self.fail(path, f"unknown fields {sorted(extra)}; a resource has only `type` and `properties`")
            kind = res.get("type")
            if is_unknown(kind):
                continue
            if kind not in RESOURCE_TYPES:
                self.fail(f"{path}.type", f"must be one of {', '.join(RESOURCE_TYPES)} (got {kind!r})")
                continue
            counts[kind] += 1
            props = res.get("properties")
            if is_unknown(props):
                continue
            if not isinstance(props, Mapping):
                self.fail(f"{path}.properties", "must be an object")
                continue
            name = props.get("name")
            if not is_unknown(name):
                if not isinstance(name, str) or not name.strip():
                    self.fail(f"{path}.properties.name", "must be a non-empty string")
                elif (kind, name) in seen_names:
                    self.fail(
                        f"{path}.properties.name", f"{name!r} is also the name of resources.{seen_names[kind, name]}"
                    )
                else:
                    seen_names[kind, name] = str(key)
            if kind == FLOW:
                self.flow(f"{path}.properties", props, actions)
            elif kind == ACTION:
                self.action(f"{path}.properties", props)
            else:
                self.job_spec(f"{path}.properties", props, flows)
        if counts[FLOW] == 0:
            self.fail("resources", f"a bundle needs at least one {FLOW}")
        if counts[JOB_SPEC] == 0:
            self.fail("resources", f"a bundle needs at least one {JOB_SPEC}")

    def reference(self, path: str, value: Any, kind: str, known: set[str], *, common_ok: bool) -> None:
        if is_unknown(value):
            return
        if not isinstance(value, str):
            self.fail(path, f"must be a string `zis:{{integration}}:{kind}:{{name}}`")
            return
        if common_ok and value.startswith("zis:common:"):
            return
        match = re.fullmatch(rf"zis:([^:]+):{kind}:(.+)", value)
        if match is None:
            allowed = f"`zis:{self.integration or '{integration}'}:{kind}:NAME`"
            if common_ok:
                allowed += " or a built-in `zis:common:…`"
            self.fail(path, f"must be {allowed} (got {value!r})")
            return
        if self.integration is not None and match.group(1) != self.integration:
            self.fail(path, f"refers to integration {match.group(1)!r}; this bundle is for {self.integration!r}")
            return
        if match.group(2) not in known:
            names = ", ".join(sorted(known)) or "none"
            self.fail(path, f"refers to {kind} {match.group(2)!r}, which is not in this bundle ({kind}s: {names})")

    def flow(self, path: str, props: Mapping[str, Any], actions: set[str]) -> None:
        self.unknown_fields(path, props, {"name", "definition"})
        definition = props.get("definition")
        if is_unknown(definition):
            return
        if not isinstance(definition, Mapping):
            self.fail(f"{path}.definition", "must be an object with `StartAt` and `States`")
            return
        self.state_machine(f"{path}.definition", definition, actions)

    def state_machine(self, path: str, machine: Mapping[str, Any], actions: set[str]) -> None:
        start, states = machine.get("StartAt"), machine.get("States")
        if is_unknown(states):
            return
        if not isinstance(states, Mapping) or not states:
            self.fail(f"{path}.States", "must be a non-empty map of state name to state")
            return
        if not is_unknown(start) and start not in states:
            self.fail(f"{path}.StartAt", f"must name a state in States ({', '.join(map(str, states))}); got {start!r}")
        for state_name, state in states.items():
            spath = f"{path}.States.{state_name}"
            if is_unknown(state):
                continue
            if not isinstance(state, Mapping):
                self.fail(spath, "must be an object with a `Type`")
                continue
            kind = state.get("Type")
            if is_unknown(kind):
                continue
            if kind not in STATE_TYPES:
                self.fail(
                    f"{spath}.Type",
                    f"must be one of {', '.join(STATE_TYPES)} (ZIS has no Task or Parallel); got {kind!r}",
                )
                continue
            self.transition(f"{spath}.Next", state.get("Next"), states)
            if kind == "Action":
                self.reference(f"{spath}.ActionName", state.get("ActionName"), "action", actions, common_ok=True)
            elif kind == "Wait":
                if "Seconds" not in state or any(k in state for k in ("SecondsPath", "Timestamp", "TimestampPath")):
                    self.fail(spath, "a ZIS Wait state takes `Seconds` only")
            elif kind == "Choice":
                choices = state.get("Choices")
                if not is_unknown(choices):
                    if not isinstance(choices, list) or not choices:
                        self.fail(f"{spath}.Choices", "must be a non-empty list")
                    else:
                        for i, choice in enumerate(choices):
                            if isinstance(choice, Mapping):
                                self.transition(f"{spath}.Choices[{i}].Next", choice.get("Next"), states, required=True)
                self.transition(f"{spath}.Default", state.get("Default"), states)
            elif kind == "Map":
                iterator = state.get("Iterator", state.get("ItemProcessor"))
                if isinstance(iterator, Mapping):
                    self.state_machine(f"{spath}.Iterator", iterator, actions)
                elif not is_unknown(iterator):
                    self.fail(f"{spath}.Iterator", "a Map state needs an Iterator with StartAt and States")

    def transition(self, path: str, target: Any, states: Mapping[str, Any], *, required: bool = False) -> None:
        if target is None:
            if required:
                self.fail(path, "is required")
            return
        if not is_unknown(target) and target not in states:
            self.fail(path, f"must name a state in States ({', '.join(map(str, states))}); got {target!r}")

    def action(self, path: str, props: Mapping[str, Any]) -> None:
        self.unknown_fields(path, props, {"name", "definition"})
        definition = props.get("definition")
        if is_unknown(definition):
            return
        if not isinstance(definition, Mapping):
            self.fail(f"{path}.definition", "must be an object with `method` and `url` or `path`")
            return
        method = definition.get("method")
        if not is_unknown(method) and (not isinstance(method, str) or method.upper() not in HTTP_METHODS):
            self.fail(f"{path}.definition.method", f"must be one of {', '.join(HTTP_METHODS)} (got {method!r})")
        has_url, has_path = definition.get("url") is not None, definition.get("path") is not None
        if has_url == has_path:
            self.fail(f"{path}.definition", "needs exactly one of `url` and `path`")
        headers = definition.get("headers")
        if (
            headers is not None
            and not is_unknown(headers)
            and (
                not isinstance(headers, list)
                or not all(is_unknown(h) or (isinstance(h, Mapping) and set(h) == {"key", "value"}) for h in headers)
            )
        ):
            self.fail(f"{path}.definition.headers", 'must be a list of {"key": …, "value": …}')

    def job_spec(self, path: str, props: Mapping[str, Any], flows: set[str]) -> None:
        self.unknown_fields(path, props, {"name", "event_source", "event_type", "flow_name"})
        for required in ("event_source", "event_type"):
            value = props.get(required)
            if not is_unknown(value) and (not isinstance(value, str) or not value.strip()):
                self.fail(f"{path}.{required}", "must be a non-empty string")
        self.reference(f"{path}.flow_name", props.get("flow_name"), "flow", flows, common_ok=False)

    def unknown_fields(self, path: str, props: Mapping[str, Any], allowed: set[str]) -> None:
        extra = set(props) - allowed
        if extra:
            self.fail(path, f"unknown fields {sorted(extra)}; allowed: {', '.join(sorted(allowed))}")


def validate_bundle(inputs: Mapping[str, Any]) -> list[pulumi.dynamic.CheckFailure]:
    """Every problem with a bundle's inputs, each naming its property path. No API call."""
    integration = inputs.get("integration")
    v = _Validation(integration if isinstance(integration, str) and not is_unknown(integration) else None)
    unknown = set(inputs) - set(INPUTS) - {"__provider"}
    for extra in sorted(unknown):
        v.fail(extra, f"is not a Bundle input; inputs are {', '.join(INPUTS)}")
    if not is_unknown(integration):
        problem = integration_problem(integration)
        if problem:
            v.fail("integration", problem)
    name = inputs.get("name")
    if not is_unknown(name) and (not isinstance(name, str) or not name.strip()):
        v.fail("name", "must be a non-empty string")
    description = inputs.get("description")
    if description is not None and not is_unknown(description) and not isinstance(description, str):
        v.fail("description", "must be a string")
    version = inputs.get("zis_template_version")
    if not is_unknown(version) and version not in TEMPLATE_VERSIONS:
        v.fail("zis_template_version", f"must be {' or '.join(map(repr, TEMPLATE_VERSIONS))} (got {version!r})")
    v.resources(inputs.get("resources"))
    return v.failures


# --- the provider ---------------------------------------------------------------------------------


def _whole_numbers(value: Any) -> Any:
    """The value with whole floats made ints again: numbers cross the engine as doubles, so a Wait state's
    `"Seconds": 5` arrives as 5.0, and ZIS wants an integer there."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


class BundleProvider(BaseProvider):
    inputs = INPUTS
    replace_on = ("integration", "name")

    def normalize(self, name: str, value: Any) -> Any:
        if name == "description":
            return value or ""
        if name == "zis_template_version":
            return value or DEFAULT_TEMPLATE_VERSION
        return value

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = plain({k: v for k, v in news.items() if k != "__provider"})
        inputs.setdefault("zis_template_version", DEFAULT_TEMPLATE_VERSION)
        if inputs.get("description") is None:
            inputs["description"] = ""
        failures = validate_bundle(inputs)
        if "__provider" in news:
            inputs["__provider"] = news["__provider"]
        return CheckResult(inputs, failures)

    def _document(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": props["name"],
            "description": props.get("description") or "",
            "zis_template_version": props.get("zis_template_version") or DEFAULT_TEMPLATE_VERSION,
            "resources": _whole_numbers(plain(props["resources"])),
        }

    def _upload(self, props: Mapping[str, Any]) -> None:
        """Upload, then install again the job specs the upload uninstalled (those still in the bundle)."""
        integration = str(props["integration"])
        installed_before = {spec.name for spec in self.zendesk.list_job_specs(integration) if spec.installed}
        self.zendesk.upload_bundle(integration, self._document(props))
        declared = {
            res["properties"]["name"]
            for res in props["resources"].values()
            if isinstance(res, Mapping) and res.get("type") == JOB_SPEC
        }
        for name in sorted(installed_before & declared):
            self.zendesk.install_job_spec(job_spec_qualified_name(integration, name))

    def _outputs(self, integration: str, uuid: str) -> dict[str, Any]:
        bundle = self.zendesk.get_bundle(integration, uuid)
        return {
            "uuid": bundle.uuid,
            "integration": bundle.integration or integration,
            "name": bundle.name,
            "description": bundle.description or "",
            "resources": {key: res.model_dump(mode="json") for key, res in bundle.resources.items()},
            "zis_template_version": bundle.zis_template_version or DEFAULT_TEMPLATE_VERSION,
            "zendesk_account_id": bundle.zendesk_account_id,
        }

    def _uuid_after_upload(self, integration: str, name: str) -> str:
        uuid = self.zendesk.find_bundle_uuid(integration, name)
        if uuid is None:
            raise RuntimeError(
                f"the ZIS bundle {name!r} of integration {integration!r} was uploaded but is not in the "
                "integration's bundle list; try again"
            )
        return uuid

    def create(self, props: dict[str, Any]) -> CreateResult:
        # An upload is an upsert by (integration, name): a retry after a failure adopts what the first try made.
        integration, name = str(props["integration"]), str(props["name"])
        self._upload(props)
        uuid = self._uuid_after_upload(integration, name)
        return CreateResult(uuid, self._outputs(integration, uuid))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        integration, name = str(news["integration"]), str(news["name"])
        self._upload(news)
        uuid = str(olds.get("uuid") or id_)
        try:
            return UpdateResult(self._outputs(integration, uuid))
        except NotFoundError:
            # Deleted behind our back and re-created by this upload: same name, new uuid.
            return UpdateResult(self._outputs(integration, self._uuid_after_upload(integration, name)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        integration = str(props.get("integration") or "")
        uuid = str(props.get("uuid") or id_)
        try:
            outs = self._outputs(integration, uuid)
        except NotFoundError:
            return ReadResult("", {})
        inputs = {k: outs[k] for k in INPUTS}
        return ReadResult(id_, outs, inputs=inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with contextlib.suppress(NotFoundError):
            self.zendesk.delete_bundle(str(props["integration"]), str(props.get("uuid") or id_))


# --- the resource ---------------------------------------------------------------------------------


@dataclass
class BundleArgs:
    """The inputs of a `Bundle`."""

    integration: pulumi.Input[str]
    """The integration the bundle belongs to: 1 to 64 of a-z, 0-9, '-', '_'."""
    name: pulumi.Input[str]
    """The bundle's name; with the integration, its identity (a change replaces the bundle)."""
    resources: pulumi.Input[Mapping[str, Any]] | Sequence[BundlePart]
    """The API's resources map, or a list of `Flow`, `HttpAction` and `JobSpec` helpers."""
    description: pulumi.Input[str] | None = None
    zis_template_version: pulumi.Input[str] | None = DEFAULT_TEMPLATE_VERSION


class Bundle(dynamic.Resource, module="zis", name="Bundle"):
    """A ZIS bundle. Updating it keeps the job specs that were installed installed."""

    def __init__(
        self,
        resource_name: str,
        args: BundleArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        integration: pulumi.Input[str] | None = None,
        name: pulumi.Input[str] | None = None,
        resources: pulumi.Input[Mapping[str, Any]] | Sequence[BundlePart] | None = None,
        description: pulumi.Input[str] | None = None,
        zis_template_version: pulumi.Input[str] | None = None,
    ) -> None:
        keywords = (integration, name, resources, description, zis_template_version)
        if args is None:
            if integration is None or name is None or resources is None:
                raise TypeError("Bundle needs integration, name and resources (or a BundleArgs)")
            args = BundleArgs(
                integration=integration,
                name=name,
                resources=resources,
                description=description,
                zis_template_version=zis_template_version or DEFAULT_TEMPLATE_VERSION,
            )
        elif any(value is not None for value in keywords):
            raise TypeError("give Bundle either a BundleArgs or keyword arguments, not both")
        resources_input: Any = args.resources
        if isinstance(resources_input, Sequence) and not isinstance(resources_input, str | bytes):
            parts = list(resources_input)
            resources_input = pulumi.Output.from_input(args.integration).apply(lambda i: build_resources(i, parts))
        props = {
            "integration": args.integration,
            "name": args.name,
            "description": args.description,
            "resources": resources_input,
            "zis_template_version": args.zis_template_version or DEFAULT_TEMPLATE_VERSION,
            "uuid": None,
            "zendesk_account_id": None,
        }
        unnest_sorting_pickler()  # before the SDK pickles the provider: see _pickling
        super().__init__(BundleProvider(), resource_name, props, opts)

    @property
    def uuid(self) -> pulumi.Output[str]:
        """The bundle's uuid (the resource ID; a bundle deleted by hand and re-uploaded gets a new one)."""
        return cast("pulumi.Output[str]", pulumi.get(self, "uuid"))

    @property
    def integration(self) -> pulumi.Output[str]:
        """The integration the bundle belongs to."""
        return cast("pulumi.Output[str]", pulumi.get(self, "integration"))

    @property
    def name(self) -> pulumi.Output[str]:
        """The bundle's name."""
        return cast("pulumi.Output[str]", pulumi.get(self, "name"))

    @property
    def description(self) -> pulumi.Output[str]:
        """The bundle's description ("" when none was given)."""
        return cast("pulumi.Output[str]", pulumi.get(self, "description"))

    @property
    def resources(self) -> pulumi.Output[dict[str, Any]]:
        """The resources map as the API stores it (flows, actions and job specs by key)."""
        return cast("pulumi.Output[dict[str, Any]]", pulumi.get(self, "resources"))

    @property
    def zis_template_version(self) -> pulumi.Output[str]:
        """The ZIS template version, "2019-10-14"."""
        return cast("pulumi.Output[str]", pulumi.get(self, "zis_template_version"))

    @property
    def zendesk_account_id(self) -> pulumi.Output[int | None]:
        """The Zendesk account the bundle belongs to."""
        return cast("pulumi.Output[int | None]", pulumi.get(self, "zendesk_account_id"))
