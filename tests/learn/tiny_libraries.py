"""Three tiny libraries on disk (catalog/ + deals.jsonl each), with disjoint deal and asset ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# name -> (asset file -> front matter + text)
CATALOGS: dict[str, dict[str, str]] = {
    "alpha": {
        "alpha-security.md": "---\ntitle: Alpha Security FAQ\ntype: faq\npersonas: [it_security]\n"
        "---\nAlpha data is encrypted at rest and you can bring your own keys.",
        "alpha-pricing.md": "---\ntitle: Alpha Pricing\ntype: pricing_guide\nstages: [proposal]\n"
        "---\nAlpha costs forty dollars per seat per month.",
        "alpha-case.md": "---\ntitle: Alpha Hospital Story\ntype: case_study\n"
        "verticals: [healthcare]\n---\nA hospital cut intake time in half with Alpha.",
    },
    "bravo": {
        "bravo-onboarding.md": "---\ntitle: Bravo Onboarding Guide\ntype: implementation_guide\n"
        "stages: [closed_won]\n---\nBravo onboarding takes two weeks with a named engineer.",
        "bravo-roi.md": "---\ntitle: Bravo ROI Model\ntype: roi_calculator\n---\n"
        "Bravo pays back in six months through fewer manual approvals.",
        "bravo-sso.md": "---\ntitle: Bravo SSO Setup\ntype: security_doc\n---\n"
        "Bravo supports single sign-on with SAML and SCIM provisioning.",
    },
    "charlie": {
        "charlie-overview.md": "---\ntitle: Charlie Overview Deck\ntype: deck\n"
        "stages: [discovery]\n---\nCharlie schedules field crews and tracks outages.",
        "charlie-battlecard.md": "---\ntitle: Charlie vs Oxley\ntype: battlecard\n"
        "competitors: [oxley]\n---\nOxley takes nine months; Charlie goes live in six weeks.",
        "charlie-faq.md": "---\ntitle: Charlie Buyer FAQ\ntype: faq\n---\n"
        "Charlie works offline on tablets and syncs when crews return.",
    },
}

# name -> [(deal id, questions, stage, relevant)]
DEALS: dict[str, list[tuple[str, list[str], str | None, dict[str, int]]]] = {
    "alpha": [
        ("A1", ["is our data encrypted at rest"], None, {"alpha-security": 3}),
        ("A2", ["what does it cost per seat"], "proposal", {"alpha-pricing": 3}),
    ],
    "bravo": [
        ("B1", ["how long does onboarding take"], None, {"bravo-onboarding": 3}),
        ("B2", ["do you support single sign-on"], "evaluation", {"bravo-sso": 2}),
    ],
    "charlie": [
        ("C1", ["does it work offline on tablets"], None, {"charlie-faq": 3}),
        ("C2", [], "discovery", {"charlie-overview": 2}),
    ],
}


def deal_row(
    deal_id: str, questions: list[str], stage: str | None, relevant: dict[str, int]
) -> str:
    deal: dict[str, Any] = {"stage": stage, "vertical": None, "persona": None}
    deal |= {"questions": questions, "external_only": False, "as_of": "2026-06-01"}
    return json.dumps({"id": deal_id, "tags": [], "deal": deal, "relevant": relevant})


def write_library(root: Path, name: str) -> Path:
    """`root/name/catalog/*.md` and `root/name/deals.jsonl`; returns the library folder."""
    folder = root / name
    (folder / "catalog").mkdir(parents=True)
    for file, text in CATALOGS[name].items():
        (folder / "catalog" / file).write_text(text)
    rows = [deal_row(*deal) for deal in DEALS[name]]
    (folder / "deals.jsonl").write_text("\n".join(rows) + "\n")
    return folder


def write_libraries(root: Path) -> Path:
    for name in CATALOGS:
        write_library(root, name)
    return root
