"""The quick-start stack: a ZIS integration that opens a Jira issue for each new ticket, plus a Make
custom-app OAuth connection. `make up` deploys it to the local emulator; see README for a real account.
"""

import pulumi
from make_connection import crm_oauth_connection  # beside this file

import zis_pulumi as zis

INTEGRATION = "acme_sync"
config = pulumi.Config()

# --- the ZIS bundle, written with the typed helpers -------------------------------------------------
create_issue = zis.HttpAction(
    "create_jira_issue",
    method="POST",
    path="/rest/api/3/issue",
    connection_name="jira",
    headers={"Content-Type": "application/json"},
    request_body={"fields.$": "$.issue_fields"},
)
on_ticket_created = zis.Flow(
    "on_ticket_created",
    definition={
        "StartAt": "PrepareIssue",
        "States": {
            "PrepareIssue": {
                "Type": "Pass",
                "Result": {"project": {"key": "PROJ"}, "issuetype": {"name": "Task"}},
                "ResultPath": "$.issue_fields",
                "Next": "CreateIssue",
            },
            "CreateIssue": {
                "Type": "Action",
                "ActionName": create_issue.qualified_name(INTEGRATION),
                "Parameters": {"issue_fields.$": "$.issue_fields"},
                "ResultPath": "$.jira",
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    },
)
ticket_created = zis.JobSpec(
    "on_ticket_created",
    event_source="support",
    event_type="ticket.TicketCreated",
    flow=on_ticket_created,
)

bundle = zis.Bundle(
    "acme-sync",
    integration=INTEGRATION,
    name="acme_sync",
    description="Open a Jira issue for every new ticket",
    resources=[on_ticket_created, create_issue, ticket_created],
)

installation = zis.JobSpecInstallation(
    "on-ticket-created",
    integration=INTEGRATION,
    job_spec_name="on_ticket_created",
    opts=pulumi.ResourceOptions(depends_on=[bundle]),
)

# --- links between Zendesk tickets and Jira issues ------------------------------------------------
links = [
    zis.Link(
        f"ticket{ticket}-to-jira",
        integration=INTEGRATION,
        link_type="ticket_to_issue",
        left_object={"name": f"zendesk:ticket{ticket}", "metadata": {"ticket_id": ticket}},
        right_object={"name": f"jira:PROJ-{issue}", "metadata": {"key": f"PROJ-{issue}", "priority": "high"}},
    )
    for ticket, issue in [(1, 101), (2, 102), (3, 103)]
]

# --- the integration's connections (made by an admin in Zendesk), looked up -----------------------
# Without include_secrets=False the whole result is secret, as OAuth connections carry their tokens.
connections = zis.get_connections_output(integration=INTEGRATION, include_secrets=False)

# --- a Make custom app's OAuth connection (make_connection.py) ------------------------------------
crm = crm_oauth_connection(config)

pulumi.export("bundle_uuid", bundle.uuid)
pulumi.export("job_spec", installation.job_spec_name)
pulumi.export("job_spec_installed", installation.installed)
pulumi.export("link_ids", [link.link_id for link in links])
pulumi.export("connection_names", connections.apply(lambda c: c.names))
pulumi.export("make_connection_name", crm.name)
