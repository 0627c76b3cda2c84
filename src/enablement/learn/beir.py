"""Public retrieval sets in BEIR layout, ingested into a temporary catalog for evaluation."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.metadata import slugify
from enablement.catalog.store import CatalogStore
from enablement.db import connect
from enablement.embedding import Encoder
from enablement.errors import InvalidValueError
from enablement.index.build import IndexOptions, build_index
from enablement.index.bundle import Bundle, current_folder, load_bundle
from enablement.index.cache import EmbeddingCache
from enablement.learn.evaluate import LabelledDeal


def doc_id(raw: str) -> str:
    """A catalog id for a BEIR document id ("MED-10" -> "med-10")."""
    return slugify(raw) or "doc"


def write_manifest(directory: Path, target: Path) -> int:
    """corpus.jsonl -> an enablement manifest (title + text per document); returns the count."""
    source = directory / "corpus.jsonl"
    if not source.is_file():
        raise InvalidValueError(f"{directory} has no corpus.jsonl (BEIR layout)", field="beir")
    count = 0
    with source.open(encoding="utf-8") as rows, target.open("w", encoding="utf-8") as out:
        for line in rows:
            doc = json.loads(line)
            text = (doc.get("text") or "").strip()
            if not text:
                continue
            title = (doc.get("title") or "").strip() or str(doc["_id"])
            out.write(
                json.dumps({"id": doc_id(str(doc["_id"])), "title": title, "text": text}) + "\n"
            )
            count += 1
    return count


def load_queries(directory: Path, split: str) -> list[LabelledDeal]:
    """The split's queries that have relevance judgements, as question-only deals."""
    qrels_path = directory / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise InvalidValueError(f"{directory} has no qrels/{split}.tsv", field="beir")
    relevant: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            grade = int(row["score"])
            if grade > 0:
                relevant.setdefault(row["query-id"], {})[doc_id(row["corpus-id"])] = grade
    deals = []
    with (directory / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            query = json.loads(line)
            if str(query["_id"]) in relevant:
                deals.append(
                    LabelledDeal(
                        id=str(query["_id"]),
                        deal={"questions": [query["text"]]},
                        relevant=relevant[str(query["_id"])],
                    )
                )
    return deals


def prepare_beir(
    directory: Path,
    workdir: Path,
    *,
    options: BuildOptions,
    encoder: Encoder,
    cache: EmbeddingCache,
    index_options: IndexOptions,
    split: str = "test",
) -> tuple[Bundle, list[LabelledDeal]]:
    """Ingest and index a BEIR set in `workdir`; embeddings come from (and go to) `cache`."""
    manifest = workdir / "corpus.manifest.jsonl"
    write_manifest(directory, manifest)
    engine = connect(f"sqlite:///{workdir / 'catalog.db'}")
    try:
        store = CatalogStore(engine)
        ingest(manifest, store=store, options=options)
        bundles = workdir / "bundles"
        build_index(store, encoder=encoder, cache=cache, bundles=bundles, options=index_options)
    finally:
        engine.dispose()
    return load_bundle(current_folder(bundles)), load_queries(directory, split)
