"""Does a katakana word sound like an English term?  (``ベンチマーク`` ~ ``benchmark``)

The glossary pairs an English term with the Japanese word that goes with it in the
person's notes; for a loanword the two must also sound alike, which rules out a word
that only happens to share the same few notes.  Both are reduced to a consonant
skeleton (katakana by a table, English by the spellings Japanese merges: l/r, v/b,
th/s, soft c and g, r after a vowel) and compared with difflib's ratio.
"""

from __future__ import annotations

import difflib
import re

# The consonant of each katakana ("" for vowels, small kana, ー, ッ and ・).
_ROWS = {
    "k": "カキクケコ",
    "g": "ガギグゲゴ",
    "s": "サシスセソ",
    "z": "ザジズゼゾヂヅ",
    "t": "タチツテト",
    "d": "ダデド",
    "n": "ナニヌネノンマミムメモ",  # m and n are one sound before p/b in katakana
    "h": "ハヒフヘホ",
    "b": "バビブベボヴ",
    "p": "パピプペポ",
    "y": "ヤユヨ",
    "r": "ラリルレロ",
    "w": "ワ",
}
_KANA = {kana: consonant for consonant, row in _ROWS.items() for kana in row}
# English spellings as Japanese hears them, applied in this order.
_ENGLISH = (
    (r"(?<=[a-z]{3})s\b", ""),  # plurals: Japanese has none
    (r"[^a-z]", ""),
    (r"ph", "h"),
    (r"(?:th|sh|ch|c(?=[eiy])|x)", "s"),
    (r"g(?=[eiy])", "z"),
    (r"(?:ck|c|q)", "k"),
    (r"f", "h"),
    (r"l", "r"),
    (r"v", "b"),
    (r"j", "z"),
    (r"m", "n"),
    (r"(?<=[aeiou])r(?![aeiou])", ""),
    (r"[aeiouyw]", ""),
)


def kana_skeleton(word: str) -> str:
    # Vowel kana (and small ones, ー, ッ, ・) carry no consonant.
    skeleton = "".join(_KANA.get(ch, "") for ch in word)
    return _squeeze(skeleton.replace("y", "").replace("w", ""))


def english_skeleton(term: str) -> str:
    text = term.casefold()
    for pattern, replacement in _ENGLISH:
        text = re.sub(pattern, replacement, text)
    return _squeeze(text.replace("z", "s"))


def sounds_alike(term: str, katakana: str) -> float:
    """0-1: how alike the consonants of ``term`` and ``katakana`` are."""
    a, b = english_skeleton(term), kana_skeleton(katakana).replace("z", "s")
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _squeeze(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)
