"""Provenance and text on real files of each format from the sample library."""

from pathlib import Path

from enablement.catalog.loaders import Limits, format_for
from enablement.catalog.models import Document
from tests.conftest import CATALOG


def load(relative: str) -> Document:
    path = CATALOG / relative
    return format_for(Path(relative).suffix).load(path.read_bytes(), Limits())


def test_pdf_sections_carry_their_page() -> None:
    document = load("case-studies/meridian-health-partners.pdf")
    assert document.title == "Meridian Health Partners Cuts Prior Authorization Time by 62%"
    pages = {section.page: section.text for section in document.sections}
    assert sorted(pages) == [1, 2, 3]
    assert "The solution" in pages[2] and "The solution" not in pages[1]
    assert "5.2 days" in pages[3]  # the results table is on the last page
    assert all(section.slide is None for section in document.sections)


def test_pptx_sections_carry_their_slide_tables_and_notes() -> None:
    document = load("decks/technical-architecture.pptx")
    by_slide = {section.slide: section for section in document.sections}
    assert sorted(by_slide) == list(range(1, 9))
    regions = by_slide[3]
    assert regions.heading_path == ("Hosting regions",)
    assert "EU | Frankfurt" in regions.text  # a table is text too
    assert "Speaker notes:" in by_slide[2].text
    assert document.title == "Technical Architecture and Security Deep Dive"


def test_markdown_sections_carry_their_heading_path() -> None:
    document = load("datasheets/lumenfold-workflow-retail.md")
    assert document.front_matter["type"] == "datasheet"
    paths = {section.heading_path: section.text for section in document.sections}
    path = (
        "Lumenfold Workflow for Retail",
        "Processes we automate",
        "Promotion and markdown approvals",
    )
    assert "category manager" in paths[path]
    assert not any("type: datasheet" in text for text in paths.values())


def test_docx_headings_and_tables() -> None:
    document = load("case-studies/crestline-credit-union.docx")
    results = [s for s in document.sections if s.heading_path[-1:] == ("The results",)]
    assert results and "Disputes missing a Reg E deadline | 7% | 0.3%" in results[0].text
    nested = [s for s in document.sections if len(s.heading_path) == 3]
    assert nested and nested[0].heading_path[1] == "The challenge"


def test_html_headings() -> None:
    document = load("case-studies/pinecrest-outfitters.html")
    assert document.title == "Pinecrest Outfitters Opens Stores 3 Weeks Faster"
    headings = [s.heading_path[-1] for s in document.sections]
    assert "The results" in headings
    results = next(s for s in document.sections if s.heading_path[-1] == "The results")
    assert "14 weeks | 11 weeks" in results.text


def test_text_title_is_its_first_line() -> None:
    document = load("security/sso-and-scim-setup.txt")
    assert document.title == "SSO and SCIM Setup Notes"
