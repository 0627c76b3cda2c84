import pytest

from enablement.catalog.build import BuildOptions
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.taxonomy import Taxonomy
from tests.fakes import relevance_answers
from tests.index.library import build_small_library
from tests.recommend.product_library import PRODUCT_ASSETS


@pytest.fixture(scope="module")
def recommender(
    tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions, taxonomy: Taxonomy
) -> Recommender:
    bundle, encoder = build_small_library(tmp_path_factory.mktemp("small"), build_options)
    return Recommender(bundle, encoder, taxonomy, RecommenderConfig(answers=relevance_answers()))


@pytest.fixture(scope="module")
def product_recommender(
    tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions, taxonomy: Taxonomy
) -> Recommender:
    """A recommender over PRODUCT_ASSETS (three products), with the fake encoder."""
    root = tmp_path_factory.mktemp("products")
    bundle, encoder = build_small_library(root, build_options, PRODUCT_ASSETS)
    return Recommender(bundle, encoder, taxonomy, RecommenderConfig(answers=relevance_answers()))
