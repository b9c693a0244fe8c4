"""``python -m kworkshop.agent``: the node agent (``main``)."""

import sys

from .main import main

sys.exit(main())
