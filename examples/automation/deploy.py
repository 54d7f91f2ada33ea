"""Deploy a ZIS integration from Python with Pulumi's Automation API, print its outputs, destroy it.

    python examples/automation/deploy.py                  # against a fresh local emulator
    python examples/automation/deploy.py --keep           # leave the stack deployed

It runs an inline program (no Pulumi.yaml) with a local file backend. Two things make dynamic providers
work from the Automation API: the provider process is started with `PULUMI_PYTHON_CMD` pointing at this
interpreter (the inline program has no virtualenv option), and `zis_pulumi` is installed in it, since the
provider process imports our provider classes by name.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pulumi
from pulumi import automation as auto

import zis_pulumi as zis
from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

INTEGRATION = "automation_demo"


def program() -> None:
    """The stack, as an inline Pulumi program."""
    flow = zis.Flow(
        "notify",
        definition={"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
    )
    bundle = zis.Bundle(
        "bundle",
        integration=INTEGRATION,
        name=INTEGRATION,
        description="Deployed with the Automation API",
        resources=[flow, zis.JobSpec("on_ticket_solved", "support", "ticket.TicketSolved", flow=flow)],
    )
    install = zis.JobSpecInstallation(
        "on-ticket-solved",
        integration=INTEGRATION,
        job_spec_name="on_ticket_solved",
        opts=pulumi.ResourceOptions(depends_on=[bundle]),
    )
    link = zis.Link(
        "ticket42",
        integration=INTEGRATION,
        link_type="ticket_to_order",
        left_object={"name": "zendesk:ticket42", "metadata": {"priority": "urgent"}},
        right_object={"name": "shop:order-9001", "metadata": {"total": 120}},
    )
    pulumi.export("bundle_uuid", bundle.uuid)
    pulumi.export("installed", install.installed)
    pulumi.export("link_id", link.link_id)


def find_pulumi_root() -> Path:
    """The directory whose bin/ holds pulumi: ZIS_PULUMI_BIN (as `make` sets it) or PATH."""
    bin_dir = os.environ.get("ZIS_PULUMI_BIN")
    if bin_dir is None:
        found = shutil.which("pulumi")
        if found is None:
            sys.exit("no pulumi CLI: run `make pulumi` or put pulumi on PATH")
        bin_dir = str(Path(found).parent)
    return Path(bin_dir).parent


def deploy(server: EmulatorServer, workdir: Path, keep: bool) -> dict[str, object]:
    env = {
        **server.env(),
        "PULUMI_BACKEND_URL": (workdir / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "automation-demo",
        "PULUMI_HOME": str(workdir / "home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
    }
    (workdir / "state").mkdir(parents=True, exist_ok=True)
    os.environ.update(env)  # the inline program runs in this process and reads its settings from here
    command = auto.PulumiCommand(root=str(find_pulumi_root()), skip_version_check=False)
    stack = auto.create_or_select_stack(
        stack_name="demo",
        project_name="zis-pulumi-automation",
        program=program,
        opts=auto.LocalWorkspaceOptions(env_vars=env, pulumi_command=command),
    )
    result = stack.up(on_output=print)
    outputs = {name: value.value for name, value in result.outputs.items()}
    print("outputs:", outputs)
    if not keep:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack("demo")
    return outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the stack deployed")
    parser.add_argument("--workdir", type=Path, help="where the file backend lives (default: a temp dir)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zis-automation-"))
    with EmulatorServer(settings=EmulatorSettings(), host="127.0.0.1", port=0) as server:
        deploy(server, workdir, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
