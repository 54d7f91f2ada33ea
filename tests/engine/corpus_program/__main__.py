"""A stack of real artifacts from tests/data: bundles as people keep them (one a get-bundle answer), loaded with
`zis.load_bundle`, and Make connection definitions as their repositories keep them (JSONC text)."""

from pathlib import Path

import pulumi

import zis_pulumi as zis

config = pulumi.Config()
data = Path(config.require("dataDir"))
bundles = data / "zis_bundles"
connections = data / "make_connections"

# A bundle without job specs, with `description` and `schema` beside an action's definition (warnings only).
zis.Bundle(
    "incode",
    integration="incode_identity_verification",
    **zis.load_bundle(bundles / "incode_identity_verification_bundle.json"),
)
# `path.$` actions.
zis.Bundle(
    "surveysparrow",
    integration="surveysparrow_integration",
    **zis.load_bundle(bundles / "surveysparrow_zis_bundle.json"),
)
# The get-bundle answer (uuid, integration, zendesk_account_id), its job spec naming another integration's flow.
zis.Bundle("show-answer", integration="my_integration", **zis.load_bundle(bundles / "zis_explorer_show_bundle.json"))

zis.AppConnection(
    "hedy",
    app_name="hedy",
    type="apikey",
    label="Hedy",
    api=(connections / "hedy_apikey" / "apiKey.communication.iml.json").read_text(encoding="utf-8"),
    parameters=(connections / "hedy_apikey" / "apiKey.params.iml.json").read_text(encoding="utf-8"),
)
zis.AppConnection(
    "renderbase",
    app_name="renderbase",
    type="oauth-refresh",
    label="Renderbase OAuth",
    api=(connections / "renderbase_oauth2" / "communication.json").read_text(encoding="utf-8"),
    scope=(connections / "renderbase_oauth2" / "scope.json").read_text(encoding="utf-8"),
    common={"clientId": "corpus-client-id", "clientSecret": config.require_secret("clientSecret")},
)
