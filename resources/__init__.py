"""JudgePanel's resources (icons, rubrics, desktop entry sources), installed as data.

This folder stays at the top of the repository; the build maps it into the package
as ``judgepanel.resources`` (pyproject's package-dir), so the code finds it through
the installed package, with :func:`judgepanel.paths.resource`, in an editable
install, a wheel and the frozen app alike.
"""
