"""``python -m cxassess.cli``: the ``cxassess`` command without the installed console script."""

from . import console

if __name__ == "__main__":
    console()
