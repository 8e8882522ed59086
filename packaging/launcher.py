"""The frozen app's entry point: the same ``judgepanel`` command as a Python install."""

import sys

from judgepanel.cli import main

if __name__ == "__main__":
    sys.exit(main())
