"""Consistency check for a labelled evaluation library (reads data only, ranks nothing).

Usage:
  D=$(mktemp -d)
  PYTHONPATH=src ENABLEMENT_DATA_DIR=$D enablement ingest eval/libraries/NAME/catalog \
      --no-index --json --database-url sqlite:///$D/lib.db
  python eval/check_library.py eval/libraries/NAME $D/lib.db

Reads the library's deals.jsonl and the SQLite catalog the ingester wrote. Prints counts and every
problem, and exits non-zero on a problem. The rules: every labelled or already-shared id exists;
2-6 labels per deal, graded 1-3; no internal-only asset labelled for an external_only deal, no
expired asset, no already-shared asset, no asset in another language than the deal's; the
search_style, internal_ok and crm_stage tags match the deal; at least 35% search-style deals.
"""
from __future__ import annotations

import collections
import json
import sqlite3
import sys
from datetime import date
from pathlib import Path

CANON = {"prospecting", "discovery", "evaluation", "proposal", "negotiation", "closed_won"}
AS_OF = date(2026, 11, 25)


def load_assets(db_path: str) -> dict[str, dict]:
    con = sqlite3.connect(db_path)
    rows = con.execute(
        "select id, type, external, expires_at, language, stages, verticals, personas from assets"
    )
    return {
        aid: {"type": typ, "external": ext, "expires": exp, "language": lang,
              "stages": json.loads(st or "[]"), "verticals": json.loads(vt or "[]"),
              "personas": json.loads(pe or "[]")}
        for aid, typ, ext, exp, lang, st, vt, pe in rows
    }


def expired(asset: dict, as_of: date) -> bool:
    return bool(asset["expires"]) and date.fromisoformat(asset["expires"][:10]) < as_of


def deal_problems(d: dict, assets: dict[str, dict]) -> list[str]:
    did, deal, rel = d["id"], d["deal"], d["relevant"]
    as_of = date.fromisoformat(deal["as_of"])
    problems = []
    if not 2 <= len(rel) <= 6:
        problems.append(f"{did}: {len(rel)} relevant assets")
    fields = (deal["stage"], deal["vertical"], deal["persona"])
    search = all(field is None for field in fields) and bool(deal["questions"])
    if search != ("search_style" in d["tags"]):
        problems.append(f"{did}: search_style tag mismatch")
    if (not deal["external_only"]) != ("internal_ok" in d["tags"]):
        problems.append(f"{did}: internal_ok tag does not match external_only")
    if deal["stage"] is not None and deal["stage"] not in CANON and "crm_stage" not in d["tags"]:
        problems.append(f"{did}: crm stage not tagged")
    shared = deal["already_shared"]
    problems += [f"{did}: unknown shared asset {s}" for s in shared if s not in assets]
    for aid, grade in rel.items():
        a = assets.get(aid)
        if a is None:
            problems.append(f"{did}: unknown asset {aid}")
            continue
        if grade not in (1, 2, 3):
            problems.append(f"{did}: bad grade {grade} for {aid}")
        if deal["external_only"] and a["external"] == 0:
            problems.append(f"{did}: internal asset {aid} labelled for external_only deal")
        if expired(a, as_of):
            problems.append(f"{did}: expired asset {aid}")
        if aid in deal["already_shared"]:
            problems.append(f"{did}: already-shared asset {aid} labelled")
        language = deal.get("language")
        if language and a["language"] and _base(a["language"]) != _base(language):
            problems.append(f"{did}: asset {aid} in another language")
    return problems


def _base(language: str) -> str:
    return language.split("-")[0]


def main(library: str, db_path: str) -> int:
    assets = load_assets(db_path)
    lines = (Path(library) / "deals.jsonl").read_text().splitlines()
    deals = [json.loads(line) for line in lines if line.strip()]
    ids = collections.Counter(d["id"] for d in deals)
    problems = [f"{did}: duplicate id" for did, n in ids.items() if n > 1]
    for d in deals:
        problems += deal_problems(d, assets)
    tags = collections.Counter(tag for d in deals for tag in d["tags"])
    labelled = collections.Counter(aid for d in deals for aid in d["relevant"])
    share = tags["search_style"] / len(deals)
    if share < 0.35:
        problems.append(f"search_style share {share:.1%} < 35%")
    types = collections.Counter(a["type"] or "(none)" for a in assets.values())
    sparse = [i for i, a in assets.items()
              if sum(bool(a[k]) for k in ("stages", "verticals", "personas")) <= 1]
    print(f"assets: {len(assets)}  deals: {len(deals)}  search_style share: {share:.1%}")
    print("assets by type:", dict(sorted(types.items())))
    print("sparsely tagged assets (at most one of stages/verticals/personas):",
          f"{len(sparse)} ({len(sparse) / len(assets):.0%})")
    print("internal-only assets:", sum(1 for a in assets.values() if a["external"] == 0),
          " expired:", sum(1 for a in assets.values() if expired(a, AS_OF)))
    grades = collections.Counter(g for d in deals for g in d["relevant"].values())
    print("grades:", dict(sorted(grades.items())))
    print("deals by tag:", dict(tags.most_common()))
    print("assets never labelled:", len([a for a in assets if a not in labelled]))
    for p in problems:
        print("PROBLEM", p)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
