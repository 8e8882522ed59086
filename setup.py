"""The package list, with resources/ mapped into it (pyproject.toml holds everything else).

resources/ stays at the top of the repository (the project's layout names it);
installed, it is the package ``judgepanel.resources``, which the code reads through
``judgepanel.paths.resource`` in an editable install, a wheel and the frozen app
alike. pyproject.toml alone cannot add a mapped package to a ``find`` result.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["judgepanel", "judgepanel.*"]), "judgepanel.resources"],
    package_dir={"judgepanel.resources": "resources"},
)
