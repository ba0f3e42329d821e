"""Moving the data folder from the running app: capture stops, the files are copied and
checked on the serial lane, the settings name the new folder, the old files go, and the app
starts again on the new folder. Nothing is removed before the copy is complete and
named in the settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QProgressDialog

from agents.errors import StoreError
from mirix_desktop.services.backend import has_consent
from mirix_desktop.services.datamove import MovePlan, MoveResult, move_data, plan_move
from mirix_desktop.ui.tasks import describe

if TYPE_CHECKING:
    from mirix_desktop.ui.controller import AppController


class DataMove:
    """One move at a time, asked for by the settings dialog through the controller."""

    def __init__(self, app: AppController, *, confirm: bool = True) -> None:
        self.app = app
        self.confirm = confirm
        self._moving = False

    def start(self, target: Path) -> None:
        """Move the data folder to ``target``: capture stops, the files are copied and
        checked on the serial lane, the settings name the new folder, the old files go, and
        the app starts again on the new folder. Nothing is removed before the copy is
        complete and named in the settings."""
        if self._moving:
            return
        if self.app.absorption.running:
            self.app.message.emit("Absorbing is running; move the data folder in a minute.")
            return

        def planned(plan: MovePlan) -> None:
            # absorbing may have begun while the folder was being listed
            if self._moving or self.app.absorption.running:
                self.app.message.emit("Absorbing is running; move the data folder in a minute.")
                return
            size = f"{len(plan.files):,} files, {plan.total_bytes / 1e9:.2f} GB"
            if self.confirm:
                answer = QMessageBox.question(
                    self.app.window,
                    "Move the data folder",
                    f"Move your data ({size}) from {plan.source} to {plan.target}?\n\n"
                    "Capture stops while it is copied; the app starts again when it is done.",
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
            self._moving = True
            self.app.pause_timers()
            progress = QProgressDialog("Moving your data…", "", 0, 100, self.app.window)
            progress.setCancelButton(None)  # half a move is worse than a slow one
            progress.setMinimumDuration(0)
            self.app.move_progress.connect(progress.setValue)
            self.app.tasks.serial(
                self._move,
                plan,
                on_done=lambda result: self._moved(progress, result),
                on_error=lambda error: self._move_failed(progress, plan, error),
                label="Moving the data folder",
            )

        self.app.tasks.run(
            plan_move,
            self.app.ctx.paths.data_dir,
            target,
            on_done=planned,
            on_error=lambda error: self.app.report_error(
                f"cannot move the data: {describe(error)}"
            ),
        )

    def _move(self, plan: MovePlan) -> MoveResult:
        """On the serial lane: stop everything that writes to the folder, then move it."""
        self.app.runtime.stop()
        if not self.app.absorption.hold(timeout_s=600):
            raise StoreError("an absorption did not finish within 10 minutes; nothing moved")
        try:
            self.app.ctx.suspend("the data folder is being moved")  # nothing opens it from here on
            return move_data(
                self.app.ctx.paths,
                plan,
                lambda done, total: self.app.move_progress.emit(done * 100 // max(total, 1)),
            )
        finally:
            self.app.absorption.release()

    def _moved(self, progress: QProgressDialog, result: MoveResult) -> None:
        progress.close()
        if result.left_behind:
            self.app.report_error(
                f"the data moved, but {len(result.left_behind)} old files could not be removed"
                f" (first: {result.left_behind[0]}); you may delete them"
            )
        self.app.message.emit("Data moved; starting again.")
        self.app.restart_requested.emit()

    def _move_failed(self, progress: QProgressDialog, plan: MovePlan, error: BaseException) -> None:
        """Nothing was removed and the settings still name the old folder: carry on there."""
        progress.close()
        self._moving = False
        self.app.report_error(
            f"moving the data failed, it stays in {plan.source}: {describe(error)}"
        )
        self.app.ctx.resume()
        self.app.chat.reset_assistant()  # their store was closed; they open a new one
        self.app.absorption.reset()
        self.app.runtime.reconfigure()
        self.app.resume_timers()
        if has_consent(self.app.ctx.paths):
            self.app.start_capture()
