"""Notebook fragments carry the report's look: report.css scoped to a wrapper, dark-theme colours, escaped text.

The fast tests read the style block with tinycss2 and the fragments with html.parser (independently of
how ``fragment_style`` builds them). The slow one renders fragments in Chromium under JupyterLab's own
output stylesheet (the copy nbconvert ships), in its light and its dark theme (and in a page like VS
Code's dark one), measures what a reader sees and saves the screenshots to tests/artifacts/.
"""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
import tinycss2

from conftest import ROOT
from cxassess.analysis.assessment import assess
from cxassess.core.resources import REPORT_TEMPLATE
from cxassess.render import comparisons, display, fragment_style, sections

SAMPLE = ROOT / "data" / "clients" / "northwind-retail"  # 64 respondents, a pillar with low agreement
ARTIFACTS = ROOT / "tests" / "artifacts"
REPORT_CSS = (REPORT_TEMPLATE / "report.css").read_text(encoding="utf-8")
NOTEBOOK_CSS = (REPORT_TEMPLATE / "notebook.css").read_text(encoding="utf-8")
HOOKS = {"cx-section", "cx-scorecard", "cx-plan", "cx-plan-head", "cx-chart"}  # hooks for tests: no look of their own


@pytest.fixture(scope="module")
def a():
    return assess(SAMPLE)


def parts(a) -> list[display.Html]:
    """The sections the notebook shows that draw no chart (charts are PNGs: no classes to style)."""
    return [sections.title(a),
            display.section("1. Executive summary", sections.executive_summary(a)),
            display.section("2. Pillar scorecard", sections.scorecard(a)),
            display.section("6. Action plan", sections.action_plan(a)),
            display.section("9. Improvement roadmap", sections.roadmap(a), note="The cycle runs."),
            display.section("10. In their own words", sections.comments(a)),
            display.section("11. Method and data quality", sections.method(a))]


class Elements(HTMLParser):
    """Every start tag's name and classes, and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[str]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, (dict(attrs).get("class") or "").split()))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parse(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    p.close()
    return p


def split_selectors(text: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside :is(...))."""
    out, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            out.append(current)
            current = ""
        else:
            current += char
    return [" ".join(s.split()) for s in [*out, current]]


def rules(css: str) -> list[tuple[list[str], str]]:
    """(selectors, declarations) of each rule, whitespace collapsed; @media blocks opened."""
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            selectors = split_selectors(tinycss2.serialize(rule.prelude))
            out.append((selectors, " ".join(tinycss2.serialize(rule.content).split())))
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media":
            out += rules(tinycss2.serialize(rule.content))
    return out


def test_each_fragment_carries_one_style_block_scoped_to_its_wrapper(a):
    for part in parts(a):
        shown = part._repr_html_()
        tree = parse(shown)
        assert tree.tags[0] == ("div", ["cx-fragment"]) and tree.tags[1][0] == "style"
        assert [t for t, _ in tree.tags].count("style") == 1 and len(tree.styles) == 1
        assert shown.endswith("</div>") and part.html in shown  # the bare fragment, unchanged, inside
        for selectors, _ in rules(tree.styles[0]):
            for selector in selectors:
                # every rule reaches only inside a wrapper: `.cx-fragment ...`, or a dark theme's `[...] .cx-fragment`
                assert re.match(r"^(\S+ )?\.cx-fragment( |$)", selector), selector


def test_the_scoped_rules_are_report_css_rule_for_rule(a):
    """Same declarations in the same order, each selector behind `.cx-fragment `: the report's look, from one file."""
    style = parse(sections.title(a)._repr_html_()).styles[0]
    expected, page_only = [], []
    for selectors, declarations in rules(REPORT_CSS):
        kept = [f".cx-fragment {s}" for s in selectors if not s.startswith(("body", ".jp-"))]
        (expected if kept else page_only).append((kept or selectors, declarations))
    # the exported page's body (twice: screen and print) and its cells' prompts: not a fragment's business
    assert sorted(sel[0].split(".")[1][:8] for sel, _ in page_only) == ["cx-repor", "cx-repor", "jp-Cell", "jp-Input"]
    assert rules(style)[len(rules(NOTEBOOK_CSS)):] == expected
    assert rules(style)[:len(rules(NOTEBOOK_CSS))] == rules(NOTEBOOK_CSS)  # notebook.css first: report.css wins ties


def test_scope_by_hand():
    css = """/* c */ a, b.c > d { color: red } @page { size: A4 }
             body.x { margin: 0 } @media print { body { padding: 0 } .e { color: blue } }"""
    assert fragment_style.scope(css, ".w") == (".w a, .w b.c > d { color: red }\n"
                                               "@media print { .w .e { color: blue } }")


