"""The house's plain style (である調 / 体言止め) for a summary written in です/ます.

The house summaries end 84 % of their sentences in plain style; a small model
summarising a polite Japanese translation copies its です/ます.  Only sentence
endings whose plain form follows from the ending alone are rewritten: the suru and
ichidan verbs (提案します → 提案する, 向上させました → 向上させた), ている, ある,
なる, できる, and です/でした.  A godan verb before ます (書きます, 行います) needs its
dictionary form, which the ending does not tell, so it is left polite rather than
guessed.
"""

from __future__ import annotations

import re

# Most specific first; each pattern ends where a sentence does.
_PLAIN_ENDINGS: tuple[tuple[str, str], ...] = (
    ("ありません", "ない"),
    ("ませんでした", "なかった"),
    ("されました", "された"),
    ("されます", "される"),
    ("しました", "した"),
    ("します", "する"),
    ("できました", "できた"),
    ("できます", "できる"),
    ("ありました", "あった"),
    ("あります", "ある"),
    ("ていました", "ていた"),
    ("ています", "ている"),
    ("でいました", "でいた"),
    ("でいます", "でいる"),
    ("なりました", "なった"),
    ("なります", "なる"),
    ("でした", "であった"),
    # An i-adjective before です drops it (多いです → 多い, not 多いである).
    ("いです", "い"),
    ("です", "である"),
)
# Ichidan verbs (e-row stem: 得られ-, 増え-, 向上させ-): ました → た, ます → る.
_ICHIDAN = re.compile(r"(?<=[えけげせぜてでねべめれ])ま(した|す)(?=[」』）)]*(?:。|$))")
_END = r"(?=[」』）)]*(?:。|$))"


def to_plain_style(text: str) -> str:
    """``text`` with the polite sentence endings it can safely rewrite made plain."""
    for polite, plain in _PLAIN_ENDINGS:
        text = re.sub(polite + _END, plain, text)
    return _ICHIDAN.sub(lambda match: "た" if match.group(1) == "した" else "る", text)
