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


class KeyLost(SecretError):
    """The key of values encrypted at rest is missing or wrong while such values exist;
    a new key is never made then (it would lock them for good)."""


class DiskFull(StoreError):
    """A write failed because the disk (or the user's quota) is full."""


class AgentError(MirixError):
    """A language model's answer could not be used (no tool call, invalid arguments twice)."""


def validation_problems(exc: Exception, limit: int = 1) -> list[tuple[str, str]]:
    """(where, message) of the first ``limit`` problems a pydantic ValidationError names;
    ``where`` joins the field path with dots ("" for the whole object), and the message
    loses pydantic's "Value error, " prefix. Another exception gives ("", its text)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [("", str(exc))]
    return [
        (
            ".".join(str(p) for p in e.get("loc", ())),
            str(e.get("msg", exc)).removeprefix("Value error, "),
        )
        for e in errors()[:limit]
    ]


def one_line(exc: Exception, whole: str = "") -> str:
    """The first problem of a validation error as "where: message" on one line (the
    ``whole`` word stands in for an empty field path)."""
    where, message = validation_problems(exc)[0]
    where = where or whole
    return f"{where}: {message}" if where else message
