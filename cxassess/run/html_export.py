"""An executed notebook as the client's self-contained HTML page (nbconvert, without code or prompts)."""

from __future__ import annotations

import functools
from pathlib import Path

from ..core.resources import REPORT_TEMPLATE as HTML_TEMPLATE
from ..render import report_brand
from ..render.theme import NEUTRAL, Theme


@functools.lru_cache(maxsize=1)
def exporter():
    """One HTML exporter per process: building it (templates, filters) costs more than using it."""
    from nbconvert import HTMLExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML export without its last step, a BeautifulSoup pass over the whole page.

        That pass gives images without alt text a placeholder and makes code cells keyboard
        focusable; a report's charts all carry alt text and it has no code cells, yet the pass
        was a third of the export's time.
        """

        def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return super(HTMLExporter, self).from_notebook_node(nb, resources, **kw)

    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.remove_cell_tags = ("remove", "injected-parameters", "parameters")
    config.TagRemovePreprocessor.enabled = True
    return ReportExporter(config=config, template_file="index.html.j2", extra_template_basedirs=[str(HTML_TEMPLATE.parent)],
                        template_name=HTML_TEMPLATE.name)


def export_html(executed: Path, title: str | None = None, theme: Theme = NEUTRAL) -> str:
    """The executed notebook as a self-contained client page: no code, no external requests.

    ``title`` is the page's title (the client's ``document_title``); None: the notebook's own.
    ``theme``: the branding's colours, font, logo and firm name (``render/report_brand.py``).
    """
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    body, _ = exporter().from_notebook_node(
        notebook, resources={"metadata": {"name": title or notebook.metadata.get("title", "Assessment")},
                             "cx_brand_css": report_brand.head_css(theme), "cx_brand_banner": report_brand.banner(theme)}
    )
    return body
