"""Run the root Pulumi project against the local emulator: `make up`, `make down`, `make preview`, ….

The emulator runs in this process (a background thread on loopback) for as long as the pulumi command
takes, and keeps its state in .zis/emulator-state.json, so `make up` twice shows no changes the second
time and `make down` tomorrow still finds what `make up` made today. The Pulumi state is a local file
backend under .zis/state with a fixed demo passphrase: no account, no prompt.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from zis_pulumi.emulator import EmulatorServer, EmulatorSettings

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / ".zis"
STACK = "dev"
DEMO_PASSPHRASE = "zis-pulumi-demo"  # protects only the demo stack's local state
DEMO_INTEGRATION = "acme_sync"


def pulumi_environment(bin_dir: Path, emulator_env: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    venv_bin = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join([str(bin_dir), str(venv_bin), env.get("PATH", "")])
    env["PULUMI_PYTHON_CMD"] = sys.executable  # the program and the dynamic providers run in this venv
    env.setdefault("PULUMI_BACKEND_URL", (LOCAL / "state").as_uri())
    if "PULUMI_CONFIG_PASSPHRASE_FILE" not in env:
        env.setdefault("PULUMI_CONFIG_PASSPHRASE", DEMO_PASSPHRASE)
    env.setdefault("PULUMI_HOME", str(LOCAL / "pulumi-home"))
    env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    env.update(emulator_env)
    return env


def seed_demo_connection(server: EmulatorServer) -> None:
    """The example's HTTP action uses a ZIS connection an admin would have made in Zendesk; make it."""
    env = server.env()
    response = httpx.post(
        f"{server.base_url}/api/services/zis/integrations/{DEMO_INTEGRATION}/connections/bearer_token",
        headers={"Authorization": f"Bearer {env['ZENDESK_OAUTH_TOKEN']}", "User-Agent": "zis-pulumi-quickstart"},
        json={"name": "jira", "token": "demo-jira-token", "allowed_domain": "acme.atlassian.net"},
        timeout=10,
    )
    if response.status_code not in (200, 201, 400, 409, 422):
        response.raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "down", "preview", "refresh", "outputs"])
    parser.add_argument("--bin", required=True, type=Path, help="directory holding the pulumi CLI")
    args = parser.parse_args()

    LOCAL.mkdir(exist_ok=True)
    (LOCAL / "state").mkdir(exist_ok=True)
    if shutil.which("pulumi", path=str(args.bin)) is None:
        print(f"no pulumi in {args.bin}; run scripts/install-pulumi.sh", file=sys.stderr)
        return 2

    with EmulatorServer(
        settings=EmulatorSettings(), host="127.0.0.1", port=0, state_file=LOCAL / "emulator-state.json"
    ) as server:
        print(f"emulator: ZIS and Make on {server.base_url} (state in {LOCAL / 'emulator-state.json'})", flush=True)
        seed_demo_connection(server)
        env = pulumi_environment(args.bin, server.env())

        def pulumi(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["pulumi", *argv], cwd=ROOT, env=env, check=check, text=True)

        pulumi("stack", "select", "--create", STACK, "--non-interactive")
        has_secret = subprocess.run(
            ["pulumi", "config", "get", "crmClientSecret"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if has_secret.returncode != 0:
            pulumi("config", "set", "--secret", "crmClientSecret", "demo-crm-client-secret")

        if args.command == "up":
            pulumi("up", "--yes", "--non-interactive", "--skip-preview")
            pulumi("stack", "output")
        elif args.command == "down":
            pulumi("destroy", "--yes", "--non-interactive", "--skip-preview")
        elif args.command == "preview":
            pulumi("preview", "--non-interactive", "--diff")
        elif args.command == "refresh":
            pulumi("refresh", "--yes", "--non-interactive")
        else:
            pulumi("stack", "output")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)
