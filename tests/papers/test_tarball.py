"""E-prints are untrusted: read into memory only, bounded, hostile shapes refused."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from summarizer.papers.tarball import Limits, SourceArchiveError, read_source_archive
from tests import latex_trees


def test_a_tarball_gives_its_text_files_and_lists_the_rest() -> None:
    tree = read_source_archive(latex_trees.multi_file_eprint())
    assert set(tree.files) == {
        "main.tex", "macros.tex", "main.bbl", "sections/intro.tex", "sections/method.tex",
        "sections/experiments.tex", "sections/appendix.tex",
    }  # fmt: skip
    assert tree.other_names == ["figures/latency.pdf"]
    assert tree.text("macros.tex") == latex_trees.MACROS


def test_gzip_but_not_tar_is_one_tex_file() -> None:
    tree = read_source_archive(latex_trees.single_tex_eprint())
    assert list(tree.files) == ["main.tex"]
    assert "\\documentclass" in tree.text("main.tex")


@pytest.mark.parametrize(
    ("eprint", "reason"),
    [
        (latex_trees.plain_pdf_eprint, "no source for this paper, only its PDF"),
        (lambda: gzip.compress(latex_trees.plain_pdf_eprint()), "only its PDF"),
        (latex_trees.pdf_only_eprint, "no TeX file (it holds .pdf, .png)"),
        (latex_trees.traversal_eprint, "outside itself ('../../escaped.tex')"),
        (latex_trees.symlink_eprint, "a link ('sections/passwd.tex' -> '/etc/passwd')"),
        (latex_trees.truncated_eprint, "cut short"),
    ],
    ids=["pdf", "gzipped-pdf", "pdf-only-tar", "traversal", "symlink", "truncated"],
)
def test_unusable_eprints_say_why(eprint, reason: str) -> None:
    with pytest.raises(SourceArchiveError) as caught:
        read_source_archive(eprint())
    assert reason in caught.value.reason


def test_a_bomb_stops_at_the_limit_without_inflating_it_all() -> None:
    bomb = latex_trees.bomb_eprint(megabytes=40)
    assert len(bomb) < 100_000
    with pytest.raises(SourceArchiveError, match=r"over 8 MB \(a decompression bomb"):
        read_source_archive(bomb, Limits(total_bytes=8 << 20))


def test_a_member_over_its_limit_is_refused() -> None:
    with pytest.raises(SourceArchiveError, match=r"main\.tex is 0 MB, over 0 MB"):
        read_source_archive(latex_trees.multi_file_eprint(), Limits(member_bytes=100))


def test_the_time_limit_holds_between_steps() -> None:
    ticks = iter(range(0, 1000, 5))
    with pytest.raises(SourceArchiveError, match="took over 10 s"):
        read_source_archive(latex_trees.multi_file_eprint(), clock=lambda: next(ticks))


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.FIFOTYPE, tarfile.LNKTYPE])
def test_devices_and_hard_links_are_refused(kind: bytes) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("main.tex")
        info.type = kind
        info.linkname = "/etc/shadow"
        archive.addfile(info)
    with pytest.raises(SourceArchiveError, match=r"link|device"):
        read_source_archive(buffer.getvalue())


def test_nothing_is_written_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for eprint in (latex_trees.traversal_eprint, latex_trees.symlink_eprint):
        with pytest.raises(SourceArchiveError):
            read_source_archive(eprint())
    read_source_archive(latex_trees.multi_file_eprint())
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent.parent / "escaped.tex").exists()