def test_every_class_the_fragments_use_is_styled(a):
    defined = set(re.findall(r"\.(cx-[\w-]+)", fragment_style.fragment_css()))
    used = {c for part in parts(a) for _, classes in parse(part._repr_html_()).tags for c in classes
            if c.startswith("cx-")}
    assert {"cx-card", "cx-summary", "cx-big", "cx-table", "cx-warn", "cx-chip", "cx-score"} <= used
    assert used - defined <= HOOKS, used - defined - HOOKS
    assert HOOKS <= used | {"cx-chart"}  # the list of unstyled hooks names classes that exist
    assert "cx-fragment" in defined


def test_every_colour_report_css_takes_from_a_variable_has_a_dark_value():
    used = set(re.findall(r"var\((--cx-[\w-]+),", REPORT_CSS))
    dark = [decl for sel, decl in rules(NOTEBOOK_CSS) if any("theme-light=\"false\"" in s for s in sel)]
    assert len(dark) == 1
    assert used == set(re.findall(r"(--cx-[\w-]+):", dark[0])) and len(used) >= 6
    # the light value (the fallback) is the report's: no variable is set outside a dark theme
    assert not [sel for sel, decl in rules(NOTEBOOK_CSS) if "--cx-" in decl and not any("dark" in s or "false" in s
                                                                                       for s in sel)]


