"""Moving the data folder from the running app: capture stops, the files are copied and
checked on the serial lane, the settings name the new folder, the old files go, and the app
starts again on the new folder. Nothing is removed before the copy is complete and
named in the settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from agents.errors import StoreError
from mirix_desktop.services.context import Context
from mirix_desktop.services.datamove import MovePlan, MoveResult, move_data, plan_move
from mirix_desktop.services.runtime import Absorption, CaptureRuntime
from mirix_desktop.ui.tasks import Tasks, describe


class DataMove(QObject):
    """One move at a time, asked for by the settings dialog. It stops capture and
    absorption itself; the rest of the app hears of the move through the signals."""

    message = Signal(str)  # a short note for the user
    error = Signal(str)  # one line for the user
    progress = Signal(int)  # percent of the data folder copied
    stopping = Signal()  # the move begins: the timed work should stop
    moved = Signal()  # the data moved: the app should start again on the new folder
    resumed = Signal()  # the move failed, nothing was removed: the app carries on

    def __init__(
        self,
        ctx: Context,
        tasks: Tasks,
        runtime: CaptureRuntime,
        absorption: Absorption,
        window: QWidget | None,
        *,
        confirm: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.tasks, self.runtime, self.absorption = ctx, tasks, runtime, absorption
        self.window = window  # the dialogs' parent
        self.confirm = confirm
        self._moving = False

    def start(self, target: Path) -> None:
        """Move the data folder to ``target``: capture stops, the files are copied and
        checked on the serial lane, the settings name the new folder, the old files go, and
        the app starts again on the new folder. Nothing is removed before the copy is
        complete and named in the settings."""
        if self._moving:
            return
        if self.absorption.running:
            self.message.emit("Absorbing is running; move the data folder in a minute.")
            return

        def planned(plan: MovePlan) -> None:
            # absorbing may have begun while the folder was being listed
            if self._moving or self.absorption.running:
                self.message.emit("Absorbing is running; move the data folder in a minute.")
                return
            size = f"{len(plan.files):,} files, {plan.total_bytes / 1e9:.2f} GB"
            if self.confirm:
                answer = QMessageBox.question(
                    self.window,
                    "Move the data folder",
                    f"Move your data ({size}) from {plan.source} to {plan.target}?\n\n"
                    "Capture stops while it is copied; the app starts again when it is done.",
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
            self._moving = True
            self.stopping.emit()
            progress = QProgressDialog("Moving your data…", "", 0, 100, self.window)
            progress.setCancelButton(None)  # half a move is worse than a slow one
            progress.setMinimumDuration(0)
            self.progress.connect(progress.setValue)
            self.tasks.serial(
                self._move,
                plan,
                on_done=lambda result: self._moved(progress, result),
                on_error=lambda error: self._move_failed(progress, plan, error),
                label="Moving the data folder",
            )

        self.tasks.run(
            plan_move,
            self.ctx.paths.data_dir,
            target,
            on_done=planned,
            on_error=lambda error: self.error.emit(f"cannot move the data: {describe(error)}"),
        )

    def _move(self, plan: MovePlan) -> MoveResult:
        """On the serial lane: stop everything that writes to the folder, then move it."""
        self.runtime.stop()
        if not self.absorption.hold(timeout_s=600):
            raise StoreError("an absorption did not finish within 10 minutes; nothing moved")
        try:
            self.ctx.suspend("the data folder is being moved")  # nothing opens it from here on
            return move_data(
                self.ctx.paths,
                plan,
                lambda done, total: self.progress.emit(done * 100 // max(total, 1)),
            )
        finally:
            self.absorption.release()

    def _moved(self, progress: QProgressDialog, result: MoveResult) -> None:
        progress.close()
        if result.left_behind:
            self.error.emit(
                f"the data moved, but {len(result.left_behind)} old files could not be removed"
                f" (first: {result.left_behind[0]}); you may delete them"
            )
        self.message.emit("Data moved; starting again.")
        self.moved.emit()

    def _move_failed(self, progress: QProgressDialog, plan: MovePlan, error: BaseException) -> None:
        """Nothing was removed and the settings still name the old folder: carry on there."""
        progress.close()
        self._moving = False
        self.error.emit(f"moving the data failed, it stays in {plan.source}: {describe(error)}")
        self.ctx.resume()
        self.absorption.reset()  # its store was closed; it opens a new one
        self.runtime.reconfigure()
        self.resumed.emit()
