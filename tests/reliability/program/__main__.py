"""The reliability suite's program: the stack of `spec.stack_spec`, or one bad-input case.

Stack config: `links`, `connections`, `generation` (0, then 1 for the edit), `makeSecret` (secret: the Make
connections' common `clientSecret`), `lookup` (true: also read the integration's ZIS connections), and
`case` (an index into `spec.BAD_CASES`: declare only that invalid resource).
"""

import os
from typing import Any

import pulumi
import pulumi.dynamic
from spec import BAD_CASES, INTEGRATION, SECRET_PLACEHOLDER, stack_spec

import zis_pulumi as zis
from zis_pulumi.app_connection import AppConnectionProvider
from zis_pulumi.bundle import BundleProvider
from zis_pulumi.job_spec import JobSpecInstallationProvider
from zis_pulumi.link import LinkProvider

config = pulumi.Config()
RAW_PROVIDERS: dict[str, Any] = {
    "zis:Bundle": BundleProvider,
    "zis:JobSpecInstallation": JobSpecInstallationProvider,
    "zis:Link": LinkProvider,
    "make:AppConnection": AppConnectionProvider,
}


def raw(token: str, name: str, props: dict[str, Any]) -> pulumi.dynamic.Resource:
    """The dynamic resource with exactly these props, unknown ones included (the classes refuse them)."""
    module, _, kind = token.partition(":")

    class Raw(pulumi.dynamic.Resource, module=module, name=kind):
        pass

    return Raw(RAW_PROVIDERS[token](), name, props)


def declare_case(index: int) -> None:
    case = BAD_CASES[index]
    name = f"case-{index}"
    # A secret the program computes (not a stack config secret, which the engine knows and filters).
    secret = pulumi.Output.secret(os.environ.get("ZIS_RELIABILITY_PROGRAM_SECRET", "program-secret"))
    inputs: dict[str, Any] = {
        key: secret if value == SECRET_PLACEHOLDER else value for key, value in case.inputs.items()
    }
    if case.kind == "bundle":
        zis.Bundle(name, **inputs)
    elif case.kind == "install":
        zis.JobSpecInstallation(name, **inputs)
    elif case.kind == "link":
        zis.Link(name, **inputs)
    elif case.kind == "connection":
        zis.AppConnection(name, **inputs)
    elif case.kind.startswith("raw:"):
        raw(case.kind.removeprefix("raw:"), name, inputs)
    else:
        raise ValueError(f"unknown case kind {case.kind!r}")


def declare_stack() -> None:
    spec = stack_spec(
        links=config.get_int("links", 40) or 0,
        connections=config.get_int("connections", 6) or 0,
        generation=config.get_int("generation", 0) or 0,
    )
    secret = config.require_secret("makeSecret")
    bundles = {}
    for b in spec.bundles:
        bundles[b.integration] = zis.Bundle(
            b.resource, integration=b.integration, name=b.name, description=b.description, resources=b.resources
        )
    for i in spec.installs:
        zis.JobSpecInstallation(
            i.resource,
            integration=i.integration,
            job_spec_name=i.job_spec,
            opts=pulumi.ResourceOptions(depends_on=[bundles[i.integration]]),
        )
    for link in spec.links:
        zis.Link(
            link.resource,
            integration=link.integration,
            link_type=link.link_type,
            left_object={"name": link.left, "metadata": link.left_metadata},
            right_object={"name": link.right, "metadata": link.right_metadata},
        )
    for c in spec.connections:
        zis.AppConnection(
            c.resource,
            app_name=c.app,
            type=c.type,
            label=c.label,
            common={**c.common_public, "clientSecret": secret},
            **c.sections,
        )
    if config.get_bool("lookup"):
        connections = zis.get_connections_output(integration=INTEGRATION)
        pulumi.export("connection_names", connections.apply(lambda result: result.names))
        pulumi.export(
            "oauth_tokens_present",
            connections.apply(lambda result: all(bool(c.access_token) for c in result.oauth)),
        )
    pulumi.export("resources", spec.resources)


case = config.get_int("case")
if case is not None:
    declare_case(case)
else:
    declare_stack()
