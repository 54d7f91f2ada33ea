"""Pulumi dynamic providers for Zendesk Integration Services (ZIS) and Make custom-app connections.

Everything users import is listed here; the modules behind it hold one resource (or lookup) each.
"""

from ._version import __version__
from .app_connection import CONNECTION_TYPES, AppConnection, AppConnectionArgs
from .bundle import DEFAULT_TEMPLATE_VERSION, Bundle, BundleArgs, Flow, HttpAction, JobSpec, load_bundle
from .connections import GetConnectionsResult, get_connections, get_connections_output
from .errors import (
    ApiError,
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TransportError,
    ZisPulumiError,
)
from .job_spec import JobSpecInstallation, JobSpecInstallationArgs
from .link import Link, LinkArgs, LinkObjectArgs
from .link_set import LinkSet, LinkSetArgs, LinkSetEntryArgs

__all__ = [
    "CONNECTION_TYPES",
    "DEFAULT_TEMPLATE_VERSION",
    "ApiError",
    "AppConnection",
    "AppConnectionArgs",
    "Bundle",
    "BundleArgs",
    "ConfigurationError",
    "ConflictError",
    "Flow",
    "GetConnectionsResult",
    "HttpAction",
    "InvalidInputError",
    "JobSpec",
    "JobSpecInstallation",
    "JobSpecInstallationArgs",
    "Link",
    "LinkArgs",
    "LinkObjectArgs",
    "LinkSet",
    "LinkSetArgs",
    "LinkSetEntryArgs",
    "NotFoundError",
    "TransportError",
    "ZisPulumiError",
    "__version__",
    "get_connections",
    "get_connections_output",
    "load_bundle",
]
