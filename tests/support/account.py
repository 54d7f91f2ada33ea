"""An account made the way people make them, through the APIs (no state written behind the API's back), for
the export tests and the export round trip through the engine.

Two ZIS integrations: `example` holds the vendor's own example bundle (tests/data) with its job spec installed;
`acme_sync` a bundle with a flow, an HTTP action and two job specs (one installed), and links of a type its flow
loads. Make app `acme-crm` has an OAuth connection with every kind of section and common data (a client secret),
and an API-key connection with a label that needs quoting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zis_pulumi._make import MakeClient
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.config import MakeSettings, ZendeskSettings

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLE_INTEGRATION = "example"
INTEGRATION = "acme_sync"
LINK_TYPE = "ticket_to_issue"
MANY_LINK_TYPE = "ticket_to_thread"
APP = "acme-crm"
CLIENT_SECRET = "s3cr3t-'quoted'-$HOME-client-secret"
API_KEY_LABEL = 'Acme CRM "API key"'

ACME_BUNDLE: dict[str, Any] = {
    "name": "acme_sync",
    "description": "Tickets to Jira issues",
    "zis_template_version": "2019-10-14",
    "resources": {
        "sync_flow": {
            "type": "ZIS::Flow",
            "properties": {
                "name": "sync",
                "definition": {
                    "StartAt": "LoadIssue",
                    "States": {
                        "LoadIssue": {
                            "Type": "Action",
                            "ActionName": "zis:common:action:LoadLinks",
                            "Parameters": {"link_type": LINK_TYPE, "left_object_name.$": "$.ticket_name"},
                            "ResultPath": "$.links",
                            "Next": "Wait",
                        },
                        "Wait": {"Type": "Wait", "Seconds": 5, "Next": "CreateIssue"},
                        "CreateIssue": {
                            "Type": "Action",
                            "ActionName": f"zis:{INTEGRATION}:action:create_issue",
                            "Parameters": {"summary.$": "$.input.ticket_event.ticket.subject"},
                            "Next": "Done",
                        },
                        "Done": {"Type": "Succeed"},
                    },
                },
            },
        },
        "create_issue_action": {
            "type": "ZIS::Action::Http",
            "properties": {
                "name": "create_issue",
                "definition": {
                    "method": "POST",
                    "url": "https://acme.atlassian.net/rest/api/3/issue",
                    "connectionName": "jira",
                    "headers": [{"key": "Content-Type", "value": "application/json"}],
                    "requestBody": {"fields": {"summary.$": "$.summary", "project": {"key": "SUP"}}},
                },
            },
        },
        "on_ticket_created_job_spec": {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": "on_ticket_created",
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": f"zis:{INTEGRATION}:flow:sync",
            },
        },
        "on_ticket_solved_job_spec": {
            "type": "ZIS::JobSpec",
            "properties": {
                "name": "on_ticket_solved",
                "event_source": "support",
                "event_type": "ticket.TicketSolved",
                "flow_name": f"zis:{INTEGRATION}:flow:sync",
            },
        },
    },
}
LINKS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("zendesk:ticket1", "jira:SUP-1", {"ticket_id": 1}, {"issue": "SUP-1", "priority": "high"}),
    ("zendesk:ticket2", "jira:SUP-2", {"ticket_id": 2}, {}),
    ("zendesk:ticket2", "jira:SUP-3", {}, {"nested": {"tags": ["a", "b"], "open": True}}),
]
OAUTH_SECTIONS: dict[str, Any] = {
    "api": {
        "url": "https://crm.example.com/api/v1/me",
        "headers": {"authorization": "Bearer {{connection.accessToken}}"},
        "log": {"sanitize": ["request.headers.authorization"]},
    },
    "parameters": [{"name": "clientId", "type": "text", "label": "Client ID", "required": True}],
    "scopes": {"contacts.read": "Read contacts"},
    "scope": ["contacts.read"],
    "install": {"url": "https://crm.example.com/api/v1/install", "method": "POST"},
    "installSpec": [{"name": "region", "type": "text"}],
}
API_KEY_SECTIONS: dict[str, Any] = {
    "api": {"url": "https://crm.example.com/api/v1/me", "headers": {"x-api-key": "{{parameters.apiKey}}"}},
    "parameters": [{"name": "apiKey", "type": "password", "label": "API key", "required": True}],
}


@dataclass(frozen=True)
class Seeded:
    oauth_connection: str
    api_key_connection: str


def seed_account(env: dict[str, str], *, many_links: int = 0) -> Seeded:
    """Make the account through the APIs; `many_links` links of MANY_LINK_TYPE too."""
    zendesk = ZendeskClient(ZendeskSettings.resolve(environ=env))
    make = MakeClient(MakeSettings.resolve(environ=env))
    with zendesk, make:
        example = json.loads((DATA / "zis_example_bundle.json").read_text())
        zendesk.upload_bundle(EXAMPLE_INTEGRATION, example)
        zendesk.install_job_spec(f"zis:{EXAMPLE_INTEGRATION}:job_spec:my_job_Spec")
        zendesk.upload_bundle(INTEGRATION, ACME_BUNDLE)
        zendesk.install_job_spec(f"zis:{INTEGRATION}:job_spec:on_ticket_created")
        for left, right, left_metadata, right_metadata in LINKS:
            zendesk.create_link(INTEGRATION, link_body(LINK_TYPE, left, right, left_metadata, right_metadata))
        for number in range(many_links):
            body = link_body(MANY_LINK_TYPE, f"zendesk:ticket{number}", f"slack:thread{number}", {"n": number}, {})
            zendesk.create_link(INTEGRATION, body)

        oauth = make.create_connection(APP, "oauth-refresh", "Acme CRM (OAuth)").name
        for section, value in OAUTH_SECTIONS.items():
            make.set_section(oauth, section, value)
        make.set_common(oauth, {"clientId": "acme-client", "clientSecret": CLIENT_SECRET})
        api_key = make.create_connection(APP, "apikey", API_KEY_LABEL).name
        for section, value in API_KEY_SECTIONS.items():
            make.set_section(api_key, section, value)
    return Seeded(oauth_connection=oauth, api_key_connection=api_key)


def link_body(
    link_type: str, left: str, right: str, left_metadata: dict[str, Any], right_metadata: dict[str, Any]
) -> dict[str, Any]:
    return {
        "link_type": link_type,
        "left_object": {"name": left, "metadata": left_metadata},
        "right_object": {"name": right, "metadata": right_metadata},
    }