def test_client_text_is_escaped_and_cannot_end_the_style_block(tmp_path):
    folder = Path(shutil.copytree(SAMPLE, tmp_path / "northwind-retail"))
    config = folder / "client.yaml"
    hostile = "Acme </style><script>alert(1)</script> & Co"
    config.write_text(re.sub(r"(?m)^name: .*$", f"name: '{hostile}'", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    shown = sections.title(assess(folder))._repr_html_()
    assert "Acme &lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in shown
    assert "<script" not in shown and shown.count("</style>") == 1 and shown.count("<style>") == 1
    tree = parse(shown)
    assert [t for t, _ in tree.tags].count("script") == 0 and len(tree.styles) == 1


def test_the_nps_card_names_its_margin():
    overall = SimpleNamespace(nps=-18.2, nps_moe=9.6, promoters=66, passives=90, detractors=114, nps_n=270,
                              csat=float("nan"), csat_n=0, ces=float("nan"), ces_n=0, word_of_mouth=float("nan"),
                              unhappy=0)
    html = display.render(comparisons._CUSTOMER_CARDS, o=overall, factor=11, low=10).html
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert text.startswith("-18 Net Promoter Score (margin of error ±10 points) 66 promoters")
    overall.nps_moe = float("nan")
    text = " ".join(re.sub(r"<[^>]+>", " ", display.render(comparisons._CUSTOMER_CARDS, o=overall, factor=11,
                                                               low=10).html).split())
    assert text.startswith("-18 Net Promoter Score 66 promoters")  # no margin: nothing that reads like one


# ------------------------------------------------------------------------------------------ in Chromium


def lab_static() -> Path | None:
    """nbconvert's copy of JupyterLab's stylesheets (the output area's rules and both themes)."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates", "lab", "static"):
        if (Path(folder) / "index.css").is_file() and (Path(folder) / "theme-dark.css").is_file():
            return Path(folder)
    return None


def page(fragments: list[str], theme: str, static: Path) -> str:
    """A page laid out as JupyterLab lays out cell outputs, with its stylesheets inline.

    ``vscode-dark``: VS Code's output page in a dark theme instead (its body class, its colours).
    """
    if theme == "vscode-dark":
        outputs = "".join(f'<div class="output">{f}</div>' for f in fragments)
        return ('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body class="vscode-body vscode-dark" '
                'style="background: #1f1f1f; color: #cccccc; font-family: sans-serif; font-size: 13px; '
                f'margin: 0; padding: 16px"><div id="container">{outputs}</div></body></html>')
    css = "\n".join((static / name).read_text(encoding="utf-8") for name in ("index.css", f"theme-{theme}.css"))
    outputs = "".join(f'<div class="jp-OutputArea-child"><div class="jp-RenderedHTMLCommon jp-RenderedHTML '
                      f'jp-OutputArea-output" data-mime-type="text/html">{f}</div></div>' for f in fragments)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head>'
            f'<body class="jp-Notebook" data-jp-theme-light="{str(theme == "light").lower()}" '
            f'style="background: var(--jp-layout-color0); margin: 0; padding: 16px">'
            f'<div class="jp-Cell jp-CodeCell"><div class="jp-OutputArea">{outputs}</div></div></body></html>')


MEASURE = """() => {
  const style = (selector, prop) => getComputedStyle(document.querySelector(selector))[prop];
  const cards = [...document.querySelectorAll('.cx-summary > .cx-card')].map(c => c.getBoundingClientRect());
  const scorecard = document.querySelector('.cx-scorecard');
  return {
    cards: cards.map(r => [Math.round(r.left), Math.round(r.top), Math.round(r.width)]),
    nameAlign: style('.cx-scorecard td.cx-name', 'textAlign'),
    numberAlign: style('.cx-scorecard tbody td:nth-child(2)', 'textAlign'),
    headAlign: style('.cx-scorecard th', 'textAlign'),
    scoreAlign: style('td.cx-score', 'textAlign'),
    warn: [style('td.cx-warn', 'fontWeight'), style('td.cx-warn', 'textDecorationLine')],
    rowBackgrounds: [...scorecard.querySelectorAll('tbody tr')].map(r => getComputedStyle(r).backgroundColor),
    layout: getComputedStyle(scorecard).tableLayout,
    h2: style('.cx-fragment h2', 'color'),
    headWeights: [style('.cx-fragment h2', 'fontWeight'), style('.cx-card h3', 'fontWeight')],
    big: style('.cx-big', 'color'),
    text: style('.cx-fragment p', 'color'),
    background: getComputedStyle(document.body).backgroundColor,
    width: scorecard.getBoundingClientRect().width,
    host: document.querySelector('.cx-fragment').parentElement.getBoundingClientRect().width,
  };
}"""


def rgb(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", text)[:3])


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two opaque colours."""
    def lum(c):
        ch = [v / 255 for v in rgb(c)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    hi, lo = sorted([lum(fg), lum(bg)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.slow
def test_fragments_look_like_the_report_in_jupyterlab_light_and_dark(a):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    from cxassess.render.pdf import chromium_executable

    chromium = chromium_executable() or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        pytest.skip(f"no Chromium at {chromium}: `make browser-deps` installs it")
    static = lab_static()
    if static is None:
        pytest.skip("nbconvert's lab template (JupyterLab's stylesheets) is not installed")
    v = a.voice
    cards = display.render(comparisons._CUSTOMER_CARDS, o=v.overall, factor=v.settings.word_of_mouth,
                           low=v.settings.min_answers)
    shown = [display.section("1. Executive summary", sections.executive_summary(a)),
             display.section("2. Pillar scorecard", sections.scorecard(a)),
             display.section("14. What your customers say", cards)]
    ARTIFACTS.mkdir(exist_ok=True)
    found = {}

    def run() -> None:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"],
                                        headless=True)
            try:
                for theme in ("light", "dark", "vscode-dark"):
                    tab = browser.new_page(viewport={"width": 1100, "height": 900})
                    tab.route("**/*", lambda route: route.abort())  # nothing may be fetched: all is inline
                    tab.set_content(page([s._repr_html_() for s in shown], theme, static))
                    found[theme] = tab.evaluate(MEASURE)
                    tab.screenshot(path=str(ARTIFACTS / f"fragment-{theme}.png"), full_page=True)
                    tab.close()
            finally:
                browser.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API wants a thread of its own
        pool.submit(run).result()

    for theme, m in found.items():
        first, *rest = m["cards"][:3]
        assert all(top == first[1] for _, top, _ in rest), (theme, m["cards"])  # three cards side by side
        assert first[0] < rest[0][0] < rest[1][0] and all(w < m["host"] / 2 for *_, w in m["cards"][:3])
        assert (m["nameAlign"], m["numberAlign"], m["headAlign"], m["scoreAlign"]) == ("left", "left", "left", "right")
        assert m["warn"] == ["700", "underline"]  # the "(marked)" agreement cell
        assert m["headWeights"] == ["700", "700"]  # bold as in the report (JupyterLab's headings are lighter)
        assert set(m["rowBackgrounds"]) == {"rgba(0, 0, 0, 0)"}  # no stripes or hover colour of JupyterLab's
        assert m["layout"] == "auto" and m["width"] > 0.9 * m["host"]
        assert contrast(m["h2"], m["background"]) >= 4.5 and contrast(m["big"], m["background"]) >= 4.5, (theme, m)
        assert contrast(m["text"], m["background"]) >= 4.5, (theme, m)
    assert rgb(found["light"]["h2"]) == (22, 50, 79)  # the report's navy, #16324f
    assert rgb(found["dark"]["h2"]) == rgb(found["vscode-dark"]["h2"]) != (22, 50, 79)
