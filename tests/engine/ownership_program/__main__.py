"""One resource of each kind, whose names, parent, aliases and duplicates the stack config sets.

- `suffix`: the resources are `bundle-{suffix}`, `install-{suffix}`, `link-{suffix}` and `crm-{suffix}`;
- `inGroup`: they are children of a component `group` (moving resources into a component renames them);
- `aliasOf`: each gets `aliases=[Alias(name=f"{kind}-{aliasOf}")]`;
- `duplicate`: `bundle`, `install` or `link` adds `{kind}-twin`, declaring the same remote object again.
"""

import pulumi

import zis_pulumi as zis

INTEGRATION = "own_sync"
APP = "own-crm"

config = pulumi.Config()
suffix = config.require("suffix")
alias_of = config.get("aliasOf")
duplicate = config.get("duplicate")
group = pulumi.ComponentResource("tests:index:Group", "group") if config.get_bool("inGroup") else None


def options(kind: str, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
    aliases = [pulumi.Alias(name=f"{kind}-{alias_of}")] if alias_of else None
    return pulumi.ResourceOptions(parent=group, aliases=aliases, depends_on=depends_on)


flow = zis.Flow(
    "on_ticket_created",
    definition={"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
)
job_spec = zis.JobSpec("on_ticket_created", event_source="support", event_type="ticket.TicketCreated", flow=flow)


def bundle(name: str) -> zis.Bundle:
    return zis.Bundle(
        name, integration=INTEGRATION, name="own_sync", resources=[flow, job_spec], opts=options("bundle")
    )


def installation(name: str, job_spec_name: str, after: zis.Bundle) -> zis.JobSpecInstallation:
    return zis.JobSpecInstallation(
        name, integration=INTEGRATION, job_spec_name=job_spec_name, opts=options("install", [after])
    )


def link(name: str, priority: str) -> zis.Link:
    return zis.Link(
        name,
        integration=INTEGRATION,
        link_type="ticket_to_issue",
        left_object={"name": "zendesk:ticket1", "metadata": {"ticket_id": 1}},
        right_object={"name": "jira:PROJ-1", "metadata": {"priority": priority}},
        opts=options("link"),
    )


the_bundle = bundle(f"bundle-{suffix}")
the_installation = installation(f"install-{suffix}", "on_ticket_created", the_bundle)
the_link = link(f"link-{suffix}", "high")
crm = zis.AppConnection(
    f"crm-{suffix}",
    app_name=APP,
    type="apikey",
    label="Own CRM",
    parameters=[{"name": "apiKey", "type": "text", "label": "API Key", "required": True}],
    common={"region": "eu"},
    opts=options("crm"),
)

if duplicate == "bundle":
    bundle("bundle-twin")
elif duplicate == "install":
    installation("install-twin", f"zis:{INTEGRATION}:job_spec:on_ticket_created", the_bundle)
elif duplicate == "link":
    link("link-twin", "low")

pulumi.export("link_id", the_link.link_id)
pulumi.export("bundle_uuid", the_bundle.uuid)
pulumi.export("connection_name", crm.name)
