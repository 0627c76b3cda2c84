"""A deal checked against what the assets declare: an unknown language is refused listing those
there are; an unknown product or competitor is a warning naming the closest known one."""

from __future__ import annotations

import pytest

from enablement.errors import UnknownTaxonomyValueError
from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.known import KnownTerms, check_deal, check_language
from enablement.recommend.table import AssetTable
from enablement.taxonomy import closest

ASSETS = [
    AssetRecord("a", "A", language="en", products=("workflow",), competitors=("oxley",)),
    AssetRecord("b", "B", language="pt-br", products=("guard",), competitors=("brightwell",)),
    AssetRecord("c", "C"),  # declares nothing
]


@pytest.fixture
def known() -> KnownTerms:
    return KnownTerms.of(AssetTable(ASSETS))


def test_known_terms_are_what_the_assets_declare(known: KnownTerms) -> None:
    assert known == KnownTerms(
        languages=("en", "pt"), products=("guard", "workflow"), competitors=("brightwell", "oxley")
    )


@pytest.mark.parametrize("language", [None, "", "en", "EN", "en-US", "pt", "pt-BR"])
def test_a_language_the_assets_are_in_passes(known: KnownTerms, language: str | None) -> None:
    check_language(language, known, field="language")


def test_an_unknown_language_is_refused_listing_the_catalogs(known: KnownTerms) -> None:
    with pytest.raises(UnknownTaxonomyValueError) as caught:
        check_language("ptt", known, field="deal.language")
    error = caught.value
    assert (error.status, error.code, error.field) == (422, "unknown_language", "deal.language")
    assert error.valid == ["en", "pt"] and error.closest == "pt"
    assert error.message == "Unknown language 'ptt'. Did you mean 'pt'? Valid values: en, pt."


def test_a_catalog_declaring_no_language_accepts_any() -> None:
    check_language("de", KnownTerms.of(AssetTable([AssetRecord("c", "C")])), field="language")


def test_unknown_products_and_competitors_are_warnings_with_the_closest(
    known: KnownTerms,
) -> None:
    deal = Deal(products=("workflw", "zzz", "guard"), competitor="oxly", warnings=("earlier",))
    checked = check_deal(deal, known)
    assert checked.warnings == (
        "earlier",
        "Unknown product 'workflw'; did you mean 'workflow'?",
        "Unknown product 'zzz'; the catalog's assets name: guard, workflow.",
        "Unknown competitor 'oxly'; did you mean 'oxley'?",
    )
    assert checked.products == deal.products and checked.competitor == "oxly"  # kept as sent
    assert check_deal(Deal(products=("guard",), competitor="oxley"), known).warnings == ()


def test_nothing_declared_says_so() -> None:
    checked = check_deal(Deal(competitor="oxley"), KnownTerms())
    assert checked.warnings == (
        "Unknown competitor 'oxley'; no asset in the catalog names a competitor.",
    )


def test_closest_compares_normalised_spellings() -> None:
    assert closest("Oxly", ["oxley", "brightwell"]) == "oxley"
    assert closest("zzz", ["oxley"]) is None
    assert closest("ciso", {"ciso": "it_security", "cfo": "finance"}) == "it_security"
