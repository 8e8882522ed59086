import sys

from judgepanel.cli import main

sys.exit(main())
