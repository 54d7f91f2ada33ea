"""Make's resources under their own namespace: `zis_pulumi.make.AppConnection`."""

from .app_connection import AppConnection, AppConnectionArgs, AppConnectionProvider

__all__ = ["AppConnection", "AppConnectionArgs", "AppConnectionProvider"]
