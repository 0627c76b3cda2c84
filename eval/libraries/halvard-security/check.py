"""Consistency check for the halvard-security evaluation library (reads data only, ranks nothing).

Usage:
  PYTHONPATH=src ENABLEMENT_DATA_DIR=$(mktemp -d) enablement ingest eval/libraries/halvard-security/catalog \
      --no-index --json --database-url sqlite:////tmp/halvard.db
  python eval/libraries/halvard-security/check.py /tmp/halvard.db
"""
from __future__ import annotations

import collections
import json
import sqlite3
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
CANON = {"prospecting", "discovery", "evaluation", "proposal", "negotiation", "closed_won"}


def main(db_path: str) -> int:
    con = sqlite3.connect(db_path)
    assets = {}
    for aid, typ, ext, exp, lang, st, vt, pe in con.execute(
        "select id, type, external, expires_at, language, stages, verticals, personas from assets"
    ):
        assets[aid] = dict(type=typ, external=ext, expires=exp, language=lang,
                           stages=json.loads(st or "[]"), verticals=json.loads(vt or "[]"),
                           personas=json.loads(pe or "[]"))
    deals = [json.loads(line) for line in (HERE / "deals.jsonl").read_text().splitlines() if line.strip()]
    problems = []
    ids = set()
    tags = collections.Counter()
    labelled = collections.Counter()
    for d in deals:
        did, deal, rel = d["id"], d["deal"], d["relevant"]
        if did in ids:
            problems.append(f"{did}: duplicate id")
        ids.add(did)
        tags.update(d["tags"])
        as_of = date.fromisoformat(deal["as_of"])
        if not 2 <= len(rel) <= 6:
            problems.append(f"{did}: {len(rel)} relevant assets")
        search = deal["stage"] is None and deal["vertical"] is None and deal["persona"] is None and deal["questions"]
        if bool(search) != ("search_style" in d["tags"]):
            problems.append(f"{did}: search_style tag mismatch")
        if deal["stage"] is not None and deal["stage"] not in CANON and "crm_stage" not in d["tags"]:
            problems.append(f"{did}: crm stage not tagged")
        for s in deal["already_shared"]:
            if s not in assets:
                problems.append(f"{did}: unknown shared asset {s}")
        for aid, g in rel.items():
            labelled[aid] += 1
            a = assets.get(aid)
            if a is None:
                problems.append(f"{did}: unknown asset {aid}")
                continue
            if g not in (1, 2, 3):
                problems.append(f"{did}: bad grade {g} for {aid}")
            if deal["external_only"] and a["external"] == 0:
                problems.append(f"{did}: internal asset {aid} labelled for external_only deal")
            if a["expires"] and date.fromisoformat(a["expires"][:10]) < as_of:
                problems.append(f"{did}: expired asset {aid}")
            if aid in deal["already_shared"]:
                problems.append(f"{did}: already-shared asset {aid} labelled")
            if deal.get("language") and a["language"] and a["language"].split("-")[0] != deal["language"].split("-")[0]:
                problems.append(f"{did}: asset {aid} in another language")
    n = len(deals)
    share = tags["search_style"] / n
    if share < 0.35:
        problems.append(f"search_style share {share:.1%} < 35%")
    types = collections.Counter(a["type"] or "(none)" for a in assets.values())
    sparse = [i for i, a in assets.items()
              if sum(bool(a[k]) for k in ("stages", "verticals", "personas")) <= 1]
    print(f"assets: {len(assets)}  deals: {n}  search_style share: {share:.1%}")
    print("assets by type:", dict(sorted(types.items())))
    print(f"sparsely tagged assets (at most one of stages/verticals/personas): {len(sparse)} ({len(sparse)/len(assets):.0%})")
    print("internal-only assets:", sum(1 for a in assets.values() if a["external"] == 0),
          " expired:", sum(1 for a in assets.values() if a["expires"] and date.fromisoformat(a["expires"][:10]) < date(2026, 11, 25)))
    print("deals by tag:", dict(sorted(tags.items(), key=lambda kv: -kv[1])))
    print("assets never labelled:", len([a for a in assets if a not in labelled]))
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/halvard.db"))
