"""The torchvision import trap on a CPU-only torch from PyPI.

There ``import torchvision`` can fail in its meta registrations with "operator
torchvision::nms does not exist" (its binary ops do not load). open_clip needs
only torchvision's image transforms, and transformers imports torchvision when
it is installed, so the meta registrations are skipped and the import retried
instead of giving up the model.
"""

from __future__ import annotations

import logging
import sys
import threading
import types

log = logging.getLogger(__name__)
_lock = threading.Lock()


def import_torchvision_safely() -> None:
    """Import torchvision once, skipping its meta registrations if they fail."""
    with _lock:
        try:
            import torchvision  # noqa: F401
        except RuntimeError as exc:
            if "torchvision::" not in str(exc):
                raise
            for name in [m for m in sys.modules if m.split(".")[0] == "torchvision"]:
                del sys.modules[name]
            stub = types.ModuleType("torchvision._meta_registrations")
            sys.modules["torchvision._meta_registrations"] = stub
            import torchvision  # noqa: F401

            log.info("torchvision loaded without its binary ops (not needed here)")
