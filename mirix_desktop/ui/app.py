"""Starting the desktop app: the QApplication, one instance at a time, the controller.

``run_app(ctx, show=...)`` runs the app until the user quits; a second launch
brings the first one's window forward and returns 0. The one way to start it from a
command line is the command line's ``app`` command (``mirix-desktop app``, or
``python -m mirix_desktop app``), which calls :func:`run_app`; this module never calls
back into the command line.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLockFile, QObject, QProcess, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

from mirix_desktop.config.paths import Paths
from mirix_desktop.services.context import Context
from mirix_desktop.ui.icons import icon

if TYPE_CHECKING:
    from mirix_desktop.ui.controller import AppController

log = logging.getLogger(__name__)
APP_NAME = "Mirix"


class SingleInstance(QObject):
    """One running app per data folder: a lock file decides; a later launch connects to
    the first one's local socket, which asks it to show its window."""

    activated = Signal()  # a second launch asked this one to show itself

    def __init__(self, paths: Paths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        digest = hashlib.sha256(str(paths.data_dir.resolve()).encode()).hexdigest()[:16]
        self.name = f"mirix-desktop-{digest}"
        self.lock_path = paths.data_dir / "app.lock"
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True when this is the only instance (it then listens for later launches)."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = QLockFile(str(self.lock_path))
        lock.setStaleLockTime(0)  # a lock is stale only when its process is gone
        if not lock.tryLock(100):
            return False
        self._lock = lock
        QLocalServer.removeServer(self.name)  # a socket left by a crashed instance
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("cannot listen for later launches: %s", server.errorString())
        server.newConnection.connect(self._connection)
        self._server = server
        return True

    def _connection(self) -> None:
        """A later launch connected: that is the request to show the window."""
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.abort()
            socket.deleteLater()
            self.activated.emit()

    def ask_running_to_show(self, timeout_ms: int = 3000) -> bool:
        """Tell the running instance to show its window (connecting is the request);
        False if it could not be reached."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.disconnectFromServer()
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (made once), set up as a tray app: closing windows does not quit."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName("mirix-desktop")
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("mirix-desktop")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(icon("app"))
    return app


def run_app(
    ctx: Context,
    *,
    show: bool,
    setup: Callable[[AppController], None] | None = None,
) -> int:
    """Run the desktop app on ``ctx`` until the user quits; returns the exit code.

    ``show`` opens the main window at once (otherwise only the tray icon appears,
    or the window where the desktop has no tray). A second launch for the same
    data folder shows the first one's window and returns 0. ``setup`` gets the
    controller before it starts (to put the chat into ``controller.window``).
    """
    from mirix_desktop.ui.controller import AppController

    app = application()
    guard = SingleInstance(ctx.paths)
    if not guard.acquire():
        if guard.ask_running_to_show():
            log.info("the app is already running; showed its window")
        else:
            print("mirix-desktop is already running", file=sys.stderr)
        return 0
    controller = AppController(ctx)
    if setup is not None:
        setup(controller)
    guard.activated.connect(lambda: controller.show_main())
    controller.quit_requested.connect(app.quit)
    controller.restart_requested.connect(lambda: _restart(ctx, app))
    previous = _quit_on_signals(app)
    # Python runs signal handlers only between bytecodes: a timer lets it in now and then.
    wake = QTimer(interval=250)
    wake.timeout.connect(lambda: None)
    wake.start()
    try:
        controller.start(show=show)
        code = app.exec()
    finally:
        wake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        controller.shutdown()
        guard.release()
    return int(code)


def _restart(ctx: Context, app: QApplication) -> None:
    """Start the app again (on the data folder the settings now name) and quit this one."""
    args = ["-m", "mirix_desktop.cli"]
    if ctx.paths.home is not None:
        args += ["--home", str(ctx.paths.home)]
    if not QProcess.startDetached(sys.executable, [*args, "app"]):
        log.error("could not start the app again; start it by hand")
    app.quit()


def _quit_on_signals(app: QApplication) -> dict[int, Any]:
    """Ctrl+C and a polite kill quit the app the normal way (capture stopped, writes
    finished); returns the handlers they replaced."""
    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, lambda *_: app.quit())
        except ValueError:  # not the main thread (a test running the app in a thread)
            break
    return previous
