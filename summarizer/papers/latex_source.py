"""A LaTeX source tree flattened into one document: the main file, inputs inlined,
comments and ``\\iffalse`` blocks gone, the paper's own simple macros expanded.

These steps work on the TeX *text*, before any parsing, because that is where TeX
itself does them: ``\\input`` and ``%`` act on characters, and a macro defined as
``\\newcommand{\\method}{EviGraph}`` must be replaced before the parser sees
``\\method`` as an unknown command (pylatexenc would drop it, losing the method's
name).  Parsing the result is :mod:`summarizer.papers.latex_text`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from summarizer.papers.tarball import SourceFiles

_DOCUMENTCLASS = re.compile(r"\\documentclass\b")
_BEGIN_DOCUMENT = re.compile(r"\\begin\s*\{document\}")
_MAIN_NAMES = frozenset({"main", "paper", "ms", "article", "manuscript", "root"})
_INPUT = re.compile(
    r"\\(?:input|include|subfile)\s*\{\s*(?P<braced>[^}]+?)\s*\}"
    r"|\\input\s+(?P<bare>[\w./-]+)"
    r"|\\(?:sub)?import\*?\s*\{(?P<dir>[^}]*)\}\s*\{(?P<file>[^}]+)\}"
)
_IF_TOKEN = re.compile(r"\\(?:if[a-zA-Z@]*|fi|else)(?![a-zA-Z@])")
_COMMENT_ENV = re.compile(r"\\begin\{comment\}.*?\\end\{comment\}", re.S)
_MAX_DEPTH = 12
_MAX_CHARS = 20_000_000
# Macros the converter reads for the structure: a paper that redefines them keeps
# its meaning for the reader, not its typography.
_STRUCTURAL = frozenset({
    "section", "subsection", "subsubsection", "paragraph", "caption", "label", "ref", "cite",
    "begin", "end", "item", "input", "include", "appendix", "title", "author", "maketitle",
})  # fmt: skip
_DEFINITION = re.compile(
    r"\\(?P<kind>(?:re)?newcommand|providecommand|DeclareRobustCommand)\*?\s*"
    r"(?:\{\s*\\(?P<n1>[a-zA-Z@]+)\s*\}|\\(?P<n2>[a-zA-Z@]+))"
    r"|\\(?:g|e|x)?def\s*\\(?P<n3>[a-zA-Z@]+)(?P<params>(?:#\d)*)"
    r"|\\DeclareMathOperator\*?\s*\{\s*\\(?P<n4>[a-zA-Z@]+)\s*\}"
)
_UNSAFE_BODY = re.compile(
    r"\\(?:def|newcommand|renewcommand|expandafter|csname|let|makeatletter)\b"
)


class NoMainFileError(Exception):
    """No file of the tree is a LaTeX document."""


@dataclass(frozen=True)
class FlatSource:
    """The main file's name and the whole document as one TeX text."""

    main: str
    text: str
    macros: int
    missing_inputs: list[str]


def strip_comments(text: str) -> str:
    """``%`` comments (not ``\\%``), ``comment`` environments and ``\\iffalse`` blocks."""
    lines = []
    for line in text.splitlines():
        for match in re.finditer(r"%", line):
            slashes = len(line[: match.start()]) - len(line[: match.start()].rstrip("\\"))
            if slashes % 2 == 0:
                line = line[: match.start()]
                break
        lines.append(line)
    return _drop_iffalse(_COMMENT_ENV.sub("", "\n".join(lines)))


def _drop_iffalse(text: str) -> str:
    """``\\iffalse A \\else B \\fi`` keeps B; nested ``\\if...\\fi`` are skipped whole."""
    out: list[str] = []
    position = 0
    while (start := text.find("\\iffalse", position)) >= 0:
        out.append(text[position:start])
        depth, cursor, kept_from = 1, start + len("\\iffalse"), None
        for token in _IF_TOKEN.finditer(text, cursor):
            word = token.group()
            if word == "\\fi":
                depth -= 1
            elif word == "\\else":
                if depth == 1:
                    kept_from = token.end()
                continue
            else:
                depth += 1
            if depth == 0:
                if kept_from is not None:
                    out.append(text[kept_from : token.start()])
                position = token.end()
                break
        else:
            position = len(text)  # an unclosed \iffalse hides the rest, as in TeX
    out.append(text[position:])
    return "".join(out)


def find_main_file(tree: SourceFiles) -> str:
    """The main ``.tex`` of a tree: several candidates scored, the best taken."""
    texts = {n: strip_comments(tree.text(n)) for n in tree.files if n.endswith((".tex", ".ltx"))}
    bbl_stems = {PurePosixPath(n).stem for n in tree.files if n.endswith(".bbl")}
    included = {_resolve_name(m, texts) for t in texts.values() for m in _input_names(t)}
    scored = []
    for name, text in texts.items():
        if not _DOCUMENTCLASS.search(text):
            continue
        stem = PurePosixPath(name).stem
        score = 4 * bool(_BEGIN_DOCUMENT.search(text)) + 3 * (stem in bbl_stems)
        score += (stem.lower() in _MAIN_NAMES) - 5 * (name in included) - name.count("/")
        scored.append((score, len(text), name))
    if not scored:
        raise NoMainFileError("no .tex file has \\documentclass")
    return max(scored)[2]


