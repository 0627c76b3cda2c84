"""Example bodies for the OpenAPI document (real shapes, from the sample library)."""

from __future__ import annotations

from typing import Any

DEAL_EXAMPLE: dict[str, Any] = {
    "deal_id": "006Dn00000AbCdE",
    "stage": "Needs Analysis",
    "vertical": "healthcare",
    "persona": "operations",
    "products": ["workflow"],
    "questions": ["how fast can you turn around prior auths? we are at 5 days"],
    "already_shared": [],
    "external_only": True,
    "k": 5,
}

PASSAGE_EXAMPLE: dict[str, Any] = {
    "question_index": 0,
    "question": "do you sign a BAA?",
    "text": "Lumenfold signs a BAA with customers on the Enterprise edition.",
    "blocks": [
        {
            "kind": "text",
            "text": "Lumenfold signs a BAA with customers on the Enterprise edition.",
            "header": None,
            "rows": None,
        }
    ],
    "page": None,
    "slide": None,
    "heading_path": ["Who can sign a BAA"],
    "location": "Who can sign a BAA",
    "similarity": 0.636,
    "answers": True,
    "answer_score": 0.9712,
}
TABLE_BLOCK_EXAMPLE: dict[str, Any] = {
    "kind": "table",
    "text": None,
    "header": ["Metric", "Before", "After"],
    "rows": [["Prior auth turnaround", "5.2 days", "2.0 days"]],
}
ITEM_EXAMPLE: dict[str, Any] = {
    "rank": 1,
    "asset_id": "security-hipaa-baa-summary",
    "title": "HIPAA and BAA Summary",
    "type": "security_doc",
    "url": "https://content.example/hipaa-baa-summary",
    "external": True,
    "score": 0.96,
    "summary": "Answers “do you sign a BAA?” (Who can sign a BAA); The Healthcare version",
    "reasons": [
        {"code": "answers_question", "text": "Answers “do you sign a BAA?” (Who can sign a BAA)"},
        {"code": "vertical_variant", "text": "The Healthcare version"},
    ],
    "passages": [PASSAGE_EXAMPLE],
}
SENT_EXAMPLE: dict[str, Any] = {
    "asset_id": "faqs-buyer-faq",
    "title": "Buyer FAQ",
    "sent_at": "2026-11-23T15:02:11+00:00",
    "via": "sent",
    "buyer_views": 3,
    "last_viewed_at": "2026-11-25T08:41:37+00:00",
}
RESPONSE_EXAMPLE: dict[str, Any] = {
    "recommendation_id": "4b27a848e76a61997d66309d",
    "bundle_version": "v1-20261125T184844979110",
    "deal": {
        "deal_id": "006Dn00000AbCdE",
        "stage": "discovery",
        "stage_name": "Needs Analysis",
        "vertical": "healthcare",
        "persona": None,
        "products": [],
        "competitor": None,
        "questions": ["do you sign a BAA?"],
        "already_shared": [],
        "external_only": False,
        "language": None,
        "k": 3,
        "as_of": "2026-11-25",
    },
    "warnings": [],
    "questions": [
        {
            "question": "do you sign a BAA?",
            "question_index": 0,
            "answered": True,
            "answer_score": 0.9712,
        }
    ],
    "items": [ITEM_EXAMPLE],
    "already_sent": [SENT_EXAMPLE],
}
ASSET_EXAMPLE: dict[str, Any] = {
    "id": "security-hipaa-baa-summary",
    "title": "HIPAA and BAA Summary",
    "type": "security_doc",
    "url": "https://content.example/hipaa-baa-summary",
    "stages": ["evaluation", "negotiation"],
    "verticals": ["healthcare"],
    "personas": ["it_security", "procurement_legal"],
    "products": ["guard"],
    "competitors": [],
    "language": "en",
    "external": True,
    "owner": "li.wen@example.com",
    "updated_at": "2026-01-12",
    "expires_at": None,
    "format": "docx",
    "path": "security/hipaa-baa-summary.docx",
    "word_count": 542,
    "chunk_count": 5,
    "tag_sources": {
        "personas": {
            "source": "suggested",
            "by": "content-ops",
            "at": "2026-12-05T12:05:00+00:00",
            "values": ["it_security", "procurement_legal"],
        }
    },
}
JOB_EXAMPLE: dict[str, Any] = {
    "id": "9f1c2a7b3d4e5f60",
    "kind": "ingest",
    "state": "succeeded",
    "created_at": "2026-11-25T19:00:00+00:00",
    "updated_at": "2026-11-25T19:00:04+00:00",
    "params": {"path": "/srv/library"},
    "progress": {"done": 86, "total": 86},
    "node": "node-a:4121",
    "attempts": 1,
    "result": {
        "added": ["new-guide"],
        "changed": [],
        "unchanged": 85,
        "removed": [],
        "errors": [{"path": "broken.pdf", "reason": "corrupt PDF: ..."}],
        "index": {
            "version": "v42-20261125T190004123456",
            "path": "/srv/enablement/data/bundles/v42-20261125T190004123456",
            "assets": 86,
            "chunks": 1204,
            "encoded": 14,
            "dense_kind": "flat",
            "seconds": 3.912,
        },
    },
    "error": None,
}
ERROR_EXAMPLE: dict[str, Any] = {
    "error": {
        "code": "unknown_stage",
        "field": "stage",
        "closest": "negotiation",
        "message": "Unknown stage 'negotation'. Did you mean 'negotiation'? Valid values: ...",
        "valid": [
            "prospecting",
            "discovery",
            "evaluation",
            "proposal",
            "negotiation",
            "closed_won",
        ],
    }
}
TERM_EXAMPLE: dict[str, Any] = {
    "id": "proposal",
    "label": "Proposal",
    "aliases": ["proposal/price quote"],
}
