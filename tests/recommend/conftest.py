import pytest

from enablement.catalog.build import BuildOptions
from enablement.recommend.pipeline import Recommender, RecommenderConfig
from enablement.taxonomy import Taxonomy
from tests.index.library import build_small_library


@pytest.fixture(scope="module")
def recommender(
    tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions, taxonomy: Taxonomy
) -> Recommender:
    bundle, encoder = build_small_library(tmp_path_factory.mktemp("small"), build_options)
    return Recommender(bundle, encoder, taxonomy, RecommenderConfig())
