"""The commented JSONC templates a new Make connection starts with, by requested type.

Like Make's own templates they carry ``//`` comments and the odd trailing comma, so a client that reads a section
back must parse JSONC, not JSON.
"""

from __future__ import annotations

API_KEY_API = """{
    // Request that checks the credentials when the connection is created.
    "url": "https://www.example.com/api/whoami",     // Absolute URL of an endpoint that needs authentication
    "headers": {
        "x-api-key": "{{parameters.apiKey}}",        // The key the user entered
    },
    "log": {
        "sanitize": ["request.headers.x-api-key"]   // Keep the key out of the logs
    },
}
"""

BASIC_API = """{
    // Request that checks the credentials when the connection is created.
    "url": "https://www.example.com/api/whoami",     // Absolute URL of an endpoint that needs authentication
    "headers": {
        "authorization": "Basic {{base64(parameters.username + ':' + parameters.password)}}",
    },
    "log": {
        "sanitize": ["request.headers.authorization"] // Keep the credentials out of the logs
    },
}
"""

OTHER_API = """{
    // Describe here how Make checks the credentials (an IML request), or leave it empty.
}
"""

OAUTH2_API = """{
    // OAuth 2.0 authorization code flow.
    "authorize": {
        "url": "https://www.example.com/oauth/authorize",
        "qs": {
            "client_id": "{{ifempty(parameters.clientId, common.clientId)}}",
            "redirect_uri": "{{oauth.redirectUri}}",
            "response_type": "code",
            "scope": "{{join(oauth.scope, ' ')}}",
        },
        "response": {
            "temp": {"code": "{{query.code}}"}
        }
    },
    "token": {
        "url": "https://www.example.com/oauth/token",
        "method": "POST",
        "type": "urlencoded",
        "body": {
            "code": "{{temp.code}}",
            "client_id": "{{ifempty(parameters.clientId, common.clientId)}}",
            "client_secret": "{{ifempty(parameters.clientSecret, common.clientSecret)}}",
            "grant_type": "authorization_code",
            "redirect_uri": "{{oauth.redirectUri}}"
        },
        "response": {
            "data": {"accessToken": "{{body.access_token}}"}
        },
        "log": {
            "sanitize": ["request.body.client_secret", "response.body.access_token"]
        }
    },
    "info": {
        "url": "https://www.example.com/api/whoami",
        "headers": {"authorization": "Bearer {{connection.accessToken}}"},
        "log": {"sanitize": ["request.headers.authorization"]}
    },
}
"""

OAUTH2_REFRESH_API = """{
    // OAuth 2.0 authorization code flow with refresh tokens.
    "authorize": {
        "url": "https://www.example.com/oauth/authorize",
        "qs": {
            "client_id": "{{ifempty(parameters.clientId, common.clientId)}}",
            "redirect_uri": "{{oauth.redirectUri}}",
            "response_type": "code",
            "scope": "{{join(oauth.scope, ' ')}}",
        },
        "response": {"temp": {"code": "{{query.code}}"}}
    },
    "token": {
        "url": "https://www.example.com/oauth/token",
        "method": "POST",
        "type": "urlencoded",
        "body": {
            "code": "{{temp.code}}",
            "client_id": "{{ifempty(parameters.clientId, common.clientId)}}",
            "client_secret": "{{ifempty(parameters.clientSecret, common.clientSecret)}}",
            "grant_type": "authorization_code",
            "redirect_uri": "{{oauth.redirectUri}}"
        },
        "response": {
            "data": {"accessToken": "{{body.access_token}}"},
            "expires": "{{addSeconds(now, body.expires_in)}}",
            "oauth": {"refreshToken": "{{body.refresh_token}}"}
        },
        "log": {"sanitize": ["request.body.client_secret", "response.body.access_token",
                             "response.body.refresh_token"]}
    },
    "refresh": {
        // Called when "expires" has passed.
        "condition": "{{if(data.expires, data.expires < addMinutes(now, 1), true)}}",
        "url": "https://www.example.com/oauth/token",
        "method": "POST",
        "type": "urlencoded",
        "body": {
            "client_id": "{{ifempty(parameters.clientId, common.clientId)}}",
            "client_secret": "{{ifempty(parameters.clientSecret, common.clientSecret)}}",
            "grant_type": "refresh_token",
            "refresh_token": "{{data.refreshToken}}",
        },
        "response": {
            "data": {"accessToken": "{{body.access_token}}"},
            "expires": "{{addSeconds(now, body.expires_in)}}"
        }
    },
}
"""

OAUTH2_PASSWORD_API = """{
    // OAuth 2.0 resource owner password credentials flow.
    "token": {
        "url": "https://www.example.com/oauth/token",
        "method": "POST",
        "type": "urlencoded",
        "body": {
            "grant_type": "password",
            "username": "{{parameters.username}}",
            "password": "{{parameters.password}}",
            "client_id": "{{common.clientId}}",
        },
        "response": {"data": {"accessToken": "{{body.access_token}}"}},
        "log": {"sanitize": ["request.body.password", "response.body.access_token"]}
    },
}
"""

