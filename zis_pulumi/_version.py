"""The package version, in a module of its own so that `_http` (the User-Agent) needs no import of the package root."""

__version__ = "0.2.0"
