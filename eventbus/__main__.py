"""``python -m eventbus``: the ``eventbus`` command (see :mod:`eventbus.cli`)."""

import sys

from .cli import main

sys.exit(main())
