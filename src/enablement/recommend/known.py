"""What the catalog's assets declare (languages, products, competitors), and a deal checked
against it: a language no asset is in is refused, listing those there are; a product or
competitor no asset names is kept with a warning naming the closest known one, since CRMs send
free text."""

from __future__ import annotations

from dataclasses import dataclass, replace

from enablement.errors import UnknownTaxonomyValueError
from enablement.recommend.context import Deal
from enablement.recommend.table import AssetTable
from enablement.taxonomy import closest


@dataclass(frozen=True)
class KnownTerms:
    """Sorted values the assets declare: base language codes (`pt` for `pt-br`), product and
    competitor slugs."""

    languages: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()

    @classmethod
    def of(cls, table: AssetTable) -> KnownTerms:
        return cls(
            languages=tuple(sorted({str(code) for code in table.language if code})),
            products=tuple(sorted(table.value_rows("products"))),
            competitors=tuple(sorted(table.value_rows("competitors"))),
        )


def check_language(language: str | None, known: KnownTerms, *, field: str) -> None:
    """Raise UnknownTaxonomyValueError (422 `unknown_language`, with the valid codes and the
    closest) when `language` is none of the assets' languages. A catalog that declares no
    language has nothing to check against: the filter passes every asset, so any is accepted."""
    if not language or not known.languages:
        return
    if language.casefold().split("-")[0] in known.languages:
        return
    raise UnknownTaxonomyValueError(
        "language",
        language,
        known.languages,
        field=field,
        closest=closest(language, known.languages),
    )


def check_deal(deal: Deal, known: KnownTerms, *, prefix: str = "deal") -> Deal:
    """`deal` once its language is checked (see check_language), with a warning for each product
    or competitor that no asset names."""
    check_language(deal.language, known, field=f"{prefix}.language" if prefix else "language")
    warnings = [
        unknown_term("product", product, known.products)
        for product in deal.products
        if product not in known.products
    ]
    if deal.competitor and deal.competitor not in known.competitors:
        warnings.append(unknown_term("competitor", deal.competitor, known.competitors))
    return replace(deal, warnings=(*deal.warnings, *warnings)) if warnings else deal


def unknown_term(noun: str, value: str, known: tuple[str, ...]) -> str:
    """The warning for a `noun` no asset names: the closest known one, else those there are."""
    match = closest(value, known)
    if match is not None:
        return f"Unknown {noun} '{value}'; did you mean '{match}'?"
    if known:
        return f"Unknown {noun} '{value}'; the catalog's assets name: {', '.join(known)}."
    return f"Unknown {noun} '{value}'; no asset in the catalog names a {noun}."
