"""Pulumi dynamic providers for Zendesk Integration Services and Make custom-app connections."""

__version__ = "0.1.0"
