from datetime import date

import pytest

from enablement.errors import InvalidValueError, UnknownTaxonomyValueError
from enablement.recommend.context import MAX_QUESTION_CHARS, resolve_deal
from enablement.taxonomy import Taxonomy


def test_crm_values_resolve_to_ids(taxonomy: Taxonomy) -> None:
    deal = resolve_deal(
        {
            "stage": "Proposal/Price Quote",
            "vertical": "Banking",
            "persona": "CISO",
            "products": ["Workflow"],
            "competitor": "Brightwell",
            "as_of": "2026-01-02",
        },
        taxonomy,
    )
    assert (deal.stage, deal.vertical, deal.persona) == (
        "proposal",
        "financial_services",
        "it_security",
    )
    assert deal.products == ("workflow",) and deal.competitor == "brightwell"
    assert deal.as_of == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("given", "stage", "name"),
    [
        ("Needs Analysis", "discovery", "Needs Analysis"),  # the CRM's own name, as shown to reps
        ("  Proposal/Price   Quote ", "proposal", "Proposal/Price Quote"),
        ("presentationscheduled", "evaluation", "Presentation scheduled"),  # HubSpot's internal id
        ("contractsent", "negotiation", "Contract sent"),
        ("discovery", "discovery", "Discovery"),  # a canonical id: its label
        ("poc", "evaluation", "Evaluation"),  # an internal value with no words for it
    ],
)
def test_the_crms_stage_name_is_kept_for_display(
    taxonomy: Taxonomy, given: str, stage: str, name: str
) -> None:
    deal = resolve_deal({"stage": given}, taxonomy)
    assert (deal.stage, deal.stage_name) == (stage, name)
    assert resolve_deal({}, taxonomy).stage_name is None


@pytest.mark.parametrize(
    ("field", "value", "closest"),
    [
        ("stage", "negotation", "negotiation"),
        ("vertical", "helthcare", "healthcare"),
        ("persona", "xyzzy", None),
    ],
)
def test_unknown_values_name_the_field_and_valid_ids(
    taxonomy: Taxonomy, field: str, value: str, closest: str | None
) -> None:
    with pytest.raises(UnknownTaxonomyValueError) as caught:
        resolve_deal({field: value}, taxonomy)
    assert caught.value.field == f"deal.{field}"
    assert caught.value.closest == closest
    assert caught.value.valid == taxonomy.facet(f"{field}s").ids


def test_blank_questions_are_ignored_and_long_ones_truncated(taxonomy: Taxonomy) -> None:
    long = "word " * 400
    deal = resolve_deal({"questions": ["  ", "", "  what   about SSO? ", long]}, taxonomy)
    assert deal.questions[0] == "what about SSO?"
    assert len(deal.questions[1]) == MAX_QUESTION_CHARS
    assert len(deal.questions) == 2
    assert "questions[3]" in deal.warnings[0]  # numbered as in the request


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"k": 0}, "deal.k"),
        ({"k": 51}, "deal.k"),
        ({"k": "5"}, "deal.k"),
        ({"questions": ["q"] * 11}, "deal.questions"),
        ({"external_only": "yes"}, "deal.external_only"),
        ({"as_of": "soon"}, "deal.as_of"),
        ({"colour": "red"}, "deal.colour"),
        ({"already_shared": 5}, "deal.already_shared"),
    ],
)
def test_bad_fields_are_named(taxonomy: Taxonomy, raw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        resolve_deal(raw, taxonomy)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"questions": ["fine", "a\x00b"]}, "deal.questions[1]"),
        ({"deal_id": "\ud800"}, "deal.deal_id"),
        ({"competitor": "x\x1b[2J"}, "deal.competitor"),
        ({"as_of": "9999-12-31"}, "deal.as_of"),
        ({"as_of": date(1, 1, 1)}, "deal.as_of"),
    ],
)
def test_the_text_and_date_rule_holds_for_any_caller(
    taxonomy: Taxonomy, raw: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        resolve_deal(raw, taxonomy)
    assert caught.value.field == field


def test_questions_keep_their_place_in_the_request(taxonomy: Taxonomy) -> None:
    long = "x" * 1500
    deal = resolve_deal({"questions": ["", "  ", "do you sign a BAA?", long]}, taxonomy)
    assert deal.questions[0] == "do you sign a BAA?" and deal.question_positions == (2, 3)
    assert deal.position(1) == 3
    assert any(w.startswith("questions[3] was 1500 characters") for w in deal.warnings)
