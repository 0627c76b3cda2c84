"""Fixtures for learn tests: three tiny libraries, each indexed on its own bundle."""

from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.db import connect
from enablement.index.build import IndexOptions
from enablement.index.cache import EmbeddingCache
from enablement.learn.libraries import Library, build_library_bundle, discover_libraries, load_deals
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.taxonomy import Taxonomy
from tests.fakes import HashingEncoder
from tests.learn.tiny_libraries import write_libraries


@pytest.fixture
def libraries(tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy) -> list[Library]:
    root = write_libraries(tmp_path / "libs")
    encoder = HashingEncoder()
    cache = EmbeddingCache(connect(f"sqlite:///{tmp_path / 'cache.db'}"))
    out = []
    for source in discover_libraries(root):
        bundle = build_library_bundle(
            source, tmp_path / "work" / source.name, options=build_options,
            encoder=encoder, cache=cache, index_options=IndexOptions(),
        )  # fmt: skip
        recommender = Recommender(bundle, encoder, taxonomy, RecommenderConfig())
        out.append(Library(source.name, recommender, tuple(load_deals(source))))
    return out
