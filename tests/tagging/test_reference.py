"""The shipped reference set: written and read back, checked by sha256, re-embedded for another
encoder, and the shipped folder itself loads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from enablement.errors import ConfigurationError
from enablement.tagging.document import TagDocument
from enablement.tagging.reference import DEFAULT_FOLDER, read_reference, write_reference
from tests.fakes import HashingEncoder


def documents(encoder: HashingEncoder) -> list[TagDocument]:
    texts = ["hospital clinic patients", "factory line throughput"]
    vectors = encoder.encode_passages(texts)
    return [
        TagDocument(f"a{i}", f"Title {i}", f"docs/{i}.md", text, vectors[i],
                    {"type": ("case_study",), "stages": (), "verticals": ("healthcare",)})
        for i, text in enumerate(texts)
    ]  # fmt: skip


def test_a_reference_round_trips(tmp_path: Path) -> None:
    encoder = HashingEncoder()
    written = documents(encoder)
    manifest = write_reference(tmp_path, written, encoder=encoder.name, built="2026-12-05")
    assert manifest["assets"] == 2 and manifest["built"] == "2026-12-05"
    read = read_reference(tmp_path, encoder=encoder)
    assert [(d.id, d.title, d.path, d.text) for d in read] == [
        (d.id, d.title, d.path, d.text) for d in written
    ]
    assert read[0].tags == {"type": ("case_study",), "verticals": ("healthcare",)}  # no empties
    np.testing.assert_allclose(read[1].vector, written[1].vector, atol=1e-3)  # float16


def test_another_encoder_embeds_the_texts_again(tmp_path: Path) -> None:
    write_reference(tmp_path, documents(HashingEncoder()), encoder="some-other-model")
    encoder = HashingEncoder()
    read = read_reference(tmp_path, encoder=encoder)
    again = encoder.encode_passages([f"{d.title}\n{d.text}" for d in read])
    np.testing.assert_allclose(read[0].vector, again[0], atol=1e-6)


def test_a_changed_or_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    write_reference(tmp_path, documents(HashingEncoder()), encoder="x")
    with (tmp_path / "reference.jsonl").open("a") as handle:
        handle.write(json.dumps({"id": "extra", "title": "t", "text": ""}) + "\n")
    with pytest.raises(ConfigurationError, match=r"reference\.jsonl does not match its sha256"):
        read_reference(tmp_path, encoder=HashingEncoder())
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(ConfigurationError, match="Cannot read the tag reference"):
        read_reference(tmp_path, encoder=HashingEncoder())


def test_the_shipped_reference_loads() -> None:
    manifest = json.loads((DEFAULT_FOLDER / "manifest.json").read_text())
    read = read_reference(DEFAULT_FOLDER, encoder=HashingEncoder())  # another encoder: re-embedded
    assert len(read) == manifest["assets"] > 500
    assert sum(1 for d in read if d.has("type")) > 0.9 * len(read)
