"""cxassess: assess an organisation's customer-service strategy from a staff questionnaire.

The names a user of the library needs, one import away::

    import cxassess
    a = cxassess.assess("data/clients/northwind-retail")    # one client's complete analysis
    cxassess.build_report("data/clients/northwind-retail")  # its report, as `cxassess report` does

Each name is loaded from its sub-package on first use (PEP 562), so ``import cxassess`` stays
cheap: batch workers, the command line and report kernels import it before they know what they
need, and none of them should pay for pandas or matplotlib up front. The sub-packages, in the
order data moves: ``core``, ``inputs``, ``analysis``, ``render``, ``run``, ``interactive``, ``cli``
(docs/architecture.md).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_PUBLIC = {
    "CxError": "cxassess.core.errors",
    "Problem": "cxassess.core.errors",
    "Template": "cxassess.inputs.templates",
    "find_template": "cxassess.inputs.templates",
    "load_template": "cxassess.inputs.templates",
    "Responses": "cxassess.inputs.responses",
    "load_responses": "cxassess.inputs.responses",
    "Client": "cxassess.inputs.clients",
    "load_client": "cxassess.inputs.clients",
    "Scores": "cxassess.analysis.scoring",
    "score": "cxassess.analysis.scoring",
    "Assessment": "cxassess.analysis.assessment",
    "assess": "cxassess.analysis.assessment",
    "build_report": "cxassess.run.report",
    "run_batch": "cxassess.run.batch",
    "questionnaire": "cxassess.interactive.capture",
    "explorer": "cxassess.interactive.explore",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use, then keep it here."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'cxassess' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
