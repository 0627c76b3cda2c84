"""The embedding cache in the SQL store, keyed by model and passage text."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
from sqlalchemy import Engine, select

from enablement.db import tables
from enablement.db.engine import dialect_insert
from enablement.embedding import Encoder, Vectors

_BATCH = 500


def cache_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


def query_model(model: str) -> str:
    """The cache's model name for query vectors (some models encode queries differently)."""
    return f"{model}:query"


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
        if not rows:
            return
        # two writers may cache the same text at once; the first one's vector stays
        statement = dialect_insert(self.engine, tables.embedding_cache).on_conflict_do_nothing()
        with self.engine.begin() as connection:
            connection.execute(statement, rows)


def encode_with_cache(
    texts: list[str],
    *,
    encoder: Encoder,
    cache: EmbeddingCache,
    batch: int = 256,
    queries: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Vectors, int]:
    """Vectors for `texts` in order (as passages, or as `queries`), and how many had to be
    encoded (the rest came from cache).

    New vectors are saved batch by batch, so an interrupted build keeps what it computed.
    """
    model = query_model(encoder.name) if queries else encoder.name
    encode = encoder.encode_queries if queries else encoder.encode_passages
    keys = [cache_key(model, text) for text in texts]
    known = cache.get_many(list(dict.fromkeys(keys)))
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    text_of = dict(zip(keys, texts, strict=True))
    if progress is not None and missing:
        progress(0, len(missing))  # the encoder is loaded: the count of passages to encode
    for start in range(0, len(missing), batch):
        part = missing[start : start + batch]
        vectors = encode([text_of[key] for key in part])
        fresh = dict(zip(part, vectors, strict=True))
        cache.put_many(model, fresh)
        known.update(fresh)
        if progress is not None:
            progress(min(start + batch, len(missing)), len(missing))
    out = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    for row, key in enumerate(keys):
        out[row] = known[key]
    return out, len(missing)
