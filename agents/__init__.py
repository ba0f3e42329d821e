"""Memory, language models and agents of the personal-memory assistant.

This package never imports Qt: the desktop app (``mirix_desktop``) builds on it.
"""

__version__ = "0.1.0"
