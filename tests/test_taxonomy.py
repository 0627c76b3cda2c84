from pathlib import Path

import pytest

from enablement.errors import ConfigurationError, UnknownTaxonomyValueError
from enablement.taxonomy import FACETS, Taxonomy, load_taxonomy, normalize

SALESFORCE_STAGES = {
    "Prospecting": "prospecting",
    "Qualification": "discovery",
    "Needs Analysis": "discovery",
    "Value Proposition": "evaluation",
    "Id. Decision Makers": "evaluation",
    "Perception Analysis": "evaluation",
    "Proposal/Price Quote": "proposal",
    "Negotiation/Review": "negotiation",
    "Closed Won": "closed_won",
}
HUBSPOT_STAGES = {
    "Appointment Scheduled": "prospecting",
    "appointmentscheduled": "prospecting",
    "Qualified To Buy": "discovery",
    "qualifiedtobuy": "discovery",
    "Presentation Scheduled": "evaluation",
    "presentationscheduled": "evaluation",
    "Decision Maker Bought-In": "proposal",
    "decisionmakerboughtin": "proposal",
    "Contract Sent": "negotiation",
    "contractsent": "negotiation",
    "Closed Won": "closed_won",
    "closedwon": "closed_won",
}


@pytest.mark.parametrize(("crm_stage", "expected"), sorted(SALESFORCE_STAGES.items()))
def test_salesforce_default_stages_map_to_canonical(
    taxonomy: Taxonomy, crm_stage: str, expected: str
) -> None:
    assert taxonomy.stages.resolve(crm_stage) == expected


@pytest.mark.parametrize(("crm_stage", "expected"), sorted(HUBSPOT_STAGES.items()))
def test_hubspot_default_pipeline_maps_to_canonical(
    taxonomy: Taxonomy, crm_stage: str, expected: str
) -> None:
    assert taxonomy.stages.resolve(crm_stage) == expected


@pytest.mark.parametrize(
    "spelling", ["PROPOSAL/PRICE QUOTE", "proposal - price  quote", "Proposal_Price_Quote"]
)
def test_matching_ignores_case_spacing_and_punctuation(taxonomy: Taxonomy, spelling: str) -> None:
    assert taxonomy.stages.resolve(spelling) == "proposal"


def test_issue_ids_are_all_present(taxonomy: Taxonomy) -> None:
    assert taxonomy.stages.ids == [
        "prospecting",
        "discovery",
        "evaluation",
        "proposal",
        "negotiation",
        "closed_won",
    ]
    assert set(taxonomy.verticals.ids) == {
        "healthcare",
        "financial_services",
        "manufacturing",
        "retail",
        "public_sector",
        "education",
        "technology",
        "energy",
    }
    assert set(taxonomy.personas.ids) == {
        "executive",
        "finance",
        "it_security",
        "operations",
        "end_user",
        "procurement_legal",
    }
    assert len(taxonomy.asset_types.ids) == 14


def test_unknown_value_lists_valid_ids_and_closest(taxonomy: Taxonomy) -> None:
    with pytest.raises(UnknownTaxonomyValueError) as caught:
        taxonomy.stages.resolve("negotation", field="deal.stage")
    error = caught.value
    assert error.code == "unknown_stage"
    assert error.field == "deal.stage"
    assert error.closest == "negotiation"
    assert error.valid == taxonomy.stages.ids
    body = error.to_dict()["error"]
    assert isinstance(body, dict)
    assert body["valid"] == taxonomy.stages.ids
    assert "prospecting, discovery" in error.message


def test_unknown_value_with_no_close_match_has_no_hint(taxonomy: Taxonomy) -> None:
    with pytest.raises(UnknownTaxonomyValueError) as caught:
        taxonomy.verticals.resolve("zzzzqqq")
    assert caught.value.closest is None
    assert "Did you mean" not in caught.value.message


def test_a_company_can_replace_the_taxonomy(tmp_path: Path) -> None:
    custom = tmp_path / "taxonomy.yaml"
    facets = {
        name: f"{name}:\n  only_{name}:\n    label: Only\n    aliases: [x {name}]\n"
        for name in FACETS
    }
    custom.write_text("".join(facets.values()))
    taxonomy = load_taxonomy(custom)
    assert taxonomy.stages.ids == ["only_stages"]
    assert taxonomy.stages.resolve("X Stages") == "only_stages"
    with pytest.raises(UnknownTaxonomyValueError):
        taxonomy.stages.resolve("prospecting")


def test_alias_claimed_twice_is_a_configuration_error(tmp_path: Path) -> None:
    custom = tmp_path / "taxonomy.yaml"
    body = "  a:\n    aliases: [same]\n  b:\n    aliases: [Same!]\n"
    custom.write_text("".join(f"{name}:\n{body}" for name in FACETS))
    with pytest.raises(ConfigurationError, match="claimed by both"):
        load_taxonomy(custom)


def test_missing_facet_is_a_configuration_error(tmp_path: Path) -> None:
    custom = tmp_path / "taxonomy.yaml"
    custom.write_text("stages:\n  a: {}\n")
    with pytest.raises(ConfigurationError, match="lacks the facets"):
        load_taxonomy(custom)


def test_normalize() -> None:
    assert normalize("Id. Decision-Makers") == "iddecisionmakers"


def test_label_of_an_id(taxonomy: Taxonomy) -> None:
    assert taxonomy.stages.label("closed_won") == "Closed Won"
    assert taxonomy.personas.label("it_security") == "IT & Security"
    assert taxonomy.stages.label(None) == ""
    assert taxonomy.stages.label("custom") == "custom"
