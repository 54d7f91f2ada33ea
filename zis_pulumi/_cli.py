"""The `zis-pulumi` command (also `python -m zis_pulumi`). One sub-command so far: `export`.

Credentials are those the providers take, from the environment (ZENDESK_*, MAKE_*; see zis_pulumi/config.py);
the flags set only where the account is, never a token (a token on a command line is seen by every process).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._export import DEFAULT_LINK_PREFIXES, DEFAULT_LINK_SET_ABOVE, ExportRequest, LinkSearch, Progress, export
from ._make import MakeClient
from ._zendesk import ZendeskClient
from .config import (
    MAKE_BASE_URL,
    MAKE_ZONE,
    ZENDESK_BASE_URL,
    ZENDESK_EMAIL,
    ZENDESK_SUBDOMAIN,
    MakeSettings,
    ZendeskSettings,
)
from .errors import ZisPulumiError

__all__ = ["main"]

PROG = "zis-pulumi"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Tools for zis-pulumi projects.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export_parser = commands.add_parser(
        "export",
        help="write a Pulumi project that adopts existing ZIS integrations and Make app connections",
        description=(
            "Read ZIS integrations (bundles, installed job specs and, with --links, links) and the connections of "
            "Make custom apps, and write into --out a Pulumi project (Pulumi.yaml, __main__.py and, when there are "
            "secrets, secrets.sh) whose first `pulumi up` adopts all of it without changing anything. Credentials "
            "come from the environment, as for the providers: ZENDESK_BASE_URL or ZENDESK_SUBDOMAIN, ZENDESK_EMAIL, "
            "ZENDESK_API_TOKEN, ZENDESK_OAUTH_TOKEN (for links), MAKE_ZONE or MAKE_BASE_URL, MAKE_API_TOKEN."
        ),
    )
    export_parser.add_argument(
        "--integration", action="append", default=[], metavar="NAME", help="a ZIS integration (repeatable)"
    )
    export_parser.add_argument(
        "--make-app", action="append", default=[], metavar="APP", help="a Make custom app's name (repeatable)"
    )
    export_parser.add_argument(
        "--links", action="store_true", help="also export the integrations' links (needs the ZIS OAuth token)"
    )
    export_parser.add_argument(
        "--link-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="a link type to read (repeatable; implies --links); default: the link types the bundles' flows name",
    )
    export_parser.add_argument(
        "--link-prefix",
        action="append",
        default=[],
        metavar="PREFIX",
        help=(
            "read only links whose left object name starts with PREFIX, e.g. `zendesk:` (repeatable); default: "
            "one search per printable ASCII first character (the API cannot list links without a name filter)"
        ),
    )
    export_parser.add_argument(
        "--link-set-above",
        type=int,
        default=DEFAULT_LINK_SET_ABOVE,
        metavar="N",
        help=f"declare more than N links of one type as one zis.LinkSet (default {DEFAULT_LINK_SET_ABOVE})",
    )
    export_parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="where to write the project")
    export_parser.add_argument(
        "--project-name", metavar="NAME", help="the Pulumi project's name (default: the directory's name)"
    )
    export_parser.add_argument(
        "--virtualenv", metavar="DIR", help="the virtualenv Pulumi runs the program in (Pulumi.yaml)"
    )
    export_parser.add_argument("--force", action="store_true", help="overwrite a project already in DIR")
    export_parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    account = export_parser.add_argument_group("where the account is (instead of the environment)")
    account.add_argument("--zendesk-subdomain", metavar="SUBDOMAIN", help=f"overrides {ZENDESK_SUBDOMAIN.env_var}")
    account.add_argument("--zendesk-base-url", metavar="URL", help=f"overrides {ZENDESK_BASE_URL.env_var}")
    account.add_argument("--zendesk-email", metavar="EMAIL", help=f"overrides {ZENDESK_EMAIL.env_var}")
    account.add_argument("--make-zone", metavar="ZONE", help=f"overrides {MAKE_ZONE.env_var}")
    account.add_argument("--make-base-url", metavar="URL", help=f"overrides {MAKE_BASE_URL.env_var}")
    return parser


def _run_export(args: argparse.Namespace) -> None:
    if not args.integration and not args.make_app:
        raise ZisPulumiError("nothing to export: give --integration NAME and/or --make-app APP")
    if args.link_set_above < 0:
        raise ZisPulumiError("--link-set-above must be 0 or more")
    overrides = {
        ZENDESK_SUBDOMAIN.config_key: args.zendesk_subdomain,
        ZENDESK_BASE_URL.config_key: args.zendesk_base_url,
        ZENDESK_EMAIL.config_key: args.zendesk_email,
        MAKE_ZONE.config_key: args.make_zone,
        MAKE_BASE_URL.config_key: args.make_base_url,
    }
    links = None
    if args.links or args.link_type or args.link_prefix:
        prefixes = tuple(args.link_prefix) or DEFAULT_LINK_PREFIXES
        if any(not prefix or "*" in prefix for prefix in prefixes):
            raise ZisPulumiError("--link-prefix must be a non-empty name prefix without `*`")
        links = LinkSearch(link_types=tuple(args.link_type), prefixes=prefixes)
    request = ExportRequest(
        out=args.out,
        integrations=tuple(args.integration),
        make_apps=tuple(args.make_app),
        links=links,
        project_name=args.project_name,
        virtualenv=args.virtualenv,
        link_set_above=args.link_set_above,
        force=args.force,
    )
    zendesk = ZendeskClient(ZendeskSettings.resolve(overrides)) if request.integrations else None
    make = MakeClient(MakeSettings.resolve(overrides)) if request.make_apps else None
    try:
        export(request, zendesk, make, Progress(None if args.quiet else sys.stderr))
    finally:
        for client in (zendesk, make):
            if client is not None:
                client.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "export":
            _run_export(args)
    except ZisPulumiError as exc:
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return 1
    return 0
