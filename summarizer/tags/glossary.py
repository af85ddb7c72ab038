"""The house glossary: which English terms the person keeps in English, which they
translate, and how, learned from the Abstract / Translation / Summary of their notes.

Learning (:func:`learn_glossary`), per English term of the abstracts (acronyms and
names such as ``LLM`` or ``LoRA``, hyphenated terms such as ``fine-tuning``, and
words and 2-3 word phrases), over the notes whose abstract has it:

* **keep**: the person's Japanese (translation and summary) writes the term itself
  in at least 70 % of them (``LLM → LLM（英語のまま）``);
* **translate**: in at most 30 %, and one Japanese word goes with the term: the
  katakana/kanji run with the best Dice coefficient between "the abstract has the
  term" and "the Japanese has the word" over all notes, at least 0.6 for a katakana
  word that also sounds like the term (:mod:`summarizer.tags.katakana`;
  ``fine-tuning → ファインチューニング``), at least 0.85 for a word with kanji
  (``reinforcement learning → 強化学習``).  A plain English word counts only when
  its Japanese is a loanword in katakana (``benchmark → ベンチマーク``): ``propose →
  提案`` is true but is no house choice, the model writes it anyway;
* anything in between: the person is not consistent, so no entry.

A term needs at least three notes.  Japanese is segmented by script (katakana runs,
kanji runs and the two joined), which needs no tokenizer and is what loanwords and
compounds look like.

The table (:mod:`summarizer.tags.glossary_file`) is a TSV in the user directory the
person may edit; the prompts get the entries whose term the paper uses
(:func:`glossary_for`, :func:`render_for_prompt`); the benchmark counts how many of
them a draft follows (:func:`adherence`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from summarizer.tags.katakana import sounds_alike
from summarizer.tags.log_notes import LogNote

Kind = Literal["keep", "translate"]

MIN_NOTES = 3
KEEP_SHARE = 0.7
TRANSLATE_SHARE = 0.3
MIN_DICE = 0.6
# A rendering with kanji cannot be checked by its sound: it must go with the term
# more strictly.
MIN_DICE_KANJI = 0.85
MIN_SOUND = 0.6
_NEARLY = 0.1
# Terms given to a prompt: a paper uses many, the few most consistent ones matter.
PROMPT_TERMS = 12

_URL = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|io|net)\S*")
_CLAUSE = re.compile(r"[,.;:!?()\[\]{}\"“”]")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_KATAKANA = r"\u30a0-\u30ff"
_KANJI = r"\u4e00-\u9fff\u3005"
_JA_RUN = re.compile(f"[{_KATAKANA}{_KANJI}]+")
_JA_PART = re.compile(f"[{_KATAKANA}]+|[{_KANJI}]+")
_ALL_KATAKANA = re.compile(f"^[{_KATAKANA}]+$")
# Words no term holds (function words, and the verbs and adverbs every abstract uses).
_STOP = frozenset(
    re.findall(
        r"\S+",
        "a an the of and or in on for to with by from is are was were be been being this "
        "that these those we our us it its as at which can could such than their them "
        "they also have has had not but more most into over under between via both each "
        "other using based use used show shows shown while when where how what who whose "
        "do does did so if then there here all any some only very well just may might "
        "must will would should one two three ",
    )
)


@dataclass(frozen=True)
class Term:
    term: str  # the English term as the abstracts spell it most often
    kind: Kind
    japanese: str  # the house rendering; for "keep", the term as the notes write it
    notes: int = 0  # how many notes the rule was learned from
    share: float = 0.0  # how consistent the person was (share of those notes)

    @property
    def key(self) -> str:
        return self.term.casefold()


def learn_glossary(notes: Iterable[LogNote]) -> list[Term]:
    """The glossary of ``notes`` (only those with Japanese text count), best first."""
    usable = [n for n in notes if n.abstract and (n.translation or n.summary)]
    docs = [(_candidates(n.abstract), n.japanese, _japanese_words(n.japanese)) for n in usable]
    term_df: Counter[str] = Counter()
    word_df: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for terms, _, words in docs:
        term_df.update(terms.keys())
        word_df.update(words)
        for key, spelling in terms.items():
            spellings.setdefault(key, Counter())[spelling] += 1
    found: list[Term] = []
    for key, count in term_df.items():
        if count < MIN_NOTES:
            continue
        spelling = spellings[key].most_common(1)[0][0]
        with_term = [(ja, words) for terms, ja, words in docs if key in terms]
        written = [ja for ja, _ in with_term if _mentions(ja, key)]
        share = len(written) / count
        if share >= KEEP_SHARE:
            found.append(Term(spelling, "keep", _as_written(written, key), count, share))
        elif share <= TRANSLATE_SHARE:
            rendering = _rendering(
                key, [w for ja, w in with_term if not _mentions(ja, key)], word_df
            )
            if rendering is not None:
                word, dice = rendering
                found.append(Term(spelling, "translate", word, count, dice))
    return _best_per_rendering(found)


def glossary_for(text: str, glossary: Sequence[Term], *, limit: int = PROMPT_TERMS) -> list[Term]:
    """The entries whose term ``text`` uses, most useful first, at most ``limit``.

    The person's own rows (no ``notes`` count) come first, then the learned ones
    by how many notes they were followed in; a term inside a longer one the text
    also uses (``language model`` in ``large language model``) is left out.
    """
    folded = _fold(_URL.sub(" ", text))
    present = [t for t in glossary if _mentions(folded, t.key, folded=True)]
    keys = [t.key for t in present]
    present = [
        t for t in present if not any(k != t.key and _mentions(k, t.key, folded=True) for k in keys)
    ]
    present.sort(key=lambda t: (t.notes > 0, -t.notes * t.share, t.key))
    return present[:limit]


def render_for_prompt(terms: Sequence[Term]) -> str:
    """Instruction lines for a prompt (empty when there are no terms)."""
    if not terms:
        return ""
    lines = ["用語の表記（この人のノートに合わせる）:"]
    for term in terms:
        rendering = f"{term.japanese}（英語のまま）" if term.kind == "keep" else term.japanese
        lines.append(f"- {term.term} → {rendering}")
    return "\n".join(lines)


def adherence(draft_text: str, terms: Sequence[Term]) -> tuple[int, int]:
    """How many of ``terms`` the draft writes as the glossary says, and of how many.

    A term is followed when its house rendering is in the draft (for "keep", the
    English term itself).  Pass the terms of the paper the draft renders in full
    (a translation); a summary may leave a term out without breaking the glossary.
    """
    followed = sum(
        1
        for t in terms
        if (_mentions(draft_text, t.key) if t.kind == "keep" else t.japanese in draft_text)
    )
    return followed, len(terms)


# --- learning, the parts ----------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _mentions(text: str, key: str, *, folded: bool = False) -> bool:
    """``text`` has ``key`` as whole words (case-insensitive; plural ``s`` allowed)."""
    haystack = text if folded else text.casefold()
    pattern = r"(?<![a-z0-9])" + re.escape(key).replace(r"\ ", r"\s+") + r"s?(?![a-z0-9])"
    return re.search(pattern, haystack) is not None


def _candidates(abstract: str) -> dict[str, str]:
    """English terms of an abstract: casefolded key -> spelling."""
    found: dict[str, str] = {}
    # A term never spans punctuation ("models (LLMs)" is two terms).
    for clause in _CLAUSE.split(_URL.sub(" ", abstract)):
        tokens = _WORD.findall(clause)
        for n in (1, 2, 3):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i : i + n]
                if any(len(t) < 2 or t.casefold() in _STOP for t in gram):
                    continue
                spelling = " ".join(gram)
                found.setdefault(spelling.casefold(), spelling)
    return found


def _japanese_words(text: str) -> set[str]:
    words: set[str] = set()
    for run in _JA_RUN.findall(text):
        words.add(run)
        words.update(part for part in _JA_PART.findall(run) if len(part) >= 2)
    return {w for w in words if len(w) >= 2}


def _is_plain_word(key: str) -> bool:
    return " " not in key and "-" not in key


def _rendering(
    key: str, translated: list[set[str]], word_df: Counter[str]
) -> tuple[str, float] | None:
    """The Japanese word that goes with ``key`` (best Dice coefficient), if one does."""
    together: Counter[str] = Counter()
    for words in translated:
        together.update(words)
    fitting: list[tuple[float, str]] = []  # passes every check
    loose: list[tuple[float, str]] = []  # with kanji, below MIN_DICE_KANJI
    for word, both in together.items():
        dice = 2 * both / (len(translated) + word_df[word])
        if dice < MIN_DICE:
            continue
        if _ALL_KATAKANA.match(word):
            if sounds_alike(key, word) >= MIN_SOUND:  # else: shares the notes, not the sound
                fitting.append((dice, word))
        elif not _is_plain_word(key):  # see the module docstring: loanwords only
            (fitting if dice >= MIN_DICE_KANJI else loose).append((dice, word))
    if not fitting:
        return None
    # A part of a compound always scores at least as well as the compound
    # (大規模言語 inside 大規模言語モデル): the longest nearly as good one is meant.
    best, best_word = max(fitting)
    # A loanword, though, must not grow beyond its sound (プロジェクト, not
    # プロジェクトページ for "project").
    sound = sounds_alike(key, best_word) if _ALL_KATAKANA.match(best_word) else 0.0
    near = [
        (d, w)
        for d, w in [*fitting, *loose]
        if d >= best - _NEARLY
        and (w == best_word or best_word in w or (d, w) in fitting)
        and (not _ALL_KATAKANA.match(w) or sounds_alike(key, w) >= sound - _NEARLY)
    ]
    dice, word = max(near, key=lambda p: (len(p[1]), p[0]))
    return word, round(dice, 3)


def _as_written(texts: list[str], key: str) -> str:
    """The spelling the person's Japanese uses most for a kept term (``LoRA``, ``LLM``)."""
    pattern = re.compile(
        r"(?<![A-Za-z0-9])" + re.escape(key).replace(r"\ ", r"\s+") + r"(?![A-Za-z0-9])", re.I
    )
    spellings = Counter(m.group() for text in texts for m in pattern.finditer(text))
    return spellings.most_common(1)[0][0] if spellings else key


def _best_per_rendering(terms: list[Term]) -> list[Term]:
    """One term per rendering: ``large language models`` rather than ``large language``
    (a longer term wins over a part of it it shares most notes with), otherwise the
    most consistent one."""
    best: dict[tuple[str, str], Term] = {}
    for term in terms:
        slot = (term.kind, term.japanese.casefold())
        other = best.get(slot)
        if other is None or _better(term, other):
            best[slot] = term
    return sorted(best.values(), key=lambda t: (-t.notes * t.share, t.key))


def _better(term: Term, other: Term) -> bool:
    longer, shorter = (term, other) if len(term.key) > len(other.key) else (other, term)
    if shorter.key in longer.key and longer.notes >= 0.8 * shorter.notes:
        return term is longer
    return (term.share, term.notes, len(term.key)) > (other.share, other.notes, len(other.key))
