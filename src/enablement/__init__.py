"""enablement: which sales asset should the rep send next, and why."""

__version__ = "0.1.0"
