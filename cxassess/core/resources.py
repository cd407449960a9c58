"""Where the package's own files are: bundled questionnaires, notebooks, the report's page template, the app's settings.

Every location is found with ``importlib.resources`` inside the installed package, never from the
current folder or the source tree, so a wheel installed anywhere finds them. In a clone,
``cxassess/resources/templates`` and ``cxassess/resources/notebooks`` are relative links to the
top-level ``data/templates/`` and ``notebooks/``, where people edit them; a built wheel holds copies.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path



def package_path(*parts: str) -> Path:
    """A file or folder of the installed package, as a real path (Papermill, nbconvert and Voila need one)."""
    resource = files("cxassess")
    for part in parts:
        resource = resource / part
    if not isinstance(resource, Path):  # pragma: no cover - a zip import; cxassess runs kernels and needs files
        raise RuntimeError(f"cxassess must be installed as files, not imported from an archive ({resource})")
    return resource


BUNDLED_TEMPLATES = package_path("resources", "templates")  # the questionnaires that ship with cxassess
NOTEBOOKS = package_path("resources", "notebooks")
REPORT_NOTEBOOK = NOTEBOOKS / "assessment.ipynb"  # what `cxassess report` runs with Papermill
QUESTIONNAIRE_NOTEBOOK = NOTEBOOKS / "questionnaire.ipynb"  # what `cxassess app` serves
EXPLORER_NOTEBOOK = NOTEBOOKS / "explore.ipynb"  # what `cxassess app --explorer` serves
REPORT_TEMPLATE = package_path("render", "report_template")  # the report page's nbconvert template and CSS
VOILA_CONFIG = package_path("interactive", "voila")  # voila.json: the app's Content-Security-Policy
