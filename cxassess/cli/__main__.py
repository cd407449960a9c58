"""``python -m cxassess.cli``: the ``cxassess`` command without the installed console script."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
