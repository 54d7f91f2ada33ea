"""The files of the exported Pulumi project: `Pulumi.yaml`, `__main__.py` and, when there are secrets, `secrets.sh`.

The program declares each object exactly as it was read, so the first `pulumi up` adopts it: a bundle identical
to the declared one is not uploaded again, installed job specs and links are found by identity, and a Make
connection by the name in its `adopt_name`. Secrets (a connection's `common`) never appear in these files:
`secrets.sh` puts them in the stack config, and the program reads them from there.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

import yaml

from .account import Account, ExportedConnection, ExportedIntegration, ExportedLink
from .code import Names, Raw, call, string

__all__ = ["DEFAULT_LINK_SET_ABOVE", "Program", "pulumi_yaml", "render"]

DEFAULT_LINK_SET_ABOVE = 20
"""More links of one type than this are declared as one `zis.LinkSet` (fewer resources, a faster `up`)."""


@dataclass
class Program:
    """The rendered files, and what they declare."""

    main: str
    secrets: list[tuple[str, str]] = field(default_factory=list)
    """(stack config key, JSON value) of every secret the program reads."""
    resources: int = 0

    def secrets_script(self) -> str | None:
        """The `pulumi config set --secret` commands, or None when there is no secret."""
        if not self.secrets:
            return None
        lines = [
            "#!/bin/sh",
            "# The secrets `zis-pulumi export` read from the account, for the stack config of the selected stack",
            "# (or give `--stack NAME`): run `sh secrets.sh` in this directory once per stack. Keep this file",
            "# private (it is mode 0600) and delete it once every stack has them.",
            "set -e",
            'cd "$(dirname "$0")"',
        ]
        lines += [
            f'pulumi config set --secret {shlex.quote(key)} {shlex.quote(value)} "$@"' for key, value in self.secrets
        ]
        return "\n".join(lines) + "\n"


def pulumi_yaml(project_name: str, virtualenv: str | None) -> str:
    runtime: dict[str, object] = {"name": "python"}
    if virtualenv is not None:
        runtime["options"] = {"virtualenv": virtualenv}
    document = {
        "name": project_name,
        "description": "ZIS integrations and Make connections adopted by zis-pulumi export",
        "runtime": runtime,
    }
    return yaml.safe_dump(document, sort_keys=False)


class _Writer:
    def __init__(self, link_set_above: int, has_link_set: bool) -> None:
        self.names = Names()
        self.blocks: list[str] = []
        self.secrets: list[tuple[str, str]] = []
        self.resources = 0
        self.link_set_above = link_set_above
        self.has_link_set = has_link_set

    def add(self, code: str, variable: str | None = None) -> None:
        self.blocks.append(f"{variable} = {code}\n" if variable else f"{code}\n")
        self.resources += 1

    def integration(self, integration: ExportedIntegration) -> None:
        self.blocks.append(f"# --- ZIS integration {integration.name} ---\n")
        bundle_variables: dict[str, str] = {}
        for bundle in integration.bundles:
            variable = self.names.take(
                bundle.name if bundle.name == integration.name else f"{integration.name}_{bundle.name}"
            )
            bundle_variables[bundle.name] = variable
            keywords: dict[str, Any] = {
                "integration": bundle.integration,
                "name": bundle.name,
                "description": bundle.description,
                "zis_template_version": bundle.zis_template_version,
                "resources": bundle.resources,
            }
            self.add(call("zis.Bundle", [variable], keywords), variable)
        for job_spec, bundle_name in integration.installed_job_specs:
            name = self.names.take(f"{integration.name}_{job_spec}_installed")
            depends = bundle_variables.get(bundle_name or "")
            opts = Raw(call("pulumi.ResourceOptions", [], {"depends_on": Raw(f"[{depends}]")}, 1)) if depends else None
            keywords = {"integration": integration.name, "job_spec_name": job_spec, "opts": opts}
            self.add(call("zis.JobSpecInstallation", [name], keywords))
        for link_type, links in sorted(integration.links.items()):
            if len(links) > self.link_set_above and self.has_link_set:
                self.link_set(integration.name, link_type, links)
            else:
                for link in links:
                    self.link(integration.name, link)

    def link(self, integration: str, link: ExportedLink) -> None:
        name = self.names.take(f"{integration}_{link.link_type}_{link.left_object['name']}_{link.right_object['name']}")
        keywords = {
            "integration": integration,
            "link_type": link.link_type,
            "left_object": link.left_object,
            "right_object": link.right_object,
        }
        self.add(call("zis.Link", [name], keywords))

    def link_set(self, integration: str, link_type: str, links: list[ExportedLink]) -> None:
        name = self.names.take(f"{integration}_{link_type}_links")
        keywords = {
            "integration": integration,
            "link_type": link_type,
            "links": [{"left_object": link.left_object, "right_object": link.right_object} for link in links],
        }
        self.add(call("zis.LinkSet", [name], keywords))

    def connection(self, connection: ExportedConnection) -> None:
        name = self.names.take(connection.name)
        common = None
        if connection.common is not None:
            key = f"{name}_common"
            self.secrets.append((key, json.dumps(connection.common, ensure_ascii=False)))
            common = Raw(f"config.require_secret_object({string(key)})")
        keywords = {
            "app_name": connection.app_name,
            "type": connection.type,
            "label": connection.label,
            "adopt_name": connection.name,
            "connected_system_name": connection.connected_system_name,
            **connection.sections,
            "common": common,
        }
        self.add(call("zis.AppConnection", [name], keywords))


def render(account: Account, *, link_set_above: int = DEFAULT_LINK_SET_ABOVE, has_link_set: bool = True) -> Program:
    """The program declaring everything in `account` (deterministic: the same account gives the same text)."""
    writer = _Writer(link_set_above, has_link_set)
    for integration in account.integrations:
        writer.integration(integration)
    apps = sorted({c.app_name for c in account.connections})
    for app in apps:
        writer.blocks.append(f"# --- Make app {app} ---\n")
        for connection in (c for c in account.connections if c.app_name == app):
            writer.connection(connection)
    sources = " and ".join(url for url in (account.zendesk_url, account.make_url) if url) or "the account"
    header = [
        '"""What `zis-pulumi export` read from the account: `pulumi up` adopts it as it is.',
        "",
        f"Read from {sources}.",
        "Bundles identical to these are not uploaded again, installed job specs and links are taken over by identity,",
        "Make connections by their `adopt_name`. Credentials come from the same environment variables (or stack",
        "config) as for the export; secrets from the stack config (`sh secrets.sh` sets them).",
        '"""',
        "",
    ]
    uses_pulumi = bool(writer.secrets) or any("pulumi.ResourceOptions(" in block for block in writer.blocks)
    header += ["import pulumi", "import zis_pulumi as zis", ""] if uses_pulumi else ["import zis_pulumi as zis", ""]
    if writer.secrets:
        header += ["config = pulumi.Config()", ""]
    body = "\n".join(writer.blocks)
    return Program(main="\n".join(header) + "\n" + body, secrets=writer.secrets, resources=writer.resources)
