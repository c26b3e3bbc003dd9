"""Allow ``python -m skrrl``."""

import sys

from skrrl.cli import main

sys.exit(main())
