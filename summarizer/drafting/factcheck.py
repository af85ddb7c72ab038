"""Are the numbers and names in a generated Japanese section in the source paper?

A chat model that restates an abstract in Japanese sometimes changes a number
(``4.2`` becomes ``4.5``), invents one, or names a model the paper never mentions
(``GPT-5``).  After generation, :func:`check_against_source` extracts two kinds of
claims from the generated text and looks each up in the source text (the English
abstract, or any other text of the paper):

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

  In the source every number counts, wherever it is (the ``4`` of "GPT-4" too),
  with and without its scale ("8B" offers both 8 and 8,000,000,000), plus English
  number words (``zero`` ... ``nineteen``, ``twenty`` ... ``ninety``, ``hundred``,
  ``thousand``, ``million``, ``billion``, and combinations such as "twenty-five",
  "two thousand", "a hundred", "threefold") and month names ("November 2022"
  supports ``2022年11月``).

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
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from summarizer.notes.note import MARKER

# Latin-script acronyms that are vocabulary rather than names of a model, data set
# or method: they are never checked.  Compared case-insensitively, with a plural
# "s" removed (LLMs, GPUs).  Keep this small: a name missing here is at worst
# checked against the source, where it usually is.
GENERIC_ACRONYMS = frozenset(
    {
        # fields and kinds of model
        "AI", "ML", "DL", "NN", "NLP", "NLU", "NLG", "CV", "RL", "IR", "QA", "MT", "NMT",
        "ASR", "TTS", "LM", "LLM", "PLM", "SLM", "VLM", "LVLM", "MLLM", "CNN", "RNN",
        "GNN", "MLP", "KG",
        # generic techniques and terms
        "SOTA", "SFT", "RLHF", "ICL", "COT", "RAG", "OOD", "KV", "E2E",
        # computing
        "CPU", "GPU", "TPU", "OS", "API", "SDK", "OSS", "UI", "UX", "URL", "PDF", "HTML",
        "JSON", "XML", "ID", "OK",
        # references inside a paper (their numbers are still checked)
        "FIG", "FIGURE", "TABLE", "TAB", "SECTION", "SEC", "APPENDIX", "EQ",
    }
)  # fmt: skip

# How far an approximate number ("約80%") may be from the source's.
APPROXIMATE_TOLERANCE = Decimal("0.05")

Kind = Literal["number", "name"]


@dataclass(frozen=True)
class Claim:
    """A number or a name as written in the generated text.

    ``normalized`` is what is compared with the source: for a number its absolute
    value after scaling, as a plain decimal (``"12000"``, ``"0.4"``); for a name its
    lowercase letters and digits (``"llama38b"``).
    """

    text: str
    kind: Kind
    normalized: str


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


# --- text folding -------------------------------------------------------------------

# Full-width ASCII (０-９, Ａ-Ｚ, ．, ，, ％, ＋ ...) to ASCII, the ideographic space and
# the minus sign to ASCII; one character for one, so offsets stay valid.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: ord(" "), 0x2212: ord("-"), 0x2013: ord("-")})


def _fold(text: str) -> str:
    return text.translate(_FOLD)


_URL = re.compile(r"https?://\S+|www\.\S+")


def _mask_urls(text: str) -> str:
    return _URL.sub(lambda match: " " * len(match.group()), text)


# --- numbers --------------------------------------------------------------------------

_SCALES = {
    "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12,
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7,
    "億": 10**8, "兆": 10**12,
}  # fmt: skip

_NUMBER = re.compile(
    r"""
    (?P<approx>(?:約|およそ|ほぼ|大よそ|~|〜)\s?)?
    (?P<sign>(?<![A-Za-z0-9.,+\-])[+\-])?
    (?<!\d)(?<!\d\.)
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)
    (?!\.?\d)
    (?P<scale>
        \s?(?:thousand|million|billion|trillion)\b
      | 千万|百万|十万|万|億|兆|千
      | [kKMBT](?![A-Za-z])
    )?
    (?P<unit>
        \s?(?:%|percent\b|倍|[x×](?![A-Za-z])|times\b|ポイント|points?\b|pts?\b
              |ms(?![A-Za-z])|ミリ秒|秒)
    )?
    """,
    re.VERBOSE,
)
_APPROX_AFTER = re.compile(r"\s?(?:程度|前後|近く|ほど)")

# Small counts in kanji, only before a counter: 三つ, 二倍, 五件 (not 一般, 統一, 十分).
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_NUMBER = re.compile(
    r"(?<![\u3400-\u9fff々〇])(?P<num>[一二三四五六七八九十]{1,3})"
    r"(?=(?P<counter>つ|個|件|種類|回|段階|倍|名|人|言語|層|枚|タスク|ステップ|か月|ヶ月|カ月"
    r"|週間|日間|年間))"
)

# English number words in the source.
_WORD_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_WORD_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
_NUMBER_WORD = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_WORD_TENS)})(?:[- ](?P<ones>{'|'.join(list(_WORD_UNITS)[1:10])}))?"
    rf"|(?P<unit>{'|'.join(_WORD_UNITS)})|(?P<a>a|an))"
    rf"(?:fold)?\b(?:[- ](?P<scale>{'|'.join(_WORD_SCALES)}))?",
    re.IGNORECASE,
)
# Words for small counts besides the cardinal ones: ordinals, multiplicatives and
# fractions ("one-tenth" for 10分の1, "a third" for 3分の1).  "a", "an", "per" and
# "each" say "one": "1つは" is "one of", "1アノテーションあたり" is "per annotation".
_SMALL_WORDS = {
    "a": 1, "an": 1, "per": 1, "each": 1, "first": 1, "single": 1, "once": 1,
    "second": 2, "twice": 2, "double": 2, "doubles": 2, "doubled": 2, "dual": 2,
    "both": 2, "pair": 2, "pairs": 2,
    "third": 3, "thrice": 3, "triple": 3, "tripled": 3, "triplet": 3, "triplets": 3,
    "fourth": 4, "quadruple": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "half": 2, "halves": 2, "quarter": 4, "tenth": 10, "hundredth": 100,
}  # fmt: skip
# Month names count as their number in the source: "2022年11月" for "November 2022".
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTHS = re.compile(rf"\b({'|'.join(_MONTH_NAMES)})\b")
_WORD = re.compile(r"[A-Za-z]+")


def _canonical(value: Decimal) -> str:
    """``Decimal("0.40")`` -> ``"0.4"``, ``Decimal("8E+9")`` -> ``"8000000000"``."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def _number_value(num: str, scale: str | None) -> Decimal | None:
    try:
        value = abs(Decimal(num.replace(",", "")))
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        return None
    if scale:
        value *= _SCALES[scale.strip()]
    return value


