"""``python -m sidepay`` runs the command line."""

import sys

from sidepay.cli import main

sys.exit(main())
