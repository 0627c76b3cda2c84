"""Metadata from front matter, sidecars and manifests, validated against the taxonomy."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import yaml

from enablement.catalog.models import AssetMetadata, BadFileError
from enablement.errors import InvalidValueError
from enablement.taxonomy import Taxonomy

LIST_FIELDS = ("stages", "verticals", "personas", "products", "competitors")
TAXONOMY_FIELDS = {"stages": "stages", "verticals": "verticals", "personas": "personas"}
KNOWN_FIELDS = (
    "id", "title", "type", "url", *LIST_FIELDS, "language", "external", "owner",
    "updated_at", "expires_at",
)  # fmt: skip
_LIST_SPLIT = re.compile(r"\s*[;,|]\s*")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")
_SLUG = re.compile(r"[^a-z0-9]+")
_TRUE = {"true", "yes", "y", "1", "external", "public"}
_FALSE = {"false", "no", "n", "0", "internal", "private"}


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split `---` YAML front matter from a text; returns ({}, text) when there is none."""
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return load_yaml_mapping("\n".join(lines[1:index]), "front matter"), "\n".join(
                lines[index + 1 :]
            )
    raise BadFileError("front matter opened with '---' is never closed")


def strip_front_matter(text: str) -> str | None:
    """`text` without its `---` front matter, found by its fences and never parsed, so front
    matter that is not valid YAML is removed too; None when it is opened but never closed."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return text
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[index + 1 :])
    return None


def load_yaml_mapping(text: str, what: str) -> dict[str, Any]:
    """Parse YAML safely (no tags, no code); raises BadFileError unless it is a mapping."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BadFileError(f"invalid YAML in {what}: {_first_line(str(exc))}") from exc
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        # PyYAML's constructors raise these for a date such as 2026-02-30, an integer of 5,000
        # digits, or nesting deeper than Python's recursion limit: a bad file, not a failed run.
        raise BadFileError(f"invalid YAML in {what}: {_first_line(str(exc))}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadFileError(f"{what} must be a mapping of fields, not {type(data).__name__}")
    return {str(key): value for key, value in data.items()}


def slugify(value: str) -> str:
    """A lowercase id made of letters, digits and dashes."""
    return _SLUG.sub("-", value.casefold()).strip("-")


def parse_metadata(raw: Mapping[str, Any], taxonomy: Taxonomy) -> AssetMetadata:
    """Validate raw metadata; raises InvalidValueError naming the field and the valid values."""
    values: dict[str, Any] = {}
    extra = {k: v for k, v in raw.items() if k not in KNOWN_FIELDS and k not in ("text", "path")}
    for name in KNOWN_FIELDS:
        value = raw.get(name)
        if _is_empty(value):
            continue
        values[name] = _PARSERS[name](value, name, taxonomy)
    return AssetMetadata(**values, extra=_jsonable(extra))


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not value)


def _text(value: Any, name: str, _: Taxonomy) -> str:
    if isinstance(value, dict | list):
        raise InvalidValueError(f"'{name}' must be text, not a {type(value).__name__}", field=name)
    text = str(value).strip()
    if len(text) > 1000:
        raise InvalidValueError(f"'{name}' is longer than 1000 characters", field=name)
    return text


def _asset_id(value: Any, name: str, taxonomy: Taxonomy) -> str:
    text = _text(value, name, taxonomy)
    if not _ID.match(text):
        raise InvalidValueError(
            f"id '{text}' must be 1-200 lowercase letters, digits, '.', '_' or '-'", field=name
        )
    return text


def _url(value: Any, name: str, taxonomy: Taxonomy) -> str:
    text = _text(value, name, taxonomy)
    if not text.startswith(("https://", "http://")):
        raise InvalidValueError(f"url '{text}' must start with https:// or http://", field=name)
    return text


def _items(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        items = _LIST_SPLIT.split(value.strip())
    elif isinstance(value, list | tuple):
        items = [str(item).strip() for item in value if item is not None]
    else:
        raise InvalidValueError(f"'{name}' must be a list or a ';'-separated string", field=name)
    return [item for item in items if item]


def _taxonomy_list(value: Any, name: str, taxonomy: Taxonomy) -> tuple[str, ...]:
    facet = taxonomy.facet(TAXONOMY_FIELDS[name])
    ids = [facet.resolve(item, field=name) for item in _items(value, name)]
    return tuple(dict.fromkeys(ids))


def _slug_list(value: Any, name: str, _: Taxonomy) -> tuple[str, ...]:
    return tuple(dict.fromkeys(slugify(item) for item in _items(value, name) if slugify(item)))


def _asset_type(value: Any, name: str, taxonomy: Taxonomy) -> str:
    return taxonomy.asset_types.resolve(_text(value, name, taxonomy), field=name)


def _language(value: Any, name: str, taxonomy: Taxonomy) -> str:
    text = _text(value, name, taxonomy).casefold().replace("_", "-")
    if not _LANGUAGE.match(text):
        raise InvalidValueError(
            f"language '{value}' must be a language code such as 'en' or 'pt-br'", field=name
        )
    return text


def _boolean(value: Any, name: str, _: Taxonomy) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValueError(f"'{name}' must be true or false, not '{value}'", field=name)


def _date(value: Any, name: str, _: Taxonomy) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise InvalidValueError(
            f"'{name}' must be a date such as 2026-03-31, not '{text}'", field=name
        ) from None


_PARSERS: dict[str, Callable[[Any, str, Taxonomy], Any]] = {
    "id": _asset_id,
    "title": _text,
    "type": _asset_type,
    "url": _url,
    "stages": _taxonomy_list,
    "verticals": _taxonomy_list,
    "personas": _taxonomy_list,
    "products": _slug_list,
    "competitors": _slug_list,
    "language": _language,
    "external": _boolean,
    "owner": _text,
    "updated_at": _date,
    "expires_at": _date,
}


def _jsonable(value: Any) -> Any:
    """Extra fields kept as JSON-safe values (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _first_line(text: str) -> str:
    return " ".join(text.split())[:200]
