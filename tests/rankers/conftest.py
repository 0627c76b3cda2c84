"""A registry on each real database (SQLite and PostgreSQL), over a shipped ranker of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from enablement.db import connect
from enablement.rankers import RankerRegistry
from enablement.recommend.ranker import LearnedRanker, read_ranker
from tests.rankers.models import ENCODER, names, save_shipped


def check(folder: Path) -> LearnedRanker:
    return read_ranker(folder, features=names(), encoder=ENCODER)


@pytest.fixture
def registry(database_url: str, tmp_path: Path) -> Iterator[RankerRegistry]:
    save_shipped(tmp_path / "shipped")
    engine = connect(database_url)
    yield RankerRegistry(
        engine, root=tmp_path / "rankers", shipped=tmp_path / "shipped", check=check
    )
    engine.dispose()