def _input_names(text: str) -> list[str]:
    names = []
    for match in _INPUT.finditer(text):
        if match["file"] is not None:
            names.append(str(PurePosixPath(match["dir"] or ".") / match["file"].strip()))
        else:
            names.append((match["braced"] or match["bare"]).strip())
    return names


def _resolve_name(name: str, files: dict[str, str] | SourceFiles) -> str | None:
    known = files.files if isinstance(files, SourceFiles) else files
    clean = str(PurePosixPath(name.strip().strip('"')))
    for candidate in (clean, f"{clean}.tex"):
        if candidate in known:
            return candidate
    return None


def flatten(tree: SourceFiles, main: str | None = None) -> FlatSource:
    """The main file with every ``\\input``/``\\include``/``\\subfile`` inlined and the
    paper's simple macros expanded."""
    main = main or find_main_file(tree)
    missing: list[str] = []

    def inline(name: str, depth: int, seen: frozenset[str]) -> str:
        text = strip_comments(tree.text(name))
        if depth >= _MAX_DEPTH:
            return text

        def replace(match: re.Match[str]) -> str:
            wanted = _input_names(match.group())[0]
            found = _resolve_name(wanted, tree)
            if found is None or found in seen:
                missing.append(wanted)
                return ""
            return "\n" + inline(found, depth + 1, seen | {found}) + "\n"

        return _INPUT.sub(replace, text)

    text = inline(main, 0, frozenset({main}))[:_MAX_CHARS]
    text, count = expand_macros(text)
    return FlatSource(main, text, count, missing)


# --- the paper's own macros ------------------------------------------------------------


@dataclass(frozen=True)
class _Macro:
    name: str
    params: int
    default: str | None
    body: str


def _group(text: str, start: int) -> tuple[str, int] | None:
    """The ``{...}`` group at ``start`` (after spaces): its inside and the end index."""
    i = start
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth = 0
    for j in range(i, len(text)):
        char = text[j]
        if char == "\\":
            continue
        if char == "{" and text[j - 1] != "\\":
            depth += 1
        elif char == "}" and text[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
    return None


def _bracket(text: str, start: int) -> tuple[str, int] | None:
    match = re.compile(r"\s*\[([^\]]*)\]").match(text, start)
    return (match.group(1), match.end()) if match else None


def _definitions(text: str) -> tuple[list[_Macro], str]:
    """The simple macro definitions of ``text``, and the text without them."""
    macros: list[_Macro] = []
    out: list[str] = []
    position = 0
    for match in _DEFINITION.finditer(text):
        if match.start() < position:
            continue
        name = match["n1"] or match["n2"] or match["n3"] or match["n4"]
        cursor = match.end()
        params, default = 0, None
        if match["n3"] is not None:
            params = len(match["params"] or "") // 2
        elif (
            match["n4"] is None
            and (count := _bracket(text, cursor)) is not None
            and count[0].strip().isdigit()
        ):
            params, cursor = int(count[0]), count[1]
            if (optional := _bracket(text, cursor)) is not None:
                default, cursor = optional
        body = _group(text, cursor)
        if body is None:
            continue
        out.append(text[position : match.start()])
        position = body[1]
        content = rf"\operatorname{{{body[0]}}}" if match["n4"] else body[0]
        if name not in _STRUCTURAL and not _UNSAFE_BODY.search(content) and "@" not in name:
            macros.append(_Macro(name, params, default, content))
    out.append(text[position:])
    return macros, "".join(out)


def expand_macros(text: str, passes: int = 6) -> tuple[str, int]:
    """``text`` with its own ``\\newcommand``/``\\def`` macros (up to 9 arguments) expanded.

    Definitions are removed; a macro used in another's body is expanded on the next
    pass, up to ``passes`` (a self-referencing macro stops there, not in a loop).
    """
    macros, text = _definitions(text)
    if not macros:
        return text, 0
    table = {m.name: m for m in macros}
    names = "|".join(sorted((re.escape(n) for n in table), key=len, reverse=True))
    use = re.compile(rf"\\(?P<name>{names})(?![a-zA-Z@])\s?")
    limit = max(len(text) * 4, 1_000_000)
    for _ in range(passes):
        out: list[str] = []
        position, changed = 0, False
        for match in use.finditer(text):
            if match.start() < position:
                continue
            macro = table[match["name"]]
            cursor, args = match.end(), []
            if macro.default is not None:
                optional = _bracket(text, cursor)
                args.append(optional[0] if optional else macro.default)
                cursor = optional[1] if optional else cursor
            while len(args) < macro.params:
                group = _group(text, cursor)
                if group is None:
                    break
                args.append(group[0])
                cursor = group[1]
            if len(args) < macro.params:
                continue
            body = macro.body
            for index, arg in enumerate(args, start=1):
                body = body.replace(f"#{index}", arg)
            out.append(text[position : match.start()])
            # A macro without arguments swallowed the space after it, as TeX does;
            # a body ending in a letter then needs it back ("\method is" -> "X is").
            spacer = " " if match.group().endswith((" ", "\n")) and not macro.params else ""
            out.append(f"{{{body}}}{spacer}" if macro.params == 0 else body)
            position, changed = cursor, True
        out.append(text[position:])
        text = "".join(out)
        if not changed or len(text) > limit:
            break
    return text, len(macros)
