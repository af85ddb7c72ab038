"""The house's plain style (である調 / 体言止め) for a summary written in です/ます.

The house summaries end 84 % of their sentences in plain style; a small model
summarising a polite Japanese translation copies its です/ます.  Only sentence
endings whose plain form follows from the ending alone are rewritten: the suru and
ichidan verbs (提案します → 提案する, 向上させました → 向上させた), ている, ある,
なる, できる, です/でした, and the godan verbs in す common in papers (示します →
示す).  Any other godan verb before ます (書きます, 行います) needs its
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
# Godan verbs in す whose polite form looks like a suru verb's (示します is 示す, not
# 示する; seen on bench.house_style).  Only the stems common in papers, and only
# when no kanji comes before them: 提示します is the suru verb 提示する.
_GODAN_SU = re.compile(
    r"(?<![\u4e00-\u9fff])(示|表|残|指|成|増|話|返|試|促|探|移|起|隠|渡|果た|満た|減ら|"
    r"増や|費や|伸ば|延ば|及ぼ|生か|活か|動か|明か|見出|引き出|生み出|作り出|打ち出|"
    r"取り出|導き出|見直)します" + _END
)


def to_plain_style(text: str) -> str:
    """``text`` with the polite sentence endings it can safely rewrite made plain."""
    text = _GODAN_SU.sub(lambda match: match.group(1) + "す", text)
    for polite, plain in _PLAIN_ENDINGS:
        text = re.sub(polite + _END, plain, text)
    return _ICHIDAN.sub(lambda match: "た" if match.group(1) == "した" else "る", text)
