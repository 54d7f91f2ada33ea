"""The ZIS bundle: an integration's flows, actions and job specs, uploaded as one document.

Two things about the API shape this module. The upload answers `null`, so the uuid is found by listing
the integration's bundles. And an upload leaves every job spec of the integration uninstalled, so the
provider notes which were installed before and installs them again after.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pulumi
import pulumi.dynamic as dynamic
from pulumi.dynamic import CheckResult, CreateResult, ReadResult, UpdateResult

from . import _ownership as ownership
from ._bundle_rules import ACTION, FLOW, JOB_SPEC, TEMPLATE_VERSION, Problem, bundle_problems
from ._integration import integration_problem
from ._provider import BaseProvider, failure, is_unknown, not_inputs, plain
from ._resource import Out, inputs_from, registered
from ._zendesk import job_spec_qualified_name
from .errors import InvalidInputError, NotFoundError, ZisPulumiError
from .models import JobSpec as WireJobSpec

__all__ = [
    "DEFAULT_TEMPLATE_VERSION",
    "Bundle",
    "BundleArgs",
    "BundleProvider",
    "Flow",
    "HttpAction",
    "JobSpec",
    "bundle_warnings",
    "load_bundle",
    "validate_bundle",
]

DEFAULT_TEMPLATE_VERSION = TEMPLATE_VERSION
INPUTS = ("integration", "name", "description", "resources", "zis_template_version")
DOCUMENT_FIELDS = ("name", "description", "resources", "zis_template_version")
READ_ONLY_FIELDS = ("uuid", "integration", "zendesk_account_id")
"""What the get-bundle answer adds to the document (the bundles reference's JSON format)."""


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
    """Defaults to the action's name: the custom actions page says `properties.name` "Must match the key for
    the resource" (0.1.0 keyed actions `{name}_action`; diffs treat the two keys as one, see `_same_keys`)."""
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
    """The API's resources map from typed helpers, keyed by `key`, else an action by its name and a flow or job
    spec `{name}_flow` / `{name}_job_spec` (a clash is an error)."""
    resources: dict[str, Any] = {}
    for part in parts:
        key = part.key or (part.name if isinstance(part, HttpAction) else f"{part.name}_{part.kind_suffix}")
        if key in resources:
            raise InvalidInputError(f"two bundle resources share the key {key!r}; give one of them key=…")
        resources[key] = part.resource(integration)
    return resources


def load_bundle(path: str | Path) -> dict[str, Any]:
    """Read a bundle document into Bundle keyword arguments: JSON or YAML, as the upload takes it, as people keep it
    in repos, or as the get-bundle API answers it (its `uuid`, `integration`, `zendesk_account_id` are ignored).

    `zis.Bundle("sync", integration="acme_sync", **zis.load_bundle("bundle.json"))`
    """
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        import yaml

        document = yaml.safe_load(text)
    else:
        document = json.loads(text)
    if not isinstance(document, dict):
        raise InvalidInputError(f"{path}: a bundle document is a JSON/YAML object")
    unknown = sorted(set(document) - set(DOCUMENT_FIELDS) - set(READ_ONLY_FIELDS))
    if unknown:
        pulumi.log.warn(f"{path}: fields {unknown} are not bundle fields; they are not uploaded")
    return {k: document[k] for k in DOCUMENT_FIELDS if k in document}


# --- validation (check) and warnings ------------------------------------------------------------


def _rule_problems(inputs: Mapping[str, Any]) -> list[Problem]:
    integration = inputs.get("integration")
    known = integration if isinstance(integration, str) and not is_unknown(integration) else None
    return bundle_problems(inputs, known, unknown=is_unknown, engine_numbers=True)


def validate_bundle(inputs: Mapping[str, Any]) -> list[pulumi.dynamic.CheckFailure]:
    """Every problem ZIS would refuse in a bundle's inputs, each naming its property path. No API call.

    The rules and their sources are in `_bundle_rules`; what is only suspicious is left to `bundle_warnings`.
    """
    failures = not_inputs("Bundle", inputs, INPUTS)
    integration = inputs.get("integration")
    if not is_unknown(integration):
        problem = integration_problem(integration)  # the bundles reference: the `integration` path parameter
        if problem:
            failures.append(failure("integration", problem))
    failures.extend(failure(p.path, p.reason) for p in _rule_problems(inputs) if p.error)
    return failures


def bundle_warnings(inputs: Mapping[str, Any]) -> list[str]:
    """What looks wrong in a bundle but ZIS is not known to refuse, one line each (`path: why`)."""
    return [str(p) for p in _rule_problems(inputs) if not p.error]


# --- the provider ---------------------------------------------------------------------------------


def _job_spec_names(props: Mapping[str, Any]) -> set[str]:
    """The names of the job specs a bundle's inputs declare."""
    return {
        res["properties"]["name"]
        for res in props["resources"].values()
        if isinstance(res, Mapping) and res.get("type") == JOB_SPEC
    }


def _same_keys(resources: Any) -> Any:
    """The resources map with each action keyed `{name}_action` (how 0.1.0's `HttpAction` keyed it) keyed by its
    name, as the docs want and `HttpAction` now keys it: to ZIS the two bundles are the same (references use
    `properties.name`), so stacks made by 0.1.0 see no change, and the next upload sends the new key."""
    if not isinstance(resources, Mapping):
        return resources
    rekeyed: dict[str, Any] = {}
    for key, res in resources.items():
        props = res.get("properties") if isinstance(res, Mapping) else None
        name = props.get("name") if isinstance(props, Mapping) else None
        if isinstance(name, str) and res.get("type") == ACTION and key == f"{name}_action" and name not in resources:
            key = name
        rekeyed[key] = res
    return rekeyed


class BundleProvider(BaseProvider):
    inputs = INPUTS
    replace_on = ("integration", "name")

    def normalize(self, name: str, value: Any) -> Any:
        if name == "description":
            return value or ""
        if name == "zis_template_version":
            return value or DEFAULT_TEMPLATE_VERSION
        if name == "resources":
            return _same_keys(value)
        return value

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news, owner = ownership.take_owner(news)
        inputs = plain({k: v for k, v in news.items() if k != "__provider"})
        inputs.setdefault("zis_template_version", DEFAULT_TEMPLATE_VERSION)
        if inputs.get("description") is None:
            inputs["description"] = ""
        failures = validate_bundle(inputs)
        integration, name = inputs.get("integration"), inputs.get("name")
        if not failures and not is_unknown(integration) and not is_unknown(name):
            identity = (str(integration), str(name))
            failures = ownership.conflicts(ownership.BUNDLE, owner, {identity: _describe(*identity)})
        if "__provider" in news:
            inputs["__provider"] = news["__provider"]
        return CheckResult(inputs, failures)

    def _document(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": props["name"],
            "description": props.get("description") or "",
            "zis_template_version": props.get("zis_template_version") or DEFAULT_TEMPLATE_VERSION,
            "resources": plain(props["resources"]),  # numbers: see `_numbers`
        }

    def _upload(self, props: Mapping[str, Any], job_specs: Sequence[WireJobSpec] | None = None) -> None:
        """Upload, then install again the job specs the upload uninstalled (those still in the bundle).

        `job_specs` is the integration's job spec list if the caller has just read it."""
        integration = str(props["integration"])
        if job_specs is None:
            job_specs = self.zendesk.list_job_specs(integration)
        installed_before = {spec.name for spec in job_specs if spec.installed}
        self.zendesk.upload_bundle(integration, self._document(props))
        for name in sorted(installed_before & _job_spec_names(props)):
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
            raise ZisPulumiError(
                f"the ZIS bundle {name!r} of integration {integration!r} was uploaded but is not in the "
                "integration's bundle list; try again"
            )
        return uuid

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Take over a bundle of this name, with no upload when it holds what is declared; else upload.

        An upload is an upsert by integration and name, and it uninstalls the integration's job specs, so a
        bundle that already holds the declared content (made by hand, found by `zis-pulumi export`, uploaded
        by a try that failed after, or held by a resource renamed without aliases) is adopted with no write.
        Either way the output says that an existing bundle was taken over.
        """
        integration, name = str(props["integration"]), str(props["name"])
        existing = self.zendesk.find_bundle_uuid(integration, name)
        if existing is not None:
            ownership.adopted(ownership.BUNDLE, (integration, name), _describe(integration, name))
            with contextlib.suppress(NotFoundError):  # deleted since it was listed: upload it again
                outs = self._outputs(integration, existing)
                if self._holds(outs, props):
                    return CreateResult(existing, outs)
        self._upload(props)
        uuid = self._uuid_after_upload(integration, name)
        return CreateResult(uuid, self._outputs(integration, uuid))

    def _holds(self, outs: Mapping[str, Any], props: Mapping[str, Any]) -> bool:
        """Whether the stored bundle `outs` is the declared one, compared as `diff` compares them."""
        return all(self.normalize(key, outs.get(key)) == self.normalize(key, props.get(key)) for key in INPUTS)

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
        """DELETE (gone already is fine), unless a resource of this run declares the bundle (see `_ownership`)."""
        integration, name = str(props["integration"]), str(props.get("name"))
        if ownership.kept(ownership.BUNDLE, (integration, name), _describe(integration, name)):
            return
        with contextlib.suppress(NotFoundError):
            self.zendesk.delete_bundle(integration, str(props.get("uuid") or id_))


def _describe(integration: str, name: str) -> str:
    return f"ZIS bundle {name!r} of integration {integration!r}"


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
        resources: pulumi.Input[Mapping[str, Any]] | Sequence[BundlePart] | None = None,
        integration: pulumi.Input[str] | None = None,
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        zis_template_version: pulumi.Input[str] | None = None,
    ) -> None:
        inputs = inputs_from("Bundle", args, BundleArgs, locals(), required=("integration", "name", "resources"))
        inputs["zis_template_version"] = inputs["zis_template_version"] or DEFAULT_TEMPLATE_VERSION
        resources_input = inputs["resources"]
        if isinstance(resources_input, Sequence) and not isinstance(resources_input, str | bytes):
            # Typed parts: the resources map is built once the integration is known.
            parts = list(resources_input)
            inputs["resources"] = pulumi.Output.from_input(inputs["integration"]).apply(
                lambda integration: build_resources(integration, parts)
            )
        props = registered(self, resource_name, opts, inputs, ("uuid", "zendesk_account_id"))
        super().__init__(BundleProvider(), resource_name, props, opts)
        # A dynamic provider's check cannot warn, so the resource does, once the values are known (preview and up).
        declared = [props[key] for key in INPUTS]
        pulumi.Output.all(*declared).apply(lambda values: self._warn(dict(zip(INPUTS, values, strict=True))))

    def _warn(self, inputs: dict[str, Any]) -> None:
        for line in bundle_warnings(
            {**inputs, "zis_template_version": inputs.get("zis_template_version") or DEFAULT_TEMPLATE_VERSION}
        ):
            pulumi.log.warn(f"zis.Bundle: {line}", resource=self)

    uuid = Out[str]("The bundle's uuid (the resource ID; a bundle deleted by hand and re-uploaded gets a new one).")
    integration = Out[str]("The integration the bundle belongs to.")
    name = Out[str]("The bundle's name.")
    description = Out[str]("The bundle's description (empty when none was given).")
    resources = Out[dict[str, Any]]("The resources map as the API stores it (flows, actions and job specs by key).")
    zis_template_version = Out[str]('The ZIS template version, "2019-10-14".')
    zendesk_account_id = Out[int | None]("The Zendesk account the bundle belongs to.")
