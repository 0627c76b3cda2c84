"""The reference set the tag model learns from beside a library's own tags: the tagged assets of
the labelled libraries (eval/libraries), shipped in models/tagger/ as their words, tags and
embeddings. Types and stages mean the same in every library, and verticals are named in text,
so a library with few tags of its own still gets suggestions.

Files: `reference.jsonl` (per asset: id, title, path, the opening TEXT_CHARS of text, tags),
`vectors.npy` (float16, one row per asset, in the same order) and `manifest.json` (the encoder
the vectors came from, how many, each file's sha256). Built by scripts/build_tag_reference.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

from enablement.checksums import file_sha256
from enablement.embedding import Encoder
from enablement.errors import ConfigurationError
from enablement.tagging.document import TEXT_CHARS, TagDocument

DEFAULT_FOLDER: Final = Path(__file__).resolve().parents[3] / "models" / "tagger"
DOCUMENTS: Final = "reference.jsonl"
VECTORS: Final = "vectors.npy"
MANIFEST: Final = "manifest.json"


def write_reference(
    folder: Path, documents: Sequence[TagDocument], *, encoder: str, **card: object
) -> dict[str, Any]:
    """Save `documents` (their vectors from `encoder`) in `folder`; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / DOCUMENTS).open("w", encoding="utf-8") as handle:
        for d in documents:
            tags = {field: list(values) for field, values in d.tags.items() if values}
            row = {"id": d.id, "title": d.title, "path": d.path, "text": d.text[:TEXT_CHARS],
                   "tags": tags}  # fmt: skip
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    np.save(folder / VECTORS, np.asarray([d.vector for d in documents], dtype=np.float16))
    manifest = {
        "encoder": encoder, "assets": len(documents),
        "sha256": {name: file_sha256(folder / name) for name in (DOCUMENTS, VECTORS)}, **card,
    }  # fmt: skip
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_reference(folder: Path, *, encoder: Encoder) -> list[TagDocument]:
    """The reference documents in `folder`. Their vectors are used when they came from
    `encoder`; for another encoder their text is embedded again (`encode_passages`), so a
    custom model still gets comparable vectors. Raises ConfigurationError naming the file when
    the folder is incomplete or a file fails its sha256."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        for name, digest in manifest["sha256"].items():
            if file_sha256(folder / name) != digest:
                raise ConfigurationError(
                    f"The tag reference file {folder / name} does not match its sha256 in "
                    f"{folder / MANIFEST}: restore it from git."
                )
        rows = [json.loads(line) for line in (folder / DOCUMENTS).read_text("utf-8").splitlines()]
        vectors = np.load(folder / VECTORS).astype(np.float32)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"Cannot read the tag reference in {folder} ({type(exc).__name__}: {exc}). "
            "Restore models/tagger from git."
        ) from None
    if manifest.get("encoder") != encoder.name or len(vectors) != len(rows):
        texts = [f"{row['title']}\n{row['text']}" for row in rows]
        vectors = np.asarray(encoder.encode_passages(texts), dtype=np.float32)
    return [
        TagDocument(
            id=str(row["id"]),
            title=str(row["title"]),
            path=str(row.get("path") or ""),
            text=str(row["text"]),
            vector=vectors[i],
            tags={field: tuple(values) for field, values in row.get("tags", {}).items()},
        )
        for i, row in enumerate(rows)
    ]
