"""The desktop app (PySide6): tray, main window, memory browser, timeline, activity, settings.

Only this package imports Qt; ``agents`` and ``mirix_desktop.pipeline.capture`` never do.
Start it with :func:`mirix_desktop.ui.app.run_app` (the command line's ``app`` command).
"""
