"""Start-up costs a run does not need to pay.

jsonschema, imported by nbformat (under Papermill and nbconvert), imports ``rfc3987_syntax``
whenever it is installed (JupyterLab's jupyter-events brings it) to offer an ``iri`` format check.
That module builds 39 Lark grammars as it is imported: about 2.6 s of CPU on every process that
reads a notebook, more than the rest of Papermill's imports together. No schema a run checks
(nbformat's, scores.schema.json) uses that format, so a run's processes go without it.

A command's imports (numpy, pandas, pydantic, cxassess) allocate some 100,000 objects that live as
long as the process; the garbage collection their allocations set off walks them all (about 70 ms
for ``cxassess validate``) and finds next to nothing. `frozen_imports` imports without collections
and then leaves what was imported out of later ones (``gc.freeze``).
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from typing import Iterator

UNUSED_AT_RUN_TIME = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Make the modules above unimportable in this process (an ImportError jsonschema already handles).

    Call it before nbformat is first imported; a module some code already imported is left alone.
    """
    for name in UNUSED_AT_RUN_TIME:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


_imports_frozen = False


@contextmanager
def frozen_imports() -> Iterator[None]:
    """Import in the block without garbage collections, then freeze every object there is.

    Once per process: a process that runs commands again (the tests) imports nothing new, and
    what it made meanwhile stays collectable. Nothing changes where collections are off.
    """
    global _imports_frozen
    if _imports_frozen or not gc.isenabled():
        yield
        return
    _imports_frozen = True
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
