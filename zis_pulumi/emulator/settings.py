"""Settings of one emulator: the credentials it accepts, its faults and its behaviour switches.

The behaviour switches choose among the plausible answers where the vendors' behaviour is not known
(the contract's [open] points), so a client can be tested against each of them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .faults import Faults

JobSpecReinstall = Literal["ok", "conflict"]
LinkDuplicate = Literal["conflict", "unprocessable", "duplicate"]
SectionFormat = Literal["jsonc", "text", "json_string"]
BundleUploadBody = Literal["null", "empty"]

# The default credentials are fixed (so they can be printed, documented and typed by hand) and shaped like the real
# ones, so the vendors' own clients send them as they would send real ones:
# - a Make API key is a UUID v4; Make's TypeScript SDK (@makehq/sdk 1.6.10, src/utils.ts `isAPIKey`) sends
#   `Authorization: Token …` only for a token of MAKE_API_KEY_SHAPE (its UUIDv4_RE) and `Bearer …` for anything
#   else, which it takes for an OAuth access token;
# - a Make OAuth access token is a JWT ("access_token": "eyJ..." in the token responses of
#   https://developers.make.com/api-documentation/authentication/oauth-flow); this one is not signed by anyone;
# - a Zendesk API token is 40 letters and digits, a Zendesk OAuth access token 64 hex digits.
MAKE_API_KEY_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE)
DEFAULT_API_TOKEN = "emulatorZendeskApiToken00000000000000001"
DEFAULT_OAUTH_TOKEN = "0" * 60 + "e1a1"
DEFAULT_MAKE_TOKEN = "00000000-0000-4000-8000-000000000001"
DEFAULT_MAKE_OAUTH_TOKEN = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJpc3MiOiJodHRwczovL3d3dy5tYWtlLmNvbSIsInN1YiI6Inppcy1lbXVsYXRvciIs"
    "InNjb3BlIjoic2RrLWFwcHM6cmVhZCBzZGstYXBwczp3cml0ZSJ9"
    ".emlzLWVtdWxhdG9yLXNpZ25hdHVyZS1ub3QtY2hlY2tlZA"
)


class EmulatorSettings(BaseModel):
    """Everything that can be set at start (and, through ``PUT /_emulator/settings``, at run time)."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(default="admin@example.com", description="Zendesk admin email (basic auth user).")
    api_token: str = Field(default=DEFAULT_API_TOKEN, description="Zendesk API token (basic auth).")
    oauth_token: str = Field(default=DEFAULT_OAUTH_TOKEN, description="ZIS OAuth bearer token.")
    make_token: str = Field(default=DEFAULT_MAKE_TOKEN, description="Make API token (`Token …`).")
    make_oauth_token: str = Field(
        default=DEFAULT_MAKE_OAUTH_TOKEN, description="Make OAuth 2.0 access token (`Bearer …`)."
    )
    zendesk_account_id: int = Field(default=12345, description="Account id reported on bundles and links.")
    faults: Faults = Field(default_factory=Faults)
    job_spec_reinstall: JobSpecReinstall = Field(
        default="ok", description="Installing an installed job spec: 200 again, or 409."
    )
    bundle_upload_body: BundleUploadBody = Field(
        default="null",
        description=(
            "The body of a bundle upload's 200: `null` (the reference page's example) or empty (the contract's"
            " other reading, and the one zenpy's upload_bundle can parse)."
        ),
    )
    link_duplicate: LinkDuplicate = Field(
        default="unprocessable",
        description="Creating a link whose identity exists: 409, 422, or a second copy.",
    )
    make_delete_delay_ms: float = Field(
        default=0, ge=0, description="How long a deleted Make connection stays visible (deletion is async)."
    )
    make_section_format: SectionFormat = Field(
        default="jsonc",
        description=(
            "How a Make connection section is answered: the JSONC text as application/jsonc (what Make's own SDK"
            " expects), the same text as text/plain, or the text as a JSON string (application/json)."
        ),
    )

    def credential_warnings(self) -> list[str]:
        """Credentials the vendors' own clients will not send as the emulator expects them."""
        if MAKE_API_KEY_SHAPE.fullmatch(self.make_token):
            return []
        return [
            "the Make token is not a UUID: Make's own SDK will send it as `Authorization: Bearer`, the scheme of the"
            " Make OAuth token (--make-oauth-token), and be refused"
        ]

    def updated(self, changes: dict[str, Any]) -> EmulatorSettings:
        """A validated copy with ``changes`` applied.

        ``faults`` is updated key by key, not replaced; a fault may also be given at the top level
        (``{"latency_ms": 50}`` is ``{"faults": {"latency_ms": 50}}``).
        """
        data = self.model_dump()
        for key, value in changes.items():
            if key == "faults" and isinstance(value, dict):
                data["faults"].update(value)
            elif key in Faults.model_fields and key not in EmulatorSettings.model_fields:
                data["faults"][key] = value
            else:
                data[key] = value
        return EmulatorSettings.model_validate(data)

    @staticmethod
    def fault_keys(changes: dict[str, Any]) -> set[str]:
        """The fault settings a partial update touches, nested or at the top level."""
        nested = changes.get("faults")
        keys = set(nested) if isinstance(nested, dict) else set()
        return keys | {key for key in changes if key in Faults.model_fields}
