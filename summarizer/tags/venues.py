"""Venue tags from a paper's metadata (arXiv ``journal_ref`` and ``comment``), never its content.

``Accepted at ACL 2025``, ``Findings of EMNLP 2024``, ``NeurIPS 2023 Workshop on
...``, ``To appear in TACL`` name where a paper is published; the house tags that
as a venue label (``#ACL``, ``#NeurIPS #Workshop``, ...).  Only venues that the
user's vocabulary lists with ``kind`` venue are returned, in its spelling (the
built-in vocabulary lists the house's venue labels, e.g. ``SIGKDD`` for KDD).

Rules, chosen to avoid false positives:

* Acronyms match case-sensitively as whole words: ``ACL`` never matches inside
  ``NAACL``, ``TACL`` or ``oracle``, nor ``acl`` in lower case; ``WWW`` not in
  ``www.example.org``.
* A clause (text between ``;``, ``.``, ``|`` or a line break) that says the paper
  is *not* (yet) at the venue is ignored: ``under review``, ``submitted to``,
  ``in submission``, ``rejected``, ``withdrawn``.
* A venue name used for the formatting only does not count: ``ICML-style``,
  ``NeurIPS format``, ``ACL template``.
* ``Findings`` needs an ACL-family venue beside it (``Findings of EMNLP``,
  ``EMNLP 2024 Findings``), since "our findings" is common prose; ``Short``
  needs ``short paper`` or ``(short)``; ``Workshop`` is any ``workshop``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.tags.vocabulary import Vocabulary


@dataclass(frozen=True)
class Venue:
    key: str
    pattern: re.Pattern[str]
    # Vocabulary spellings to try, in order (the first of kind venue wins).
    spellings: tuple[str, ...]


_NOT_STYLE = r"(?![-\s]?(?:style|format(?:ted)?|template|latex)\b)"


def _acronym(*names: str) -> str:
    alternatives = "|".join(names)
    return rf"(?<![\w.\-/@])(?:{alternatives})(?![\w@]|\.\w){_NOT_STYLE}"


def _venue(key: str, pattern: str, *spellings: str, flags: int = 0) -> Venue:
    return Venue(key, re.compile(pattern, flags), spellings or (key,))


_I = re.IGNORECASE

VENUES: tuple[Venue, ...] = (
    _venue(
        "ACL",
        _acronym("ACL") + "|Annual Meeting of the Association for Computational Linguistics",
        "ACL",
    ),
    _venue("EMNLP", _acronym("EMNLP") + "|Empirical Methods in Natural Language Processing"),
    _venue("NAACL", _acronym("NAACL") + r"|North American Chapter of the Association"),
    _venue("EACL", _acronym("EACL") + r"|European Chapter of the Association"),
    _venue("AACL", _acronym("AACL") + r"|Asia-Pacific Chapter of the Association"),
    _venue(
        "COLING",
        _acronym("COLING", "Coling") + r"|International Conference on Computational Linguistics",
    ),
    _venue(
        "TACL", _acronym("TACL") + r"|Transactions of the Association for Computational Linguistics"
    ),
    _venue("CoNLL", _acronym("CoNLL", "CONLL")),
    _venue("LREC", _acronym("LREC")),
    _venue("INLG", _acronym("INLG")),
    _venue("COLM", _acronym("COLM") + r"|Conference on Language Modeling"),
    _venue(
        "NeurIPS",
        _acronym("NeurIPS", "NEURIPS", "Neurips", "NIPS")
        + r"|Neural Information Processing Systems",
        "NeurIPS",
        "NIPS",
    ),
    _venue("ICML", _acronym("ICML") + r"|International Conference on Machine Learning\b"),
    _venue("ICLR", _acronym("ICLR") + r"|International Conference on Learning Representations"),
    _venue("AISTATS", _acronym("AISTATS")),
    _venue("UAI", _acronym("UAI") + r"|Conference on Uncertainty in Artificial Intelligence"),
    _venue("COLT", _acronym("COLT") + r"|Conference on Learning Theory"),
    _venue("TMLR", _acronym("TMLR") + r"|Transactions on Machine Learning Research"),
    _venue("JMLR", _acronym("JMLR") + r"|Journal of Machine Learning Research"),
    _venue("MLSys", _acronym("MLSys", "MLSYS")),
    _venue("AAAI", _acronym("AAAI")),
    _venue("IJCAI", _acronym("IJCAI")),
    _venue("CVPR", _acronym("CVPR") + r"|Computer Vision and Pattern Recognition"),
    _venue("ICCV", _acronym("ICCV") + r"|International Conference on Computer Vision"),
    _venue("ECCV", _acronym("ECCV") + r"|European Conference on Computer Vision"),
    _venue("CoRL", _acronym("CoRL") + r"|Conference on Robot Learning"),
    _venue("KDD", _acronym("KDD", "SIGKDD"), "SIGKDD", "KDD"),
    _venue(
        "WWW",
        _acronym("WWW", "TheWebConf") + r"|The Web Conference|\bWeb Conference 20\d\d",
        "WWW",
        "TheWebConf",
    ),
    _venue("SIGIR", _acronym("SIGIR")),
    _venue("CIKM", _acronym("CIKM")),
    _venue("WSDM", _acronym("WSDM")),
    _venue("ICDM", _acronym("ICDM")),
    _venue("RecSys", _acronym("RecSys", "RECSYS", "Recsys")),
    _venue("CHI", _acronym("CHI") + r"(?=\s*'?\s*\d{2,4}|\s+Conference)"),
    _venue("Interspeech", _acronym("Interspeech", "INTERSPEECH", "InterSpeech")),
    _venue("ICASSP", _acronym("ICASSP")),
    _venue("AIED", _acronym("AIED", "AIEd")),
)

_ACL_FAMILY = r"(?:ACL|EMNLP|NAACL|EACL|AACL|Association for Computational Linguistics)"
QUALIFIERS: tuple[Venue, ...] = (
    _venue(
        "Findings",
        rf"\bFindings\s+of\s+(?:the\s+)?{_ACL_FAMILY}\b|\b{_ACL_FAMILY}\s*'?(?:\d{{2,4}})?\s*"
        r"\(?Findings\b",
        flags=_I,
    ),
    _venue("Workshop", r"\bworkshops?\b", flags=_I),
    _venue("Short", r"\bshort[\s-]+papers?\b|\(\s*short\s*\)|\bshort\s+track\b", flags=_I),
)

_CLAUSE_SPLIT = re.compile(r"[;|\n]|\.(?:\s|$)")
_NOT_PUBLISHED = re.compile(
    r"\bunder\s+review\b|\bsubmitted\b|\bin\s+submission\b|\bsubmission\s+to\b|"
    r"\brejected\b|\bwithdrawn\b|\bnot\s+accepted\b",
    _I,
)


def detect_venues(*texts: str | None) -> list[str]:
    """Venue keys (``ACL``, ``NeurIPS``, ..., then ``Findings``/``Workshop``/``Short``).

    Each venue once, venues in the order of :data:`VENUES`, qualifiers after them.
    """
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        for clause in _CLAUSE_SPLIT.split(text):
            if not clause.strip() or _NOT_PUBLISHED.search(clause):
                continue
            for venue in (*VENUES, *QUALIFIERS):
                if venue.pattern.search(clause):
                    found.add(venue.key)
    if found and found <= {venue.key for venue in QUALIFIERS} - {"Workshop"}:
        # "Findings" or "Short" alone are qualifiers of a venue we did not see.
        return []
    return [venue.key for venue in (*VENUES, *QUALIFIERS) if venue.key in found]


def venue_tags(
    vocabulary: Vocabulary, *, journal_ref: str | None = None, comment: str | None = None
) -> list[str]:
    """The vocabulary's venue tags for a paper with this metadata (possibly none)."""
    by_key = {venue.key: venue for venue in (*VENUES, *QUALIFIERS)}
    tags: list[str] = []
    for key in detect_venues(journal_ref, comment):
        for spelling in by_key[key].spellings:
            kept = vocabulary.filter([spelling], kind="venue")
            if kept:
                if kept[0] not in tags:
                    tags.append(kept[0])
                break
    return tags
