"""The core never imports the interface: agents/ and every folder of mirix_desktop/ but ui/
(configuration, pipeline, services, commands) load without Qt."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_modules_import_no_qt() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import agents
        import mirix_desktop.commands, mirix_desktop.config, mirix_desktop.pipeline
        import mirix_desktop.services
        names = ["mirix_desktop.cli"]
        for package in (agents, mirix_desktop.config, mirix_desktop.pipeline,
                        mirix_desktop.services, mirix_desktop.commands):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                names.append(info.name)
        for name in names:
            importlib.import_module(name)
        qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
        print(len(names), "modules;", "Qt:", qt)
        sys.exit(1 if qt else 0)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Qt: []" in result.stdout