def _kanji_value(numeral: str) -> int | None:
    """一..九十九: 三 -> 3, 十二 -> 12, 二十 -> 20, 二十三 -> 23."""
    tens, _, ones = numeral.partition("十")
    if "十" not in numeral:
        return _KANJI_DIGITS.get(numeral) if len(numeral) == 1 else None
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    high = _KANJI_DIGITS[tens] if tens else 1
    low = _KANJI_DIGITS[ones] if ones else 0
    return high * 10 + low


# --- names ----------------------------------------------------------------------------

# A run of Latin letters and digits, joined by - _ . (GPT-3.5, Llama-3-8B, MS_MARCO)
# or by / before digits (ViT-B/16; "BLEU/ROUGE" stays two tokens).
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+|/\d+)*")
# A number with a unit or scale, possibly followed by lowercase words: numbers, not names.
_NUMERIC_TOKEN = re.compile(
    r"\d+(?:\.\d+)?"
    r"(?:[kKMBT]|[xX]|ms|s|sec|h|hr|min|fps|bits?|[KMGT]B|pts?|st|nd|rd|th|[kMG]?Hz|px)?"
    r"(?:-[a-z]+)*"
)
# A reference into the paper written as one token (Figure1, Fig.3, Table2): its number
# is checked like any other, the word is not a name.
_REFERENCE_TOKEN = re.compile(
    r"(?:fig|figure|table|tab|section|sec|eq|appendix)\.?\d+(?:\.\d+)*", re.IGNORECASE
)


