"""The building blocks of report sections: escaped HTML fragments, embedded PNG figures, a section.

Every section (of the notebook here, and of the portfolio page) is a Jinja2 template rendered by
``render`` in one autoescaping environment, with its ``num`` and ``signed`` filters and the action
colours: every piece of client text (names, comments, question text, segment values) shows as text
and never runs in a browser or a PDF renderer. ``figure`` embeds a chart as PNG, so a report opens
offline and nbval can skip it. The sections themselves are in ``sections`` (the staff's own
assessment) and ``comparisons`` (the client beside the portfolio, its earlier waves, its customers).
"""

from __future__ import annotations

import base64
import functools
import io
import math
from types import ModuleType
from typing import Any

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from . import plots
from .fragment_style import wrap
from ..analysis.scoring import ACTIONS

FIGURE_DPI = plots.style.DPI  # the charts are built at the resolution they are shown at

_env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)


def num(value: Any, digits: int = 0) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _signed(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:+.{digits}f}"
    return "±0" if text.lstrip("+-") == f"{0:.{digits}f}" else text.replace("-", "−")


_env.filters["num"] = num
_env.filters["signed"] = _signed
_env.globals["ACTIONS"] = ACTIONS
_env.globals["REVERSED"] = "(negatively worded: the index rises as people disagree)"


def _cell_colours(color: Any) -> str:
    text = "#000" if plots.luminance(color) > 0.5 else "#fff"
    return f"background:{to_hex(color)};color:{text}"


def _action_style(action: str | None) -> str:
    return _cell_colours(plots.action_style(action)["color"]) if action in plots.ACTION_STYLE else ""


_env.globals["action_style"] = _action_style


class Html:
    """An HTML fragment that Jupyter displays as such (``text/html``) and nbval compares as text.

    ``html`` is the bare fragment (what sections and pages are built from); what a notebook shows
    carries the report's look with it (``fragment_style.wrap``), so it looks the same in JupyterLab,
    Notebook or VS Code as in the exported report.
    """

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return wrap(self.html)

    def __repr__(self) -> str:
        return f"<Html fragment, {len(self.html)} characters>"


class Png:
    """A rendered figure: Jupyter displays the PNG; its text form carries no volatile data."""

    def __init__(self, data: bytes, title: str = "chart"):
        self.data, self.title = data, title

    def _repr_png_(self) -> bytes:
        return self.data

    def __repr__(self) -> str:
        return f"<{self.title}>"


_SECTION = """
<section class="cx-section">
<div{% if keep %} class="cx-keep"{% endif %}><h2>{{ heading }}</h2>{% if note %}<p class="cx-note">{{ note }}</p>{% endif %}{{ first }}</div>
{% for part in rest %}{{ part }}{% endfor %}
</section>
"""


def _as_html(item: "Html | Png") -> Markup:
    if isinstance(item, Png):
        data = base64.b64encode(item.data).decode("ascii")
        return Markup('<img class="cx-chart" alt="{}" src="data:image/png;base64,{}">').format(item.title, data)
    return Markup(item.html)


def section(heading: str, *items: "Html | Png | list", note: str | None = None) -> Html:
    """A report section: heading, optional note, then the content.

    When the first block is a chart, heading and chart are kept on one page (PDF renderers
    otherwise leave a heading alone at the foot of a page); text and tables flow normally.
    """
    flat = [i for item in items for i in (item if isinstance(item, list) else [item])]
    parts = [_as_html(i) for i in flat] or [Markup("")]
    keep = bool(flat) and isinstance(flat[0], Png)
    return render(_SECTION, heading=heading, note=note, first=parts[0], rest=parts[1:], keep=keep)


@functools.lru_cache(maxsize=None)
def _compiled(template: str) -> Any:
    return _env.from_string(template)  # compiling costs more than rendering: once per process


def precompile(*modules: ModuleType) -> None:
    """Compile the section templates of ``modules`` now (a kernel zygote does it once for all its kernels)."""
    for module in modules:
        for value in list(vars(module).values()):
            if isinstance(value, str) and "{{" in value:
                _compiled(value)


def render(template: str, **context: Any) -> Html:
    """An escaped HTML fragment from a Jinja2 template string."""
    return Html(_compiled(template).render(**context))


def figure(fig: Figure, title: str | None = None, dpi: float = FIGURE_DPI) -> Png:
    """A matplotlib Figure as an embedded PNG (no backend or pyplot state involved).

    Drawn once on an Agg canvas and saved opaque (a PDF renderer must split an alpha channel out
    of every RGBA image) with a palette of 256 colours: a chart has a few flat colours and their
    anti-aliased edges, so the picture looks the same at a third of the bytes, which every later
    step (notebook, HTML, PDF) then carries. The charts lay themselves out (no tight bounding box).
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    fig.patch.set_facecolor("white")
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    image = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=3)  # nearly as small as the default, a third faster
    return Png(buffer.getvalue(), title or (fig.axes[0].get_title() if fig.axes else "chart") or "chart")


@functools.cache
def _index_colormap() -> Any:
    return colormaps[plots.INDEX_CMAP]  # a new copy at each lookup, whose colour table is built at its first use


@functools.lru_cache(maxsize=1024)
def index_style(index: float) -> str:
    """Inline style of a table cell holding a 0-100 index: the charts' index colour, readable text."""
    if index is None or math.isnan(index):
        return ""
    return _cell_colours(_index_colormap()(0.1 + 0.75 * index / 100))
