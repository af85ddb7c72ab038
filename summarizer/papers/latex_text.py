"""A flattened LaTeX paper as structured text: sections, captions, tables as rows of cells.

Parsing is pylatexenc's (``LatexWalker`` for the node tree, ``LatexNodes2Text`` for
text with accents, symbols and ``~`` done right); this module only says what the
structure means.  Why pylatexenc: it is the maintained pure-Python LaTeX parser on
PyPI, tolerant of the errors real papers have, with hooks per macro and
environment.  What it does not do for a paper, done here through those hooks:

* sections and subsections numbered as LaTeX numbers them (``3``, ``3.2``, ``A``
  after ``\\appendix``), so "Section 3" and "Table 2" in the text mean something;
* ``\\label``/``\\ref`` resolved to those numbers (two passes, for forward refs);
* floats as ``Table 2: caption`` followed by the table's rows, cells joined by
  `` | ``; figures as ``Figure 1: caption``;
* math kept as compact TeX (``$...$``, displays as ``$$...$$``), since a formula
  as TeX is readable to a model and to a person, unlike its linearised glyphs;
* citations and the bibliography dropped (the Comment is about the paper itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from summarizer.papers.pdf_layout import Section, canonical_section_name

_SECTION_LEVELS = {"section": 1, "subsection": 2, "subsubsection": 3}
_MARK = re.compile(r"\x02(?P<level>\d)\x03(?P<number>[^\x03]*)\x03(?P<title>[^\x02]*)\x02")
_RULES = re.compile(
    r"\\(?:hline|toprule|midrule|bottomrule|specialrule\{[^}]*\}\{[^}]*\}\{[^}]*\}"
    r"|cmidrule(?:\([^)]*\))?\{[^}]*\}|cline\{[^}]*\}|addlinespace(?:\[[^\]]*\])?"
    r"|rowcolor(?:\[[^\]]*\])?\{[^}]*\})"
)
_CITES = (
    "cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear", "parencite",
    "textcite", "autocite", "citenum", "nocite", "footcite",
)  # fmt: skip
_DROPPED = (
    "bibliography", "bibliographystyle", "printbibliography", "maketitle", "tableofcontents",
    "newpage", "clearpage", "vspace", "hspace", "centering", "includegraphics", "vskip",
    "noindent", "smallskip", "medskip", "bigskip", "thanks", "keywords", "setlength",
)  # fmt: skip
_DISPLAY_MATH = ("equation", "align", "gather", "multline", "eqnarray", "displaymath")
_FLOATS = {"table": "Table", "table*": "Table", "figure": "Figure", "figure*": "Figure",
           "wraptable": "Table", "wrapfigure": "Figure", "sidewaystable": "Table"}  # fmt: skip
_TABULARS = ("tabular", "tabular*", "tabularx", "tabulary", "longtable", "array")


@dataclass(frozen=True)
class Table:
    """A table as the paper numbers it: its caption and its rows of cells."""

    number: str
    caption: str
    rows: list[list[str]]


@dataclass(frozen=True)
class LatexPaper:
    """What was read from a LaTeX document."""

    title: str | None
    abstract: str | None
    sections: list[Section]
    tables: list[Table] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in self.sections)


def _specs() -> tuple[Any, Any]:
    """The walker's argument specs and the converter's text specs, ours over the defaults."""
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import get_default_latex_context_db
    from pylatexenc.macrospec import std_environment, std_macro

    walker_db = latexwalker.get_default_latex_context_db()
    args = {
        "multicolumn": "{{{", "multirow": "[{[{{", "resizebox": "*{{{", "scalebox": "{[{",
        "caption": "*[{", "captionof": "{[{", "subcaption": "[{", "eqref": "{", "Cref": "*{",
        "cref": "*{", "autoref": "*{", "href": "{{", "includegraphics": "*[{", "textcite": "[[{",
        "parencite": "*[[{", "autocite": "*[[{", "vspace": "*{", "hspace": "*{",
        "bibliography": "{", "bibliographystyle": "{", "subfloat": "[[{", "thanks": "{",
        "keywords": "{", "setlength": "{{", "footcite": "[[{",
    }  # fmt: skip
    walker_db.add_context_category(
        "summarize",
        macros=[std_macro(name, spec) for name, spec in args.items()],
        environments=[std_environment("wrapfigure", "[{{"), std_environment("wraptable", "[{{")],
        prepend=True,
    )
    return walker_db, get_default_latex_context_db()


class _Converter:
    """One conversion pass; the labels it found are the next pass's references."""

    def __init__(self, labels: dict[str, tuple[str, str]]) -> None:
        self.labels = labels
        self.found: dict[str, tuple[str, str]] = {}
        self.counters = {"section": 0, "subsection": 0, "subsubsection": 0}
        self.floats = {"Table": 0, "Figure": 0}
        self.equations = 0
        self.appendix = False
        self.current: tuple[str, str] = ("", "")
        self.caption: str | None = None
        self.tables: list[Table] = []
        self.rows: list[list[str]] = []
        self.abstract: str | None = None

    def context(self, base: Any) -> Any:
        from pylatexenc.latex2text import EnvironmentTextSpec, MacroTextSpec

        base.add_context_category(
            "summarize",
            prepend=True,
            macros=[
                *(MacroTextSpec(n, self.section) for n in (*_SECTION_LEVELS, "paragraph")),
                MacroTextSpec("appendix", self.start_appendix),
                MacroTextSpec("label", self.label),
                *(MacroTextSpec(n, self.ref) for n in ("ref", "eqref", "autoref", "cref", "Cref")),
                *(MacroTextSpec(n, "") for n in (*_CITES, *_DROPPED)),
                MacroTextSpec("caption", self.take_caption),
                MacroTextSpec("multicolumn", lambda n, l2tobj: _arg(l2tobj, n, 2)),
                MacroTextSpec("multirow", lambda n, l2tobj: _arg(l2tobj, n, 4)),
                MacroTextSpec("resizebox", lambda n, l2tobj: _arg(l2tobj, n, 3)),
                MacroTextSpec("href", lambda n, l2tobj: _arg(l2tobj, n, 1)),
                MacroTextSpec("url", lambda n, l2tobj: _arg(l2tobj, n, 0)),
            ],
            environments=[
                EnvironmentTextSpec("abstract", self.take_abstract),
                EnvironmentTextSpec("thebibliography", discard=True),
                *(EnvironmentTextSpec(n, self.float) for n in _FLOATS),
                *(EnvironmentTextSpec(n, self.tabular) for n in _TABULARS),
                *(
                    EnvironmentTextSpec(f"{n}{star}", self.display)
                    for n in _DISPLAY_MATH
                    for star in ("", "*")
                ),
            ],
            specials=[],
        )
        return base

    # --- structure --------------------------------------------------------------------

    def section(self, n: Any, l2tobj: Any) -> str:
        title = _arg(l2tobj, n, 2)
        level = _SECTION_LEVELS.get(n.macroname, 4)
        starred = bool(n.nodeargd and n.nodeargd.argnlist and n.nodeargd.argnlist[0])
        number = ""
        if level <= 3 and not starred:
            names = list(_SECTION_LEVELS)
            self.counters[names[level - 1]] += 1
            for deeper in names[level:]:
                self.counters[deeper] = 0
            top = self.counters["section"]
            first = chr(ord("A") + top - 1) if self.appendix and top <= 26 else str(top)
            parts = [first, *(str(self.counters[k]) for k in names[1:level])]
            number = ".".join(parts)
            self.current = ("Section", number)
        return f"\n\n\x02{level}\x03{number}\x03{title}\x02\n\n"

    def start_appendix(self, n: Any) -> str:
        self.appendix = True
        self.counters = dict.fromkeys(self.counters, 0)
        return ""

    def label(self, n: Any, l2tobj: Any) -> str:
        key = _raw_arg(n, 0)
        if key and self.current[1]:
            self.found.setdefault(key, self.current)
        return ""

    def ref(self, n: Any, l2tobj: Any) -> str:
        kind, number = self.labels.get(_raw_arg(n, -1), ("", "?"))
        if n.macroname in ("autoref", "cref", "Cref") and kind:
            return f"{kind} {number}"
        return f"({number})" if n.macroname == "eqref" else number

    def take_caption(self, n: Any, l2tobj: Any) -> str:
        self.caption = _squash(_arg(l2tobj, n, -1))
        return ""

    def take_abstract(self, n: Any, l2tobj: Any) -> str:
        self.abstract = _squash(l2tobj.nodelist_to_text(n.nodelist))
        return f"\n\n\x021\x03\x03Abstract\x02\n\n{self.abstract}\n\n"

    def float(self, n: Any, l2tobj: Any) -> str:
        kind = _FLOATS[n.environmentname]
        self.floats[kind] += 1
        number = str(self.floats[kind])
        outer = (self.current, self.caption, self.rows)
        self.current, self.caption, self.rows = (kind, number), None, []
        body = l2tobj.nodelist_to_text(n.nodelist)
        caption, rows = self.caption or "", self.rows
        self.current, self.caption, self.rows = outer
        if kind == "Table":
            self.tables.append(Table(number, caption, rows))
            return f"\n\n{kind} {number}: {caption}\n{body.strip()}\n\n"
        # A figure's body is its graphics: only the caption (and any text) is kept.
        return f"\n\n{kind} {number}: {caption}\n{_squash(body)}\n\n"

    def tabular(self, n: Any, l2tobj: Any) -> str:
        rows: list[list[str]] = []
        cell: list[Any] = []
        row: list[str] = []
        for node in [*n.nodelist, None]:
            # Duck-typed: a specials node has specials_chars, a macro node macroname.
            is_amp = getattr(node, "specials_chars", None) == "&"
            is_end = node is None or getattr(node, "macroname", None) in ("\\", "tabularnewline")
            if node is not None and not is_amp and not is_end:
                cell.append(node)
                continue
            row.append(_squash(l2tobj.nodelist_to_text(cell)))
            cell = []
            if is_end:
                if any(row):
                    rows.append(row)
                row = []
        self.rows.extend(rows)
        if self.current[0] != "Table":
            self.tables.append(Table("", "", rows))
        return "\n" + "\n".join(" | ".join(r) for r in rows) + "\n"

    def display(self, n: Any) -> str:
        inner = "".join(node.latex_verbatim() for node in n.nodelist)
        starred = n.environmentname.endswith("*")
        if not starred:
            self.equations += 1
            for key in re.findall(r"\\label\{([^}]*)\}", inner):
                self.found.setdefault(key, ("Equation", str(self.equations)))
        inner = re.sub(r"\\(?:label\{[^}]*\}|nonumber|notag)", "", inner)
        number = "" if starred else f" ({self.equations})"
        return f"\n$${_squash(inner)}$${number}\n"


