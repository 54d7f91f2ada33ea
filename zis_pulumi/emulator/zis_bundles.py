"""Validation of an uploaded ZIS bundle, and the job specs it declares.

The emulator refuses exactly what ZIS is documented (or seen) to refuse: the errors of `zis_pulumi._bundle_rules`,
the rules `Bundle`'s check applies too, each with its source. What those rules only warn about is accepted, as ZIS
accepts it: extra fields, JSONPath (`.$`) forms, a bundle without job specs, a job spec whose flow is in another
bundle of the integration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._bundle_rules import JOB_SPEC, TEMPLATE_VERSION, bundle_problems

__all__ = ["TEMPLATE_VERSION", "BundleError", "JobSpecDeclaration", "validate_bundle"]


class BundleError(ValueError):
    """Why the bundle is refused (the ``detail`` of the 400)."""


@dataclass(frozen=True)
class JobSpecDeclaration:
    name: str
    description: str
    event_source: str
    event_type: str
    flow_name: str


def validate_bundle(integration: str, body: Any) -> list[JobSpecDeclaration]:
    """Check an upload body; return the job specs it declares, or raise ``BundleError``."""
    if not isinstance(body, dict):
        raise BundleError("the bundle must be a JSON object")
    errors = [problem for problem in bundle_problems(body, integration) if problem.error]
    if errors:
        raise BundleError("; ".join(map(str, errors)))
    declarations: dict[str, JobSpecDeclaration] = {}
    for resource in body["resources"].values():
        if resource.get("type") != JOB_SPEC:
            continue
        properties: Mapping[str, Any] = resource["properties"]
        description = properties.get("description", "")
        declaration = JobSpecDeclaration(
            name=properties["name"],
            description=description if isinstance(description, str) else "",
            event_source=properties["event_source"],
            event_type=properties["event_type"],
            flow_name=properties["flow_name"],
        )
        declarations[declaration.name] = declaration  # two job specs of one name: the last one stands
    return list(declarations.values())
