"""The small error hierarchy of the memory core.

Errors are raised here and translated only at a boundary: the command line
prints a one-line message and exits non-zero, the interface shows a dialog.
"""


class MirixError(Exception):
    """Base class of every error this program raises on purpose."""


class InvalidInput(MirixError):
    """Input from the user or a caller is malformed (bad date, unknown type, empty query)."""


class NotFound(MirixError):
    """No memory, chat turn or frame has the given id."""


class ModelUnavailable(MirixError):
    """An embedding or language model could not be loaded or reached."""


class StoreError(MirixError):
    """The memory store could not complete an operation (disk, concurrent commit, schema)."""


class SecretError(MirixError):
    """A secret could not be stored, read or decrypted."""


class AgentError(MirixError):
    """A language model's answer could not be used (no tool call, invalid arguments twice)."""