def _is_numeric(token: str) -> bool:
    return bool(_NUMERIC_TOKEN.fullmatch(token) or _REFERENCE_TOKEN.fullmatch(token))


def _is_generic(token: str) -> bool:
    upper = re.sub(r"[^A-Za-z0-9]", "", token).upper()
    return upper in GENERIC_ACRONYMS or (upper.endswith("S") and upper[:-1] in GENERIC_ACRONYMS)


def _compress(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _is_name(token: str) -> bool:
    letters = sum(char.isalpha() for char in token)
    has_digit = any(char.isdigit() for char in token)
    if letters == 0 or _is_numeric(token) or _is_generic(token):
        return False
    if has_digit:
        return True
    return letters >= 2 and any(char.isupper() for char in token)


def _name_spans(folded: str) -> list[tuple[int, int, str]]:
    """``(start, end, token)`` of every Latin token that is a name or holds one."""
    spans = []
    for match in _TOKEN.finditer(folded):
        token = match.group()
        if any(char.isalpha() for char in token) and not _is_numeric(token):
            spans.append((match.start(), match.end(), token))
    return spans


# --- mentions: claims with their place in the text -----------------------------------


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    claim: Claim


def _number_mentions(text: str) -> list[_Mention]:
    folded = _mask_urls(_fold(text))
    in_names = _name_spans(folded)

    def inside_name(start: int, end: int) -> bool:
        return any(start < span_end and span_start < end for span_start, span_end, _ in in_names)

    mentions = []
    for match in _NUMBER.finditer(folded):
        if inside_name(match.start("num"), match.end("num")):
            continue
        value = _number_value(match.group("num"), match.group("scale"))
        if value is None:
            continue
        end = match.end()
        if after := _APPROX_AFTER.match(folded, end):
            end = after.end()
        # The claim as written: with its sign, its "約" or "程度", its scale and unit.
        claim = Claim(text[match.start() : end], "number", _canonical(value))
        mentions.append(_Mention(match.start(), end, claim))
    for match in _KANJI_NUMBER.finditer(folded):
        value = _kanji_value(match.group("num"))
        if value is None:
            continue
        counter_end = match.end("counter")
        claim = Claim(text[match.start() : counter_end], "number", str(value))
        mentions.append(_Mention(match.start(), counter_end, claim))
    return sorted(mentions, key=lambda mention: mention.start)


def _name_mentions(text: str) -> list[_Mention]:
    folded = _mask_urls(_fold(text))
    return [
        _Mention(start, end, Claim(text[start:end], "name", _compress(token)))
        for start, end, token in _name_spans(folded)
        if _is_name(token)
    ]


def _mentions(text: str, *, numbers: bool = True, names: bool = True) -> list[_Mention]:
    """The claims of ``text`` with their place in it, markers left out of account.

    The analysis runs on the text without :data:`MARKER`, so a marked text has
    the same claims as the text before marking (a marker can split ``c1,000``).
    """
    clean, positions = _without_markers(text)
    found = (_number_mentions(clean) if numbers else []) + (_name_mentions(clean) if names else [])
    found.sort(key=lambda mention: mention.start)
    if positions is None:
        return found
    return [
        _Mention(positions[mention.start], positions[mention.end - 1] + 1, mention.claim)
        for mention in found
    ]


def _without_markers(text: str) -> tuple[str, list[int] | None]:
    """``text`` without markers, and where each of its characters was in ``text``."""
    if MARKER not in text:
        return text, None
    kept: list[str] = []
    positions: list[int] = []
    index = 0
    while index < len(text):
        if text.startswith(MARKER, index):
            index += len(MARKER)
            continue
        kept.append(text[index])
        positions.append(index)
        index += 1
    return "".join(kept), positions


def extract_numbers(text: str) -> list[Claim]:
    """Every number claim in ``text``, in order, one per occurrence."""
    return [mention.claim for mention in _mentions(text, names=False)]


def extract_names(text: str) -> list[Claim]:
    """Every name claim (model, data set, method ...) in ``text``, one per occurrence."""
    return [mention.claim for mention in _mentions(text, numbers=False)]


# --- the source -----------------------------------------------------------------------


class _Source:
    """What the source offers: its numeric values and its names, compressed."""

    def __init__(self, source: str) -> None:
        folded = _fold(source)
        self.values: set[Decimal] = set()
        for match in _NUMBER.finditer(folded):
            raw = _number_value(match.group("num"), None)
            scaled = _number_value(match.group("num"), match.group("scale"))
            self.values.update(value for value in (raw, scaled) if value is not None)
        # Every digit run counts in the source, including those in names (GPT-4).
        for match in re.finditer(r"\d+(?:\.\d+)?", folded):
            self.values.add(Decimal(match.group()))
        for match in _KANJI_NUMBER.finditer(folded):
            kanji = _kanji_value(match.group("num"))
            if kanji is not None:
                self.values.add(Decimal(kanji))
        for match in _NUMBER_WORD.finditer(folded):
            self.values.update(_word_values(match))
        self.values.update(
            Decimal(_MONTH_NAMES.index(name) + 1) for name in _MONTHS.findall(folded)
        )
        self.small_words = {
            _SMALL_WORDS[word.lower()]
            for word in _WORD.findall(folded)
            if word.lower() in _SMALL_WORDS
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
        written_as_integer = not re.search(r"\d\.\d", _fold(claim.text))
        if written_as_integer and value == int(value) and int(value) in self.small_words:
            return True
        if _is_approximate(claim.text):
            return any(_close(value, known) for known in self.values)
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


def _word_values(match: re.Match[str]) -> set[Decimal]:
    if match.group("tens"):
        base = _WORD_TENS[match.group("tens").lower()]
        if match.group("ones"):
            base += _WORD_UNITS[match.group("ones").lower()]
    elif match.group("unit"):
        base = _WORD_UNITS[match.group("unit").lower()]
    else:  # "a" / "an": only as in "a hundred", "a thousand"
        base = 1 if match.group("scale") else None
    if base is None:
        return set()
    values = {Decimal(base)}
    if match.group("scale"):
        values.add(Decimal(base * _WORD_SCALES[match.group("scale").lower()]))
    return values


_APPROX_TEXT = re.compile(r"^(?:約|およそ|ほぼ|大よそ|~|〜|～)|(?:程度|前後|近く|ほど)$")


def _is_approximate(text: str) -> bool:
    return bool(_APPROX_TEXT.search(text))


def _close(claimed: Decimal, known: Decimal) -> bool:
    if known == 0:
        return claimed == 0
    if abs(claimed - known) <= APPROXIMATE_TOLERANCE * abs(known):
        return True
    exponent = claimed.normalize().as_tuple().exponent
    if not isinstance(exponent, int):  # pragma: no cover - finite numbers only
        return False
    quantum = Decimal(1).scaleb(min(exponent, 0))
    try:
        return known.quantize(quantum, rounding=ROUND_HALF_UP) == claimed
    except InvalidOperation:  # a number too long for the context's precision
        return False


# --- the check ------------------------------------------------------------------------


def check_against_source(generated: str, source: str) -> CheckResult:
    """Split the distinct claims of ``generated`` into supported and unsupported ones."""
    index = _Source(source)
    supported: list[Claim] = []
    unsupported: list[Claim] = []
    seen: set[Claim] = set()
    for mention in _mentions(generated):
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
    for mention in reversed(_mentions(generated)):
        if mention.claim not in flagged or text.startswith(MARKER, mention.end):
            continue
        text = f"{text[: mention.end]}{MARKER}{text[mention.end :]}"
    return text
