"""``python -m crmql.kernel``: see ``crmql.kernel.main``."""

import sys

from . import main

sys.exit(main(sys.argv[1:]))