OAUTH2_CLIENT_CREDENTIALS_API = """{
    // OAuth 2.0 client credentials flow.
    "token": {
        "url": "https://www.example.com/oauth/token",
        "method": "POST",
        "type": "urlencoded",
        "body": {
            "grant_type": "client_credentials",
            "client_id": "{{parameters.clientId}}",
            "client_secret": "{{parameters.clientSecret}}",
        },
        "response": {"data": {"accessToken": "{{body.access_token}}"}},
        "log": {"sanitize": ["request.body.client_secret", "response.body.access_token"]}
    },
}
"""

OAUTH1_API = """{
    // OAuth 1.0a flow.
    "oauth": {
        "consumer_key": "{{common.consumerKey}}",
        "consumer_secret": "{{common.consumerSecret}}",
    },
    "requestToken": {
        "url": "https://www.example.com/oauth/request_token",
        "method": "POST",
        "response": {"temp": {"token": "{{body.oauth_token}}", "token_secret": "{{body.oauth_token_secret}}"}}
    },
    "authorize": {
        "url": "https://www.example.com/oauth/authorize",
        "qs": {"oauth_token": "{{temp.token}}"},
        "response": {"temp": {"verifier": "{{query.oauth_verifier}}"}}
    },
    "accessToken": {
        "url": "https://www.example.com/oauth/access_token",
        "method": "POST",
        "response": {"data": {"token": "{{body.oauth_token}}", "token_secret": "{{body.oauth_token_secret}}"}}
    },
}
"""

API_KEY_PARAMETERS = """[
    // Fields the user fills in when creating a connection.
    {
        "name": "apiKey",
        "type": "password",    // Masked in the UI
        "label": "API Key",
        "required": true,
    },
]
"""

CREDENTIALS_PARAMETERS = """[
    // Fields the user fills in when creating a connection.
    {
        "name": "username",
        "type": "text",
        "label": "Username",
        "required": true
    },
    {
        "name": "password",
        "type": "password",    // Masked in the UI
        "label": "Password",
        "required": true,
    },
]
"""

OAUTH_PARAMETERS = """[
    // Let users bring their own OAuth client; the app's own lives in "common".
    {
        "name": "clientId",
        "type": "text",
        "label": "Client ID",
        "advanced": true,
    },
    {
        "name": "clientSecret",
        "type": "password",
        "label": "Client Secret",
        "advanced": true,
    },
]
"""

CLIENT_CREDENTIALS_PARAMETERS = """[
    {
        "name": "clientId",
        "type": "text",
        "label": "Client ID",
        "required": true
    },
    {
        "name": "clientSecret",
        "type": "password",    // Masked in the UI
        "label": "Client Secret",
        "required": true,
    },
]
"""

EMPTY_ARRAY = """[
    // Empty by default.
]
"""

SCOPES = """{
    // Scope → description shown to the user, e.g.
    // "read": "Read access",
}
"""

SCOPE = """[
    // Scopes requested by default, e.g. "read".
]
"""

INSTALL = """{
    // Directives run when the app is installed.
}
"""

INSTALL_SPEC = """[
    // Fields asked for when the app is installed.
]
"""

_API = {
    "apikey": API_KEY_API,
    "basic": BASIC_API,
    "other": OTHER_API,
    "oauth": OAUTH2_API,
    "oauth-refresh": OAUTH2_REFRESH_API,
    "oauth-resowncre": OAUTH2_PASSWORD_API,
    "oauth-clicre": OAUTH2_CLIENT_CREDENTIALS_API,
    "oauth-1": OAUTH1_API,
}

_PARAMETERS = {
    "apikey": API_KEY_PARAMETERS,
    "basic": CREDENTIALS_PARAMETERS,
    "other": EMPTY_ARRAY,
    "oauth": OAUTH_PARAMETERS,
    "oauth-refresh": OAUTH_PARAMETERS,
    "oauth-resowncre": CREDENTIALS_PARAMETERS,
    "oauth-clicre": CLIENT_CREDENTIALS_PARAMETERS,
    "oauth-1": EMPTY_ARRAY,
}

CONNECTION_TYPES = tuple(_API)


def initial_sections(connection_type: str) -> dict[str, str]:
    """The sections of a new connection of ``connection_type`` (one of ``CONNECTION_TYPES``)."""
    return {
        "api": _API[connection_type],
        "parameters": _PARAMETERS[connection_type],
        "scopes": SCOPES,
        "scope": SCOPE,
        "install": INSTALL,
        "installSpec": INSTALL_SPEC,
    }
