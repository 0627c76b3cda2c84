from datetime import date

import pytest

from enablement.catalog.metadata import parse_metadata, split_front_matter
from enablement.catalog.models import AssetMetadata, BadFileError
from enablement.errors import InvalidValueError
from enablement.taxonomy import Taxonomy


def test_front_matter_is_split_and_loaded_safely() -> None:
    meta, body = split_front_matter("---\ntitle: A\nstages: [discovery]\n---\n# Body\n")
    assert meta == {"title": "A", "stages": ["discovery"]}
    assert body == "# Body\n"


def test_no_front_matter_leaves_text_alone() -> None:
    assert split_front_matter("# Title\n---\n") == ({}, "# Title\n---\n")


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: [unclosed\n---\nbody",
        "---\n- a list\n---\nbody",
        "---\n!!python/object/apply:os.system ['echo pwned']\n---\n",
        "---\ntitle: never closed\n",
    ],
)
def test_bad_front_matter_is_a_bad_file(text: str) -> None:
    with pytest.raises(BadFileError):
        split_front_matter(text)


def test_metadata_resolves_aliases_and_parses_types(taxonomy: Taxonomy) -> None:
    meta = parse_metadata(
        {
            "title": " Case ",
            "type": "Customer Story",
            "stages": "Needs Analysis; Proposal/Price Quote",
            "verticals": ["Banking"],
            "personas": "CISO",
            "products": ["Lumenfold Workflow", "guard"],
            "external": "no",
            "language": "pt_BR",
            "updated_at": "2026-03-01",
            "expires_at": date(2027, 1, 1),
            "region": "emea",
        },
        taxonomy,
    )
    assert meta.title == "Case"
    assert meta.type == "case_study"
    assert meta.stages == ("discovery", "proposal")
    assert meta.verticals == ("financial_services",)
    assert meta.personas == ("it_security",)
    assert meta.products == ("lumenfold-workflow", "guard")
    assert meta.external is False
    assert meta.language == "pt-br"
    assert meta.updated_at == date(2026, 3, 1)
    assert meta.expires_at == date(2027, 1, 1)
    assert meta.extra == {"region": "emea"}


def test_missing_metadata_stays_empty(taxonomy: Taxonomy) -> None:
    assert parse_metadata({}, taxonomy) == AssetMetadata()
    assert parse_metadata({"stages": [], "type": "", "external": None}, taxonomy) == AssetMetadata()


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"stages": ["discovery", "signing"]}, "stages", "Valid values: prospecting"),
        ({"verticals": "space"}, "verticals", "healthcare"),
        ({"type": "poster"}, "type", "datasheet"),
        ({"external": "maybe"}, "external", "true or false"),
        ({"updated_at": "last week"}, "updated_at", "2026-03-31"),
        ({"url": "ftp://x"}, "url", "https://"),
        ({"language": "english!"}, "language", "'en'"),
        ({"id": "Has Spaces"}, "id", "lowercase"),
        ({"title": {"a": 1}}, "title", "must be text"),
    ],
)
def test_invalid_values_name_the_field_and_valid_values(
    taxonomy: Taxonomy, raw: dict[str, object], field: str, fragment: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        parse_metadata(raw, taxonomy)
    assert caught.value.field == field
    assert fragment in caught.value.message
