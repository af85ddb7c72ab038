"""arXiv's HTML rendering (LaTeXML) as structured text: sections, captions, table cells.

arXiv renders papers submitted since December 2023 to HTML with LaTeXML, whose
markup names the structure: ``section.ltx_section`` (and ``ltx_appendix``) with an
``h2`` title, ``ltx_subsection``, ``figure.ltx_table`` with a ``figcaption`` and a
``table.ltx_tabular``, ``math`` elements carrying their TeX in ``alttext``,
``cite.ltx_cite`` and ``section.ltx_bibliography``.  lxml parses it (a real HTML
parser, already a dependency of the tool's environment, and fast); the walk below
turns that structure into the same :class:`~summarizer.papers.latex_text.LatexPaper`
the LaTeX reader gives, so the drafting code cannot tell the two apart.
"""

from __future__ import annotations

import re
from typing import Any

from summarizer.papers.latex_text import LatexPaper, Table
from summarizer.papers.pdf_layout import Section, canonical_section_name

_SKIP = ("ltx_bibliography", "ltx_note", "ltx_TOC", "ltx_page_footer", "ltx_authors", "ltx_dates")
_BLOCKS = frozenset({"p", "div", "section", "figure", "table", "ul", "ol", "li", "h2", "h3", "h4"})


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _squash(text: str) -> str:
    # A citation left out leaves its spaces behind ("answer [1]." -> "answer .").
    return re.sub(r"\s+([.,;:])", r"\1", re.sub(r"\s+", " ", text)).strip()


def _inline(element: Any) -> str:
    """The text of ``element``: math as ``$TeX$``, citations and notes left out."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        classes = _classes(child)
        if tag == "math":
            alt = child.get("alttext") or ""
            parts.append(f"${_squash(alt)}$" if alt else "")
        elif tag == "cite" or classes & {"ltx_note", "ltx_bibblock"}:
            pass
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _table(figure: Any, kind: str) -> tuple[str, Table | None]:
    caption_el = figure.find(".//figcaption")
    caption = _squash(_inline(caption_el)) if caption_el is not None else ""
    if kind == "Figure":
        return caption, None
    rows = []
    for tr in figure.iter("tr"):
        cells = [_squash(_inline(cell)) for cell in tr if cell.tag in ("td", "th")]
        if any(cells):
            rows.append(cells)
    match = re.match(r"Table\s+(\w+)\s*[:.]?\s*", caption)
    number, text = (match.group(1), caption[match.end() :]) if match else ("", caption)
    lines = [caption, *(" | ".join(r) for r in rows)]
    return "\n".join(lines), Table(number, text, rows)


def _blocks(element: Any, out: list[str], tables: list[Table]) -> None:
    """Block-level text of ``element``'s children, in order, into ``out``."""
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        classes = _classes(child)
        if classes & set(_SKIP):
            continue
        if tag in ("h3", "h4", "h5") or ("ltx_title" in classes and tag != "h2"):
            out.append(_squash(_inline(child)))
        elif tag == "figure" or "ltx_table" in classes or "ltx_figure" in classes:
            kind = "Table" if "ltx_table" in classes else "Figure"
            text, table = _table(child, kind)
            out.append(text)
            if table is not None:
                tables.append(table)
        elif tag == "table" and classes & {"ltx_equation", "ltx_equationgroup"}:
            maths = [m.get("alttext") or "" for m in child.iter("math")]
            number = ""
            for span in child.iter():
                if "ltx_tag_equation" in _classes(span):
                    number = " " + _squash(span.text_content())
                    break
            out.append(f"$${_squash(' '.join(maths))}$${number}")
        elif tag == "p" or (tag == "span" and "ltx_p" in classes):
            out.append(_squash(_inline(child)))
        elif tag == "li":
            out.append("- " + _squash(_inline(child)))
        elif tag in _BLOCKS or tag in ("span", "article"):
            _blocks(child, out, tables)


def parse_arxiv_html(html: bytes | str) -> LatexPaper:
    """The structure of an arXiv HTML paper (see the module docstring)."""
    import lxml.html

    root = lxml.html.fromstring(html)
    title_el = root.find(".//h1")
    title = _squash(_inline(title_el)) if title_el is not None else None
    tables: list[Table] = []
    sections: list[Section] = []
    abstract_el = next((e for e in root.iter("div") if "ltx_abstract" in _classes(e)), None)
    abstract = None
    if abstract_el is not None:
        paragraphs = [_squash(_inline(p)) for p in abstract_el.iter("p")]
        abstract = "\n".join(p for p in paragraphs if p) or None
        if abstract:
            sections.append(Section("abstract", "Abstract", abstract))
    for element in root.iter("section"):
        classes = _classes(element)
        if not classes & {"ltx_section", "ltx_appendix"}:
            continue
        heading_el = element.find("h2")
        heading = _squash(_inline(heading_el)) if heading_el is not None else ""
        out: list[str] = []
        _blocks(element, out, tables)
        body = "\n\n".join(part for part in out if part)
        bare = re.sub(r"^(?:Appendix\s+)?[A-Z0-9]{1,3}(?:\.\d+)*\s+", "", heading)
        name = "appendix" if "ltx_appendix" in classes else canonical_section_name(bare)
        sections.append(Section(name, heading, body))
    return LatexPaper(
        title=title or None,
        abstract=abstract,
        sections=sections,
        tables=tables,
    )
