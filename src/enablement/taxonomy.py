"""The taxonomy: stages, verticals, personas and asset types, with the aliases CRMs use."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from enablement.errors import ConfigurationError, UnknownTaxonomyValueError

FACETS = ("stages", "verticals", "personas", "asset_types")
# The singular noun used in messages and error codes ("unknown_stage").
FACET_NOUNS = {
    "stages": "stage",
    "verticals": "vertical",
    "personas": "persona",
    "asset_types": "type",
}
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def normalize(value: str) -> str:
    """The matching key of a value: lowercase, with spacing and punctuation removed."""
    return _NON_ALNUM.sub("", value.casefold())


def closest(value: str, candidates: Iterable[str] | Mapping[str, str]) -> str | None:
    """The candidate spelled most like `value` (both `normalize`d), or None when none is close
    (difflib's ratio under 0.6): the did-you-mean of every "unknown X" message. Given a mapping,
    its keys are compared and the matching key's value is returned (an alias gives its id)."""
    pairs = candidates if isinstance(candidates, Mapping) else {c: c for c in candidates}
    keyed: dict[str, str] = {}
    for key, answer in pairs.items():
        keyed.setdefault(normalize(key), answer)
    matches = difflib.get_close_matches(normalize(value), list(keyed), n=1, cutoff=0.6)
    return keyed[matches[0]] if matches else None


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facet:
    """One dimension of the taxonomy, resolving any alias to its canonical id."""

    name: str
    terms: tuple[Term, ...]
    _lookup: Mapping[str, str] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def build(cls, name: str, terms: Iterable[Term]) -> Facet:
        terms = tuple(terms)
        lookup: dict[str, str] = {}
        for term in terms:
            for key in (term.id, term.label, *term.aliases):
                norm = normalize(key)
                owner = lookup.setdefault(norm, term.id)
                if owner != term.id:
                    raise ConfigurationError(
                        f"Taxonomy {name}: '{key}' is claimed by both '{owner}' and '{term.id}'."
                    )
        return cls(name=name, terms=terms, _lookup=lookup)

    @property
    def noun(self) -> str:
        return FACET_NOUNS.get(self.name, self.name)

    @property
    def ids(self) -> list[str]:
        return [term.id for term in self.terms]

    def resolve(self, value: str, *, field: str | None = None) -> str:
        """The canonical id for `value`; raises UnknownTaxonomyValueError listing the valid ids."""
        found = self._lookup.get(normalize(value))
        if found is not None:
            return found
        raise UnknownTaxonomyValueError(
            self.noun, value, self.ids, field=field, closest=self.closest(value)
        )

    def resolve_optional(self, value: object, *, field: str | None = None) -> str | None:
        """Like resolve, but None (no filter, no value) for None or a blank value."""
        if value is None or not str(value).strip():
            return None
        return self.resolve(str(value), field=field)

    def label(self, term_id: str | None) -> str:
        """The display label of a canonical id ("" for None, the id itself if unknown)."""
        if term_id is None:
            return ""
        return next((t.label for t in self.terms if t.id == term_id), term_id)

    def closest(self, value: str) -> str | None:
        """The id whose id, label or alias is spelled most like `value` (None if none is close)."""
        return closest(value, self._lookup)


@dataclass(frozen=True)
class Taxonomy:
    stages: Facet
    verticals: Facet
    personas: Facet
    asset_types: Facet

    def facet(self, name: str) -> Facet:
        facet: Facet = getattr(self, name)
        return facet

    def to_dict(self) -> dict[str, list[dict[str, object]]]:
        return {
            name: [
                {"id": t.id, "label": t.label, "aliases": list(t.aliases)}
                for t in self.facet(name).terms
            ]
            for name in FACETS
        }


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load the taxonomy from `path`, or the packaged default; raises ConfigurationError."""
    try:
        if path is None:
            text = resources.files("enablement").joinpath("data/taxonomy.yaml").read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"Cannot read taxonomy {path or 'default'}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError("The taxonomy file must be a mapping of facets.")
    missing = [name for name in FACETS if name not in raw]
    if missing:
        raise ConfigurationError(f"The taxonomy file lacks the facets: {', '.join(missing)}.")
    return Taxonomy(**{name: _facet(name, raw[name]) for name in FACETS})


def _facet(name: str, raw: object) -> Facet:
    if not isinstance(raw, dict) or not raw:
        raise ConfigurationError(f"Taxonomy facet '{name}' must map ids to labels and aliases.")
    terms = []
    for term_id, spec in raw.items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise ConfigurationError(f"Taxonomy {name}.{term_id} must be a mapping.")
        aliases = tuple(str(alias) for alias in spec.get("aliases", []) or [])
        label = str(spec.get("label", str(term_id).replace("_", " ").title()))
        terms.append(Term(id=str(term_id), label=label, aliases=aliases))
    return Facet.build(name, terms)
