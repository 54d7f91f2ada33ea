"""The benchmark's stack: B bundles, J job-spec installations, L links and C Make connections.

Everything comes from the stack config, so one program serves every size and every phase:

- `bundles`, `jobSpecs`, `links`, `connections`, `apps`: how many of each (`apps`: Make apps the
  connections are spread over);
- `touch`: a generation number; links whose index is a multiple of `touchEvery` carry it in their
  metadata, so raising it updates exactly those links (1 PATCH each);
- `makeSecret` (secret): the Make connections' common client secret.

Bundle `i` belongs to integration `bench_i` and declares enough job specs for its share of the
installations; the links belong to `bench_0`. No lookup (`get_connections`) is made: a no-change preview
must make zero requests.
"""

import math

import pulumi

import zis_pulumi as zis

config = pulumi.Config()
BUNDLES = config.get_int("bundles", 1) or 0
JOB_SPECS = config.get_int("jobSpecs", 3) or 0
LINKS = config.get_int("links", 200) or 0
CONNECTIONS = config.get_int("connections", 10) or 0
APPS = max(1, config.get_int("apps", 1) or 1)
TOUCH = config.get_int("touch", 0) or 0
TOUCH_EVERY = max(1, config.get_int("touchEvery", 10) or 10)
make_secret = config.get_secret("makeSecret") or pulumi.Output.secret("bench-client-secret")


def integration(index: int) -> str:
    return f"bench_{index}"


per_bundle = math.ceil(JOB_SPECS / BUNDLES) if BUNDLES else 0
bundles = []
for b in range(BUNDLES):
    name = integration(b)
    action = zis.HttpAction("notify", method="POST", path="/hooks/notify", connection_name="hooks")
    flow = zis.Flow(
        "on_event",
        definition={
            "StartAt": "Notify",
            "States": {
                "Notify": {"Type": "Action", "ActionName": action.qualified_name(name), "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        },
    )
    specs = [
        zis.JobSpec(f"job_{j}", event_source="support", event_type=f"ticket.Event{j}", flow=flow)
        for j in range(max(1, per_bundle))
    ]
    bundles.append(
        zis.Bundle(
            f"bundle-{b}",
            integration=name,
            name=name,
            description=f"benchmark bundle {b}",
            resources=[flow, action, *specs],
        )
    )

for j in range(JOB_SPECS if BUNDLES else 0):
    b = j % BUNDLES
    zis.JobSpecInstallation(
        f"install-{j}",
        integration=integration(b),
        job_spec_name=f"job_{j // BUNDLES}",
        opts=pulumi.ResourceOptions(depends_on=[bundles[b]]),
    )

for i in range(LINKS):
    zis.Link(
        f"link-{i}",
        integration=integration(0),
        link_type="ticket_to_issue",
        left_object={"name": f"zendesk:ticket{i}", "metadata": {"ticket_id": i}},
        right_object={
            "name": f"jira:BENCH-{i}",
            "metadata": {"key": f"BENCH-{i}", "rev": TOUCH if i % TOUCH_EVERY == 0 else 0},
        },
    )

for c in range(CONNECTIONS):
    zis.AppConnection(
        f"connection-{c}",
        app_name=f"bench-app-{c % APPS}",
        type="oauth-refresh",
        label=f"Bench connection {c}",
        api={"url": "https://crm.example.com/api/v1/me", "headers": {"authorization": "Bearer {{connection.token}}"}},
        parameters=[
            {"name": "clientId", "type": "text", "label": "Client ID", "required": True},
            {"name": "clientSecret", "type": "password", "label": "Client Secret", "required": True},
        ],
        scopes={"contacts.read": "Read contacts"},
        scope=["contacts.read"],
        common={"clientId": f"bench-client-{c}", "clientSecret": make_secret},
    )
