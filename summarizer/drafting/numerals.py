"""Numbers as the fact check reads them: digits, scales, kanji and English words.

``12k``, ``1.2万``, ``三つ``, ``two`` and ``4.2ポイント`` all become plain decimals,
so a Japanese restatement is compared with the English source by value.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# How far an approximate number ("約80%") may be from the source's.
APPROXIMATE_TOLERANCE = Decimal("0.05")

# --- numbers --------------------------------------------------------------------------

_SCALES = {
    "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12,
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7,
    "億": 10**8, "兆": 10**12,
}  # fmt: skip

NUMBER_RE = re.compile(
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
APPROX_AFTER_RE = re.compile(r"\s?(?:程度|前後|近く|ほど)")

# Scientific notation, as table cells and restatements write it: ``2e-5``,
# ``1.5E+3``, and the TeX a LaTeX or HTML source keeps (``2\times10^{-5}``,
# ``10^{-9}``, ``2×10^-5``), and PDF text's flattened ``2 × 10-5`` and ``10−9``.
# Only unambiguous forms: "10-9" with a hyphen may as well be a range.
SCIENTIFIC_RE = re.compile(
    r"(?<![A-Za-z0-9_.^])(?:"
    r"(?P<e_mantissa>\d+(?:\.\d+)?)[eE](?P<e>[-+−]?\d{1,3})"
    r"|(?:(?P<mantissa>\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|×|·)\s*)?"
    r"10\s*\^\s*\{?\s*(?P<power>[-+−]?\d{1,3})\s*\}?"
    # PDF text of 2×10⁻⁵ or 10⁻⁹ (the superscript flattened): the × or the math
    # minus sign (U+2212; a range has a hyphen or dash) makes it unambiguous.
    r"|(?:(?P<flat_mantissa>\d+(?:\.\d+)?)\s*[×·]\s*10\s?[−-]|10\s?−)(?P<flat>\d{1,2})"
    r")(?![A-Za-z0-9_.])"
)

# Small counts in kanji, only before a counter: 三つ, 二倍, 五件 (not 一般, 統一, 十分).
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
KANJI_NUMBER_RE = re.compile(
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
NUMBER_WORD_RE = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_WORD_TENS)})(?:[- ](?P<ones>{'|'.join(list(_WORD_UNITS)[1:10])}))?"
    rf"|(?P<unit>{'|'.join(_WORD_UNITS)})|(?P<a>a|an))"
    rf"(?:fold)?\b(?:[- ](?P<scale>{'|'.join(_WORD_SCALES)}))?",
    re.IGNORECASE,
)
# Words for small counts besides the cardinal ones: ordinals, multiplicatives and
# fractions ("one-tenth" for 10分の1, "a third" for 3分の1).  "a", "an", "per" and
# "each" say "one": "1つは" is "one of", "1アノテーションあたり" is "per annotation".
SMALL_WORDS = {
    "a": 1, "an": 1, "per": 1, "each": 1, "first": 1, "single": 1, "once": 1,
    "second": 2, "twice": 2, "double": 2, "doubles": 2, "doubled": 2, "dual": 2,
    "both": 2, "pair": 2, "pairs": 2,
    "third": 3, "thrice": 3, "triple": 3, "tripled": 3, "triplet": 3, "triplets": 3,
    "fourth": 4, "quadruple": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "half": 2, "halves": 2, "quarter": 4, "tenth": 10, "hundredth": 100,
}  # fmt: skip
# Month names count as their number in the source: "2022年11月" for "November 2022".
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS_RE = re.compile(rf"\b({'|'.join(MONTH_NAMES)})\b")
WORD_RE = re.compile(r"[A-Za-z]+")


def canonical_number(value: Decimal) -> str:
    """``Decimal("0.40")`` -> ``"0.4"``, ``Decimal("8E+9")`` -> ``"8000000000"``."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def number_value(num: str, scale: str | None) -> Decimal | None:
    try:
        value = abs(Decimal(num.replace(",", "")))
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        return None
    if scale:
        value *= _SCALES[scale.strip()]
    return value


def scientific_value(match: re.Match[str]) -> Decimal:
    """The value of a :data:`SCIENTIFIC_RE` match: ``2e-5`` is 0.00002."""
    flat = match.group("flat")
    exponent = f"-{flat}" if flat else (match.group("e") or match.group("power"))
    exponent = exponent.replace("−", "-")
    mantissa = match.group("e_mantissa") or match.group("mantissa")
    mantissa = mantissa or match.group("flat_mantissa") or "1"
    return Decimal(mantissa).scaleb(int(exponent)).normalize()


def kanji_value(numeral: str) -> int | None:
    """一..九十九: 三 -> 3, 十二 -> 12, 二十 -> 20, 二十三 -> 23."""
    tens, _, ones = numeral.partition("十")
    if "十" not in numeral:
        return _KANJI_DIGITS.get(numeral) if len(numeral) == 1 else None
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    high = _KANJI_DIGITS[tens] if tens else 1
    low = _KANJI_DIGITS[ones] if ones else 0
    return high * 10 + low


def word_values(match: re.Match[str]) -> set[Decimal]:
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


def is_approximate(text: str) -> bool:
    return bool(_APPROX_TEXT.search(text))


def is_close(claimed: Decimal, known: Decimal) -> bool:
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
