"""Are the numbers and names in a generated Japanese section in the source paper?

A chat model that restates an abstract in Japanese sometimes changes a number
(``4.2`` becomes ``4.5``), invents one, or names a model the paper never mentions
(``GPT-5``).  After generation, :func:`check_against_source` extracts two kinds of
claims from the generated text (:mod:`summarizer.drafting.claims` finds them) and
looks each up in the source text (the English abstract, or any other text of the
paper):

* **numbers** (:func:`extract_numbers`): digits, half- or full-width (``４．２``),
  with thousands separators (``1,000``), signs (``+4.2``), scales (``12k``, ``8B``,
  ``1.2万``, ``80億``, ``1千``, ``2 million``) and units (``%``, ``％``, ``倍``, ``x``,
  ``×``, ``ms``, ``ポイント``), and small counts in kanji before a counter (``三つ``,
  ``二倍``, ``五件``).  A claim is compared by its absolute value after scaling, so
  ``78.9%`` matches "78.9 percent", ``2.3倍`` matches "2.3x" and "2.3 times",
  ``0.40`` matches "0.4", ``1.2万`` matches "12k", ``80億`` matches "8B-parameter",
  ``41%短縮`` matches "cuts ... by 41%" and ``+4.2ポイント`` matches "4.2 points".
  Each number of a range (``61.3%から78.9%へ``) is a claim of its own.  Numbers that
  are part of a name (``GPT-4``, ``Llama-3-8B``, ``2WikiMultiHopQA``, ``ViT-B/16``)
  are not numbers: the name is checked instead.  Years and section or figure
  numbers are checked like any number.

  In the source every number counts, wherever it is (the ``4`` of "GPT-4" too, the
  cells of a table the LaTeX or HTML source keeps as rows),
  with and without its scale ("8B" offers both 8 and 8,000,000,000), plus English
  number words (``zero`` ... ``nineteen``, ``twenty`` ... ``ninety``, ``hundred``,
  ``thousand``, ``million``, ``billion``, and combinations such as "twenty-five",
  "two thousand", "a hundred", "threefold") and month names ("November 2022"
  supports ``2022年11月``), and numbers in scientific notation as table cells write
  them (``2e-5``, TeX's ``2\\times10^{-5}``) count by value (0.00002).

  Rules that keep the check from crying wolf:

  - *Small counts* written as integers (``3つ``, ``2倍``, ``1つは``, ``三つ``,
    ``10分の1``) are supported when the source has the digit or the English word,
    including ordinals, multiplicatives and fractions (``three``, ``third``,
    ``threefold``, ``triple``; ``twice``, ``double``, ``both``, ``pair``, ``half``;
    ``tenth`` for 10).  For 1 the article counts as the word: "a", "an", "per" and
    "each" (so in English text a ``1`` is practically always supported).  A count
    written with decimals (``1.0倍``) is a measurement and must match a number.
  - *Approximate numbers* (``約80%``, ``およそ2倍``, ``〜20``, ``1.8倍程度``) are
    supported by a source number within 5% of them or that rounds to them (``約79%``
    for "78.9%").  Without such a word the match must be exact.

* **names** (:func:`extract_names`): Latin-script tokens inside the Japanese text
  that look like model, dataset, benchmark or method names: a token with an
  uppercase letter (``BERT``, ``LoRA``, ``ImageNet``, ``HotpotQA``, ``MuSiQue``,
  ``Transformer``) or with digits mixed with letters (``GPT-4``, ``Llama-3-8B``,
  ``ViT-B/16``, ``2WikiMultiHopQA``, ``word2vec``).  Tokens are found even when
  Japanese follows without a space (``EviGraphを提案``).  Not names: lowercase
  English words (``fine-tuning``, ``benchmark``), single letters, numbers with a
  unit (``8B``, ``35ms``, ``5-shot``: numbers), and the generic acronyms in
  :data:`GENERIC_ACRONYMS` (``LLM``, ``NLP``, ``QA``, ``SOTA``, ``GPU`` ...), which
  are vocabulary, not claims.

  A name is supported when, compared case-insensitively with spaces, hyphens and
  other punctuation removed, it occurs in the source starting at the beginning of
  a source word (or where letters turn into digits or back): ``Llama-3`` matches
  "LLaMA 3", ``EviGraph`` matches "EviGraph-R", ``GPT-4`` matches "GPT-4o"; but
  ``BERT`` does not match "RoBERTa" and ``GPT-4`` does not match "GPT-40".  A
  trailing plural ``s`` is forgiven (``Transformers`` for "Transformer").

:func:`mark_unsupported` then appends :data:`MARKER` ``（⚠要確認）`` to every
occurrence of an unsupported claim, e.g. ``4.5ポイント（⚠要確認）`` or
``GPT-5（⚠要確認）``, for the reviewer.  The marker is full-width text with no
Markdown meaning, so it renders as written inside lists, emphasis, tables and
links; marking an already marked text changes nothing.

Only the standard library is used; the check is cheap enough to run on every note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from summarizer.drafting.claims import Claim, find_mentions, fold_width
from summarizer.drafting.numerals import (
    KANJI_NUMBER_RE,
    MONTH_NAMES,
    MONTHS_RE,
    NUMBER_RE,
    NUMBER_WORD_RE,
    SCIENTIFIC_RE,
    SMALL_WORDS,
    WORD_RE,
    is_approximate,
    is_close,
    kanji_value,
    number_value,
    scientific_value,
    word_values,
)
from summarizer.notes.note import MARKER


@dataclass(frozen=True)
class CheckResult:
    """The distinct claims of a generated text, split by whether the source has them."""

    supported: list[Claim]
    unsupported: list[Claim]

    @property
    def ok(self) -> bool:
        return not self.unsupported

    @property
    def unsupported_numbers(self) -> list[Claim]:
        return [claim for claim in self.unsupported if claim.kind == "number"]

    @property
    def unsupported_names(self) -> list[Claim]:
        return [claim for claim in self.unsupported if claim.kind == "name"]


# --- the source -----------------------------------------------------------------------


class _Source:
    """What the source offers: its numeric values and its names, compressed."""

    def __init__(self, source: str) -> None:
        folded = fold_width(source)
        self.values: set[Decimal] = set()
        for match in NUMBER_RE.finditer(folded):
            raw = number_value(match.group("num"), None)
            scaled = number_value(match.group("num"), match.group("scale"))
            self.values.update(value for value in (raw, scaled) if value is not None)
        # Every digit run counts in the source, including those in names (GPT-4).
        for match in re.finditer(r"\d+(?:\.\d+)?", folded):
            self.values.add(Decimal(match.group()))
        # A table cell's "2e-5" (or TeX's 2\times10^{-5}) supports 0.00002; the
        # unfolded text still tells PDF text's math minus (10−9) from a hyphen.
        for text in (folded, source):
            self.values.update(scientific_value(m) for m in SCIENTIFIC_RE.finditer(text))
        for match in KANJI_NUMBER_RE.finditer(folded):
            kanji = kanji_value(match.group("num"))
            if kanji is not None:
                self.values.add(Decimal(kanji))
        for match in NUMBER_WORD_RE.finditer(folded):
            self.values.update(word_values(match))
        self.values.update(
            Decimal(MONTH_NAMES.index(name) + 1) for name in MONTHS_RE.findall(folded)
        )
        self.small_words = {
            SMALL_WORDS[word.lower()]
            for word in WORD_RE.findall(folded)
            if word.lower() in SMALL_WORDS
        }
        # Names: letters and digits only, lowercase, with the positions where a
        # source word starts (or letters turn into digits and back).
        chars: list[str] = []
        self.starts: set[int] = set()
        previous = ""
        for char in folded.lower():
            if char.isascii() and char.isalnum():
                if not (previous.isascii() and previous.isalnum()) or (
                    previous.isdigit() != char.isdigit()
                ):
                    self.starts.add(len(chars))
                chars.append(char)
            previous = char
        self.compressed = "".join(chars)
        self.starts.add(len(chars))

    def has_number(self, claim: Claim) -> bool:
        value = Decimal(claim.normalized)
        if value in self.values:
            return True
        # "1.0倍" is a measured value, not a count that "a" or "both" can stand for.
        written_as_integer = not re.search(r"\d\.\d", fold_width(claim.text))
        if written_as_integer and value == int(value) and int(value) in self.small_words:
            return True
        if is_approximate(claim.text):
            return any(is_close(value, known) for known in self.values)
        return False

    def has_name(self, claim: Claim) -> bool:
        name = claim.normalized
        if self._find(name):
            return True
        return len(name) > 3 and name.endswith("s") and self._find(name[:-1])

    def _find(self, name: str) -> bool:
        text = self.compressed
        position = text.find(name)
        while position >= 0:
            end = position + len(name)
            splits_digits = (
                end < len(text) and name[-1].isdigit() and text[end].isdigit()
            ) and end not in self.starts
            if position in self.starts and not splits_digits:
                return True
            position = text.find(name, position + 1)
        return False


# --- the check ------------------------------------------------------------------------


def check_against_source(generated: str, source: str) -> CheckResult:
    """Split the distinct claims of ``generated`` into supported and unsupported ones."""
    index = _Source(source)
    supported: list[Claim] = []
    unsupported: list[Claim] = []
    seen: set[Claim] = set()
    for mention in find_mentions(generated):
        claim = mention.claim
        if claim in seen:
            continue
        seen.add(claim)
        found = index.has_number(claim) if claim.kind == "number" else index.has_name(claim)
        (supported if found else unsupported).append(claim)
    return CheckResult(supported=supported, unsupported=unsupported)


def mark_unsupported(generated: str, result: CheckResult) -> str:
    """``generated`` with :data:`MARKER` after each occurrence of an unsupported claim.

    Occurrences already followed by the marker are left alone, so marking twice
    gives the same text as marking once.
    """
    flagged = set(result.unsupported)
    text = generated
    for mention in reversed(find_mentions(generated)):
        if mention.claim not in flagged or text.startswith(MARKER, mention.end):
            continue
        text = f"{text[: mention.end]}{MARKER}{text[mention.end :]}"
    return text
