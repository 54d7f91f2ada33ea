"""A stack wired the normal Pulumi way: identities, names, labels, sections, metadata and common data come from
other resources' outputs, so a first preview knows none of them. Numbers travel too: a ticket id from an output,
nested lists, integers beyond 2**31 and at 2**53.

Config `stage`: `one` (default), then `two`, whose preview turns known inputs into unknown ones (the resources
they come from are replaced): `note` feeds inputs that update, `kind` a link type, which replaces.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider

import zis_pulumi as zis

config = pulumi.Config()
stage = config.get("stage") or "one"


class _EchoProvider(ResourceProvider):
    """Like pulumi-random: `value` is an output only, so a preview of the create (or replacement) cannot know it."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"echo-{props['seed']}", {"seed": props["seed"], "value": props["seed"]})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("seed") != news.get("seed")
        return DiffResult(changes=changed, replaces=["seed"] if changed else [])


class Echo(pulumi.dynamic.Resource, module="test", name="Echo"):
    value: pulumi.Output[Any]

    def __init__(self, name: str, seed: Any) -> None:
        super().__init__(_EchoProvider(), name, {"seed": seed, "value": None})


def echo(name: str, seed: Any) -> pulumi.Output[Any]:
    return Echo(name, seed).value


integration = echo("integration", "values_sync")
link_type = echo("link-type", "ticket_to_issue")
ticket = echo("ticket", 12345)
note = echo("note", f"note {stage}")
kind = echo("kind", "ticket_to_task" if stage == "one" else "ticket_to_subtask")
nested = [1, [2, 2**40]] if stage == "one" else [1, [2, 3, 2**41]]
numbers = {"ticket_id": ticket, "nested": nested, "max_safe": 2**53, "ratio": 0.5, "note": note}

bundle = zis.Bundle(
    "bundle",
    integration=integration,
    name=echo("bundle-name", "values"),
    description=note,
    resources={
        "sync_flow": {
            "type": "ZIS::Flow",
            "properties": {
                "name": echo("flow-name", "sync"),
                "definition": {
                    "StartAt": "Pause",
                    "States": {
                        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
                        "Done": {"Type": "Pass", "Result": numbers, "End": True},
                    },
                },
            },
        },
        "on_ticket_job_spec": {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": "on_ticket",
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": pulumi.Output.concat("zis:", integration, ":flow:", echo("flow-ref", "sync")),
            },
        },
    },
)
installation = zis.JobSpecInstallation(
    "installation",
    integration=bundle.integration,
    job_spec_name=echo("job-spec-name", "on_ticket"),
    opts=pulumi.ResourceOptions(depends_on=[bundle]),
)

link = zis.Link(
    "link",
    integration=integration,
    link_type=link_type,
    left_object={
        "name": pulumi.Output.concat("zendesk:ticket", ticket.apply(lambda t: str(int(t)))),
        "metadata": numbers,
    },
    right_object={"name": "jira:PROJ-1", "metadata": {"issue": 101}},
)
follow_up = zis.Link(
    "follow-up",
    integration=link.integration,
    link_type=link.link_type,
    left_object=link.left_object,
    right_object={"name": "jira:PROJ-2", "metadata": {"copied_from": link.link_id}},
)
by_kind = zis.Link(
    "by-kind",
    integration=integration,
    link_type=kind,
    left_object={"name": "zendesk:ticket1", "metadata": {"ticket_id": ticket}},
    right_object={"name": "jira:PROJ-3"},
)

crm = zis.AppConnection(
    "crm",
    app_name=echo("app-name", "acme-crm"),
    type="oauth",
    label=pulumi.Output.concat("CRM ", note),
    api={"url": "https://crm.example.com/me", "timeout": 30, "retries": nested, "note": note},
    scope=[echo("scope", "contacts.read")],
    common={
        "clientId": echo("client-id", "acme-client"),
        "clientSecret": config.require_secret("crmClientSecret"),
        "limits": {"perMinute": ticket},
    },
)
backup = zis.AppConnection(
    "crm-backup",
    app_name=crm.app_name,
    type="basic",
    label=crm.name.apply(lambda name: f"Backup of {name}"),
    common={"source": crm.name},
)

pulumi.export("link_id", link.link_id)
pulumi.export("crm_name", crm.name)
