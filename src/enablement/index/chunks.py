"""Chunk records, and a saved bundle's chunks read on demand from one memory-mapped JSONL file."""

from __future__ import annotations

import json
import mmap
import operator
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, overload

import numpy as np
import numpy.typing as npt

CHUNKS: Final = "chunks.jsonl"
ENDS: Final = "chunk_ends.npy"  # byte offset of each line's newline in CHUNKS
_SCAN_BLOCK: Final = 1 << 26  # bytes searched for newlines at a time: bounds the temporary mask

Offsets = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ChunkRecord:
    asset: int  # row in Bundle.assets
    text: str
    page: int | None = None
    slide: int | None = None
    heading_path: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ChunkRecord:
        raw["heading_path"] = tuple(raw.get("heading_path") or ())
        return cls(**raw)


class ChunkFile(Sequence[ChunkRecord]):
    """The chunks of a saved bundle, each parsed from its line of CHUNKS when asked for.

    The file is memory-mapped and only the end offset of each line (8 bytes) is held, where a
    list of ChunkRecord costs ~360 bytes of Python objects per chunk (362 MB for a million:
    benchmarks/results/scale.json); the bytes read stay in the page cache, shared by every
    worker of the machine and dropped under memory pressure. Reading a chunk costs one
    json.loads (6 us); a request reads a few. Never written: a bundle folder is immutable."""

    def __init__(self, path: Path, data: mmap.mmap | bytes, ends: Offsets) -> None:
        self.path = path
        self._data = data
        self._ends = ends

    @classmethod
    def open(cls, folder: Path) -> ChunkFile:
        """The chunks of the bundle in `folder`, with the saved offsets when they match the
        file (a bundle saved before ENDS existed is scanned for newlines once, here)."""
        path, saved = folder / CHUNKS, folder / ENDS
        data = _map(path)
        if saved.is_file():
            ends = np.asarray(np.load(saved, mmap_mode="r"))
            if (int(ends[-1]) if len(ends) else -1) == len(data) - 1:
                return cls(path, data, ends)
        return cls(path, data, _line_ends(data))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> ChunkRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[ChunkRecord]: ...

    def __getitem__(self, index: int | slice) -> ChunkRecord | list[ChunkRecord]:
        if isinstance(index, slice):
            return [self[row] for row in range(*index.indices(len(self)))]
        row = operator.index(index)  # numpy integers too
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"chunk {index} out of range ({len(self)} chunks)")
        start = int(self._ends[row - 1]) + 1 if row else 0
        return ChunkRecord.from_json(json.loads(self._data[start : int(self._ends[row])]))

    def __iter__(self) -> Iterator[ChunkRecord]:
        start = 0
        for end in self._ends.tolist():
            yield ChunkRecord.from_json(json.loads(self._data[start:end]))
            start = end + 1

    def save(self, folder: Path) -> None:
        """Copy the file and its offsets into `folder` (no chunk is parsed)."""
        shutil.copyfile(self.path, folder / CHUNKS)
        np.save(folder / ENDS, np.asarray(self._ends, dtype=np.int64))


def save_chunks(chunks: Sequence[ChunkRecord], folder: Path) -> None:
    """Write `chunks` to `folder` as CHUNKS, one JSON object a line, and their offsets as ENDS."""
    if isinstance(chunks, ChunkFile):
        chunks.save(folder)
        return
    with (folder / CHUNKS).open("wb") as handle:
        np.save(folder / ENDS, _write_lines(handle, chunks))


def _write_lines(handle: Any, chunks: Iterable[ChunkRecord]) -> Offsets:
    """Write one ASCII JSON line per chunk; returns the offset of each line's newline."""
    ends, position = [], -1
    for chunk in chunks:
        line = (json.dumps(asdict(chunk)) + "\n").encode("ascii")  # \n inside text is escaped
        handle.write(line)
        position += len(line)
        ends.append(position)
    return np.array(ends, dtype=np.int64)


def _map(path: Path) -> mmap.mmap | bytes:
    """`path` mapped read-only (an empty file cannot be mapped: it reads as no bytes)."""
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _line_ends(data: mmap.mmap | bytes) -> Offsets:
    """The offset of every newline in `data`, scanned a block at a time."""
    view = np.frombuffer(data, dtype=np.uint8)
    parts = [
        np.flatnonzero(view[start : start + _SCAN_BLOCK] == ord("\n")) + start
        for start in range(0, len(view), _SCAN_BLOCK)
    ]
    del view  # a live view would keep the mapping from ever being closed
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
