"""The staff desktop app: prepare a program, distribute bundles, take in results, decide.

``page.StaffPage(workspace_path, runner, settings, parent)`` is the one entry point
(the main window puts it in its page stack); ``create_program_dialog(parent)``
in ``program_wizard`` makes a new program and returns its folder.
"""
