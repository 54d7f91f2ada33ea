"""A Make custom app's OAuth connection, its client secret taken from the stack's secret config.

Wire it into a stack's program with `crm = crm_oauth_connection()`, after
`pulumi config set --secret crmClientSecret <the OAuth client secret>`.
The secret ends up in the connection's `common` data and only ever travels encrypted in the state.
"""

from __future__ import annotations

import pulumi

from zis_pulumi.make import AppConnection, AppConnectionArgs

__all__ = ["crm_oauth_connection"]

CRM = "https://crm.example.com"


def crm_oauth_connection(
    config: pulumi.Config | None = None, opts: pulumi.ResourceOptions | None = None
) -> AppConnection:
    """The `acme-crm` app's OAuth 2.0 connection (authorization code with refresh tokens)."""
    config = config or pulumi.Config()
    return AppConnection(
        "crm-oauth",
        AppConnectionArgs(
            app_name="acme-crm",
            type="oauth-refresh",
            label="Acme CRM (OAuth)",
            # The OAuth directives; `common` below provides the app's own client, users may bring theirs.
            api={
                "authorize": {
                    "url": f"{CRM}/oauth/authorize",
                    "qs": {
                        "client_id": "{{ifempty(parameters.clientId, common.clientId)}}",
                        "redirect_uri": "{{oauth.redirectUri}}",
                        "response_type": "code",
                        "scope": "{{join(oauth.scope, ' ')}}",
                    },
                    "response": {"temp": {"code": "{{query.code}}"}},
                },
                "token": {
                    "url": f"{CRM}/oauth/token",
                    "method": "POST",
                    "type": "urlencoded",
                    "body": {
                        "code": "{{temp.code}}",
                        "client_id": "{{ifempty(parameters.clientId, common.clientId)}}",
                        "client_secret": "{{ifempty(parameters.clientSecret, common.clientSecret)}}",
                        "grant_type": "authorization_code",
                        "redirect_uri": "{{oauth.redirectUri}}",
                    },
                    "response": {
                        "data": {"accessToken": "{{body.access_token}}"},
                        "expires": "{{addSeconds(now, body.expires_in)}}",
                        "oauth": {"refreshToken": "{{body.refresh_token}}"},
                    },
                    "log": {"sanitize": ["request.body.client_secret", "response.body.access_token"]},
                },
                "info": {
                    "url": f"{CRM}/api/v1/me",
                    "headers": {"authorization": "Bearer {{connection.accessToken}}"},
                    "log": {"sanitize": ["request.headers.authorization"]},
                },
            },
            parameters=[
                {"name": "clientId", "type": "text", "label": "Client ID", "advanced": True},
                {"name": "clientSecret", "type": "password", "label": "Client Secret", "advanced": True},
            ],
            scopes={"contacts.read": "Read contacts", "contacts.write": "Create and update contacts"},
            scope=["contacts.read"],
            common={"clientId": "acme-crm-client", "clientSecret": config.require_secret("crmClientSecret")},
        ),
        opts,
    )
