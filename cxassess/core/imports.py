"""Start-up costs a run does not need to pay.

jsonschema, imported by nbformat (under Papermill and nbconvert), imports ``rfc3987_syntax``
whenever it is installed (JupyterLab's jupyter-events brings it) to offer an ``iri`` format check.
That module builds 39 Lark grammars as it is imported: about 2.6 s of CPU on every process that
reads a notebook, more than the rest of Papermill's imports together. No schema a run checks
(nbformat's, scores.schema.json) uses that format, so a run's processes go without it.
"""

from __future__ import annotations

import sys

UNUSED_AT_RUN_TIME = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Make the modules above unimportable in this process (an ImportError jsonschema already handles).

    Call it before nbformat is first imported; a module some code already imported is left alone.
    """
    for name in UNUSED_AT_RUN_TIME:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