def _arg(l2tobj: Any, n: Any, index: int) -> str:
    args = n.nodeargd.argnlist if n.nodeargd and n.nodeargd.argnlist else []
    try:
        node = args[index]
    except IndexError:
        return ""
    return "" if node is None else l2tobj.nodelist_to_text([node]).strip()


def _raw_arg(n: Any, index: int) -> str:
    args = n.nodeargd.argnlist if n.nodeargd and n.nodeargd.argnlist else []
    try:
        node = args[index]
    except IndexError:
        return ""
    if node is None:
        return ""
    text = node.latex_verbatim()
    return text[1:-1].strip() if text.startswith("{") else text.strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([.,;:)])", r"\1", text)
    text = re.sub(r"\( +", "(", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _title(tex: str) -> str | None:
    match = re.search(r"\\title\s*(?:\[[^\]]*\])?\s*\{", tex)
    if match is None:
        return None
    depth, start = 0, match.end() - 1
    for i in range(start, min(len(tex), start + 2000)):
        depth += {"{": 1, "}": -1}.get(tex[i], 0) if tex[i - 1] != "\\" else 0
        if depth == 0:
            from pylatexenc.latex2text import LatexNodes2Text

            return _squash(LatexNodes2Text().latex_to_text(tex[start + 1 : i])) or None
    return None


def parse_latex(tex: str) -> LatexPaper:
    """The structure of a flattened LaTeX document (see the module docstring)."""
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexWalker

    title = _title(tex)
    begin = re.search(r"\\begin\s*\{document\}", tex)
    body = tex[begin.end() :] if begin else tex
    body = re.split(r"\\end\s*\{document\}", body, maxsplit=1)[0]
    body = _RULES.sub("", body)
    walker_db, _ = _specs()
    nodes, _, _ = LatexWalker(
        body, latex_context=walker_db, tolerant_parsing=True
    ).get_latex_nodes()
    labels: dict[str, tuple[str, str]] = {}
    converter = _Converter(labels)
    for _ in range(2):  # the first pass finds the labels the second one resolves
        converter = _Converter(labels)
        _, text_db = _specs()
        l2t = LatexNodes2Text(latex_context=converter.context(text_db), math_mode="verbatim")
        text = l2t.nodelist_to_text(nodes)
        labels = converter.found
    return LatexPaper(
        title=title,
        abstract=converter.abstract,
        sections=_sections(text, converter),
        tables=converter.tables,
    )


def _sections(text: str, converter: _Converter) -> list[Section]:
    sections: list[Section] = []
    heading, name, chunks = "", "other", []
    in_appendix = False

    def close() -> None:
        body = _tidy("".join(chunks))
        if body or heading:
            sections.append(Section(name, heading, body))

    position = 0
    for mark in _MARK.finditer(text):
        chunks.append(text[position : mark.start()])
        position = mark.end()
        number, title = mark["number"], _squash(mark["title"])
        line = f"{number} {title}".strip()
        if mark["level"] != "1":
            chunks.append(f"\n{line}\n")
            continue
        close()
        in_appendix = in_appendix or (number[:1].isalpha() and converter.appendix)
        heading, chunks = line, []
        name = "appendix" if in_appendix else canonical_section_name(title)
        if title == "Abstract" and not number:
            name = "abstract"
    chunks.append(text[position:])
    close()
    return [s for s in sections if s.text or s.name != "other"]
