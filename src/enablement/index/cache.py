"""The embedding cache in the SQL store, keyed by model and passage text."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
from sqlalchemy import Engine, insert, select

from enablement.db import tables
from enablement.embedding import Encoder, Vectors

_BATCH = 500


def cache_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


class EmbeddingCache:
    """Vectors already computed; a rebuild encodes only passages it has never seen."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get_many(self, keys: list[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        c = tables.embedding_cache.c
        with self.engine.connect() as connection:
            for start in range(0, len(keys), _BATCH):
                query = select(c.key, c.vector).where(c.key.in_(keys[start : start + _BATCH]))
                for key, blob in connection.execute(query):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: dict[str, Vectors]) -> None:
        rows = [
            {"key": k, "model": model, "dimension": int(v.shape[0]), "vector": v.tobytes()}
            for k, v in items.items()
        ]
        with self.engine.begin() as connection:
            for start in range(0, len(rows), _BATCH):
                connection.execute(insert(tables.embedding_cache), rows[start : start + _BATCH])


def encode_with_cache(
    texts: list[str],
    *,
    encoder: Encoder,
    cache: EmbeddingCache,
    batch: int = 256,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Vectors, int]:
    """Vectors for `texts` in order, and how many had to be encoded (the rest came from cache).

    New vectors are saved batch by batch, so an interrupted build keeps what it computed.
    """
    keys = [cache_key(encoder.name, text) for text in texts]
    known = cache.get_many(list(dict.fromkeys(keys)))
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    text_of = dict(zip(keys, texts, strict=True))
    for start in range(0, len(missing), batch):
        part = missing[start : start + batch]
        vectors = encoder.encode_passages([text_of[key] for key in part])
        fresh = dict(zip(part, vectors, strict=True))
        cache.put_many(encoder.name, fresh)
        known.update(fresh)
        if progress is not None:
            progress(min(start + batch, len(missing)), len(missing))
    out = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    for row, key in enumerate(keys):
        out[row] = known[key]
    return out, len(missing)
