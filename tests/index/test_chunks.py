"""The chunk file: a saved bundle's chunks read on demand, equal to the records that were saved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from enablement.catalog.build import BuildOptions
from enablement.index.bundle import load_bundle
from enablement.index.chunks import CHUNKS, ENDS, ChunkFile, ChunkRecord, save_chunks
from tests.index.library import build_small_library

RECORDS = [
    ChunkRecord(asset=0, text="Plain text.", heading_path=("Guide", "Setup")),
    ChunkRecord(asset=0, text="Two lines\nand a | table | row", page=3),
    ChunkRecord(asset=1, text="Café, naïve — “quoted” 日本語 \u2028 emoji 🚀", slide=2),
    ChunkRecord(asset=2, text=""),
]


def _saved(tmp_path: Path, records: list[ChunkRecord]) -> ChunkFile:
    save_chunks(records, tmp_path)
    return ChunkFile.open(tmp_path)


def test_reads_back_every_record(tmp_path: Path) -> None:
    chunks = _saved(tmp_path, RECORDS)
    assert len(chunks) == len(RECORDS) and list(chunks) == RECORDS
    assert [chunks[i] for i in range(len(RECORDS))] == RECORDS
    assert chunks[np.int64(2)] == RECORDS[2] and chunks[-1] == RECORDS[-1]
    assert chunks[1:3] == RECORDS[1:3] and chunks[::-1] == RECORDS[::-1]
    assert RECORDS[1] in chunks and chunks.index(RECORDS[3]) == 3
    assert len((tmp_path / CHUNKS).read_text(encoding="ascii").splitlines()) == len(RECORDS)


@pytest.mark.parametrize("index", [4, -5, 10**6])
def test_out_of_range_raises_index_error(tmp_path: Path, index: int) -> None:
    with pytest.raises(IndexError, match="out of range"):
        _saved(tmp_path, RECORDS)[index]


def test_a_bundle_saved_without_offsets_is_scanned(tmp_path: Path) -> None:
    save_chunks(RECORDS, tmp_path)
    (tmp_path / ENDS).unlink()  # as bundles built before the offsets file existed
    assert list(ChunkFile.open(tmp_path)) == RECORDS


def test_offsets_that_do_not_match_the_file_are_ignored(tmp_path: Path) -> None:
    save_chunks(RECORDS, tmp_path)
    np.save(tmp_path / ENDS, np.array([5, 9], dtype=np.int64))
    assert list(ChunkFile.open(tmp_path)) == RECORDS


def test_no_chunks(tmp_path: Path) -> None:
    chunks = _saved(tmp_path, [])
    assert len(chunks) == 0 and list(chunks) == []
    (tmp_path / ENDS).unlink()
    assert len(ChunkFile.open(tmp_path)) == 0


def test_saving_a_chunk_file_copies_it(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    save_chunks(_saved(first, RECORDS), second)
    assert (second / CHUNKS).read_bytes() == (first / CHUNKS).read_bytes()
    assert list(ChunkFile.open(second)) == RECORDS


def test_a_loaded_bundle_maps_its_chunks_and_arrays(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    bundle, _ = build_small_library(tmp_path, build_options)
    assert isinstance(bundle.chunks, ChunkFile) and len(bundle.chunks) == bundle.meta.chunks
    assert {c.asset for c in bundle.chunks} == set(range(len(bundle.assets)))
    assert not bundle.chunk_asset.flags.writeable and not bundle.asset_vectors.flags.writeable
    assert [c.asset for c in bundle.chunks] == bundle.chunk_asset.tolist()
    again = tmp_path / "again"
    bundle.save(again)  # a loaded bundle saves as it was built (the store's re-publish)
    assert list(load_bundle(again).chunks) == list(bundle.chunks)
