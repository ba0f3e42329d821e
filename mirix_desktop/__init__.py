"""The desktop app of the personal-memory assistant."""

__version__ = "0.1.0"
