"""Check the Tessaline HR evaluation library's labels against an ingested catalog.

Reads only data: deals.jsonl beside this file and the SQLite database written by
`enablement ingest catalog --no-index --database-url sqlite:///PATH`. Ranks nothing.

    python check.py /tmp/tessaline.db
"""
import collections
import datetime as dt
import json
import pathlib
import sqlite3
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main(db_path: str) -> int:
    con = sqlite3.connect(db_path)
    assets = {
        row[0]: {"external": row[1], "expires_at": row[2], "type": row[3],
                 "sparse": row[4] == "[]" and row[5] == "[]" and row[6] == "[]"}
        for row in con.execute("select id, external, expires_at, type, stages, verticals, personas from assets")
    }
    deals = [json.loads(line) for line in (HERE / "deals.jsonl").read_text().splitlines() if line.strip()]
    problems = []
    tags = collections.Counter()
    ids = set()
    for d in deals:
        deal, rel = d["deal"], d["relevant"]
        if d["id"] in ids:
            problems.append(f"{d['id']}: duplicate id")
        ids.add(d["id"])
        tags.update(d["tags"])
        as_of = dt.date.fromisoformat(deal["as_of"])
        if not 2 <= len(rel) <= 6:
            problems.append(f"{d['id']}: {len(rel)} relevant assets")
        for aid, grade in rel.items():
            a = assets.get(aid)
            if a is None:
                problems.append(f"{d['id']}: unknown asset {aid}")
                continue
            if grade not in (1, 2, 3):
                problems.append(f"{d['id']}: grade {grade} for {aid}")
            if deal["external_only"] and a["external"] == 0:
                problems.append(f"{d['id']}: internal asset {aid} labelled on an external_only deal")
            if a["expires_at"] and dt.date.fromisoformat(a["expires_at"][:10]) < as_of:
                problems.append(f"{d['id']}: expired asset {aid} labelled")
            if aid in deal["already_shared"]:
                problems.append(f"{d['id']}: already-shared asset {aid} labelled")
        for aid in deal["already_shared"]:
            if aid not in assets:
                problems.append(f"{d['id']}: unknown already_shared asset {aid}")
        search = bool(deal["questions"]) and deal["stage"] is None and deal["vertical"] is None and deal["persona"] is None
        if search != ("search_style" in d["tags"]):
            problems.append(f"{d['id']}: search_style tag does not match the deal")
        if (not deal["external_only"]) != ("internal_ok" in d["tags"]):
            problems.append(f"{d['id']}: internal_ok tag does not match external_only")
    share = tags["search_style"] / len(deals)
    if share < 0.35:
        problems.append(f"search-style share {share:.1%} is below 35%")
    labelled = collections.Counter(a for d in deals for a in d["relevant"])
    print(f"assets: {len(assets)} ({sum(a['sparse'] for a in assets.values())} with no stages/verticals/personas, "
          f"{sum(a['external'] == 0 for a in assets.values())} internal-only, "
          f"{sum(bool(a['expires_at']) and a['expires_at'][:10] < '2026-11-25' for a in assets.values())} expired)")
    print("assets by type:", dict(sorted(collections.Counter(a["type"] or "(none)" for a in assets.values()).items())))
    print(f"deals: {len(deals)}; search-style share {share:.1%}; assets labelled at least once: {len(labelled)}")
    print("grades:", dict(sorted(collections.Counter(g for d in deals for g in d["relevant"].values()).items())))
    print("tags:", dict(tags.most_common()))
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tessaline.db"))
