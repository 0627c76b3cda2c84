"""Share links never leak internal content: who may share what, what a buyer receives, the
headers on every /s/ response, and views counted once per browser, on both stores."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from enablement.catalog.build import BuildOptions
from enablement.catalog.store import Actor
from enablement.db import tables
from tests.api.conftest import ApiEnv, make_env
from tests.conftest import CATALOG

SECRETS = ("@example.com", "internal_notes", "margin is 42%", "owner:", "external:", "---")
NOTES = "internal_notes: margin is 42%, never tell the buyer\n"
SIDECAR = "external: true\nowner: owner@example.com\n" + NOTES
EXTRA = {
    "front.md": "---\ntitle: Front\nexternal: true\nowner: owner@example.com\n"
    + NOTES
    + "---\n# Front matter hidden\n\nThe public body of a markdown file.",
    "brochure.txt": "Brochure\n\nThe public body of a text file.",
    "brochure.txt.meta.yaml": SIDECAR,
    "fronted.txt": "---\nowner: owner@example.com\n" + NOTES + "---\nThe public body of a text.",
    "fronted.txt.meta.yaml": "external: true\n",
    "page.html": "<html><head><title>Page</title><script>alert(1)</script></head><body>"
    "<h1>Heading</h1><p>The public body of a web page.</p><img src=x onerror=alert(2)></body>",
    "page.html.meta.yaml": SIDECAR,
    "guide.pdf.meta.yaml": SIDECAR,
    "template.docx.meta.yaml": SIDECAR,
    "linked.md": "---\nexternal: true\nurl: https://content.example.com/linked\n---\nA draft.",
}
ROWS = [
    {"id": "row-text", "title": "Row", "text": "The public body of a manifest row.",
     "external": True, "owner": "owner@example.com", "internal_notes": "margin is 42%"},
]  # fmt: skip
TEXT_ASSETS = ["front", "brochure", "fronted", "page", "row-text"]
CHROME = {"User-Agent": "Mozilla/5.0 Chrome/131.0"}


@pytest.fixture
def env(tmp_path: Path, build_options: BuildOptions, database_url: str) -> Iterator[ApiEnv]:
    """The small library plus files with metadata to hide, in SQLite or PostgreSQL."""
    env = make_env(tmp_path, build_options, database_url=database_url)
    library = tmp_path / "library"
    for name, text in EXTRA.items():
        (library / name).write_text(text)
    shutil.copy(CATALOG / "implementation/launchpad-methodology.pdf", library / "guide.pdf")
    shutil.copy(CATALOG / "roi/business-case-template.docx", library / "template.docx")
    (library / "rows.jsonl").write_text("\n".join(json.dumps(row) for row in ROWS) + "\n")
    summary = env.service.ingest(library)
    assert summary.reports == [], summary.reports
    yield env
    env.client.close()
    env.service.close()


def share(env: ApiEnv, asset_id: str, **headers: str) -> httpx.Response:
    body = {"deal_id": "d1", "asset_id": asset_id}
    return env.client.post("/v1/share-links", json=body, headers=env.auth("rep") | headers)


def link_path(env: ApiEnv, asset_id: str) -> str:
    made = share(env, asset_id)
    assert made.status_code == 201, made.text
    url: str = made.json()["url"]
    assert url.startswith(f"{env.settings.public_url}/s/")
    return url.removeprefix(env.settings.public_url)


def set_asset(env: ApiEnv, asset_id: str, **values: object) -> None:
    with env.service.engine.begin() as connection:
        connection.execute(
            update(tables.assets).where(tables.assets.c.id == asset_id).values(**values)
        )


def views(env: ApiEnv) -> int:
    links = env.client.get("/v1/share-links?deal_id=d1", headers=env.auth("rep")).json()["items"]
    return sum(link["views"] for link in links)


@pytest.mark.parametrize(
    ("asset_id", "why"),
    [
        ("battlecard-brightwell", "internal only"),  # external: false
        ("notes", "not marked external: true"),  # no external field at all
        ("pricing-old", "expired on 2024-12-31"),
    ],
)
def test_internal_unmarked_and_expired_assets_cannot_be_shared(
    env: ApiEnv, asset_id: str, why: str
) -> None:
    refused = share(env, asset_id)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "not_shareable" and error["field"] == "asset_id"
    assert why in error["message"] and asset_id in error["message"]
    with env.service.engine.connect() as connection:
        assert connection.execute(select(tables.share_links)).first() is None


def test_an_asset_expiring_today_can_still_be_shared(env: ApiEnv) -> None:
    set_asset(env, "security-faq", expires_at=datetime.now(UTC).date())
    assert share(env, "security-faq").status_code == 201
    set_asset(env, "security-faq", expires_at=datetime.now(UTC).date() - timedelta(days=1))
    assert share(env, "security-faq").status_code == 422


@pytest.mark.parametrize(
    "change",
    [{"external": False}, {"external": None}, {"expires_at": date(2020, 1, 1)}],
    ids=["internal", "unmarked", "expired"],
)
def test_a_link_whose_asset_stopped_being_shareable_shows_no_longer_available(
    env: ApiEnv, change: dict[str, object]
) -> None:
    path = link_path(env, "security-faq")
    assert env.client.get(path, headers=CHROME).status_code == 200
    set_asset(env, "security-faq", **change)
    gone = env.client.get(path, headers=CHROME)
    assert gone.status_code == 410 and gone.headers["content-type"].startswith("text/html")
    assert "no longer available" in gone.text and "encrypted" not in gone.text
    env.client.cookies.clear()  # a new browser: it would count, were the asset still shareable
    env.client.get(path, headers=CHROME)
    assert views(env) == 1


@pytest.mark.parametrize("asset_id", TEXT_ASSETS)
def test_a_buyer_gets_the_text_without_front_matter_sidecar_or_extra_fields(
    env: ApiEnv, asset_id: str
) -> None:
    got = env.client.get(link_path(env, asset_id), headers=CHROME)
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert "The public body of a" in got.text
    assert not [secret for secret in SECRETS if secret in got.text]
    assert "<" not in got.text  # HTML is never served as HTML: only its text


def test_an_html_page_keeps_its_headings_as_text(env: ApiEnv) -> None:
    got = env.client.get(link_path(env, "page"), headers=CHROME)
    assert got.text == "Heading\n\nThe public body of a web page.\n"


def test_a_pdf_is_served_as_it_is_and_office_files_as_attachments(env: ApiEnv) -> None:
    pdf = env.client.get(link_path(env, "guide"), headers=CHROME)
    assert (
        pdf.status_code == 200
        and pdf.content == (CATALOG / "implementation/launchpad-methodology.pdf").read_bytes()
    )
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    docx = env.client.get(link_path(env, "template"), headers=CHROME)
    assert docx.content == (CATALOG / "roi/business-case-template.docx").read_bytes()
    assert docx.headers["content-type"].endswith("wordprocessingml.document")
    assert docx.headers["content-disposition"] == 'attachment; filename="template.docx"'


def test_an_asset_with_a_url_redirects_there_and_only_to_http(env: ApiEnv) -> None:
    path = link_path(env, "linked")
    moved = env.client.get(path, headers=CHROME, follow_redirects=False)
    assert moved.status_code == 302
    assert moved.headers["location"] == "https://content.example.com/linked"
    for bad in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//x.com"):
        set_asset(env, "linked", url=bad)
        served = env.client.get(path, headers=CHROME, follow_redirects=False)
        assert served.status_code == 200 and "location" not in served.headers
        assert served.text == "A draft.\n"  # the file, without its front matter


def test_links_are_built_on_the_public_url_not_the_host_header(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = make_env(tmp_path, build_options, public_url="https://share.example.com/enb/")
    made = share(env, "security-faq", Host="evil.example")
    assert made.status_code == 201
    assert made.json()["url"].startswith("https://share.example.com/enb/s/")
    moved = env.client.get("/sidebar/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == "https://share.example.com/enb/sidebar"
    env.client.close()
    env.service.close()


def test_every_kind_of_s_response_carries_the_protective_headers(env: ApiEnv) -> None:
    revoked = share(env, "security-faq").json()
    env.client.post(f"/v1/share-links/{revoked['id']}:revoke", headers=env.auth("rep"))
    gone = link_path(env, "pricing-public")
    set_asset(env, "pricing-public", external=False)
    responses = {
        "text": env.client.get(link_path(env, "security-faq")),
        "pdf": env.client.get(link_path(env, "guide")),
        "docx": env.client.get(link_path(env, "template")),
        "redirect": env.client.get(link_path(env, "linked"), follow_redirects=False),
        "unknown": env.client.get("/s/not-a-real-token"),
        "revoked": env.client.get(revoked["url"].removeprefix(env.settings.public_url)),
        "asset gone": env.client.get(gone),
    }
    assert [r.status_code for r in responses.values()] == [200, 200, 200, 302, 404, 410, 410]
    for kind, response in responses.items():
        headers = response.headers
        assert headers["referrer-policy"] == "no-referrer", kind
        assert headers["x-content-type-options"] == "nosniff", kind
        assert "frame-ancestors 'none'" in headers["content-security-policy"], kind
        assert headers["cache-control"] == "private, no-store", kind
    assert "sandbox" in responses["text"].headers["content-security-policy"]


def test_reloads_by_one_browser_count_once_and_another_browser_counts_again(
    env: ApiEnv,
) -> None:
    path = link_path(env, "security-faq")
    for _ in range(20):
        assert env.client.get(path, headers=CHROME).status_code == 200
    cookie = env.client.cookies.get("enb_visitor")
    assert cookie and views(env) == 1
    env.client.cookies.clear()
    env.client.get(path, headers=CHROME)
    assert views(env) == 2
    with env.service.engine.connect() as connection:
        events = connection.execute(select(tables.events.c.type)).scalars().all()
    assert events.count("buyer_viewed") == 2


def test_a_head_probe_is_answered_and_never_counts(env: ApiEnv) -> None:
    path = link_path(env, "security-faq")
    for _ in range(3):  # mail gateways and link checkers probe with HEAD, often with a browser UA
        probe = env.client.head(path, headers=CHROME)
        assert probe.status_code == 200 and probe.content == b""
        assert probe.headers["referrer-policy"] == "no-referrer"
    assert views(env) == 0
    assert env.client.head("/s/not-a-real-token").status_code == 404
    assert env.client.get(path, headers=CHROME).status_code == 200
    assert views(env) == 1


def test_a_reload_after_thirty_minutes_counts_again(env: ApiEnv) -> None:
    path = link_path(env, "security-faq")
    env.client.get(path, headers=CHROME)
    env.client.get(path, headers=CHROME)
    assert views(env) == 1
    with env.service.engine.begin() as connection:
        connection.execute(
            update(tables.link_views).values(counted_at=datetime.now(UTC) - timedelta(minutes=29))
        )
    env.client.get(path, headers=CHROME)
    assert views(env) == 1
    with env.service.engine.begin() as connection:
        connection.execute(
            update(tables.link_views).values(counted_at=datetime.now(UTC) - timedelta(minutes=31))
        )
    env.client.get(path, headers=CHROME)
    assert views(env) == 2


@pytest.mark.parametrize("forged", ["x", "a" * 5000, "<script>", "a" * 21 + "!", "é" * 22])
def test_a_forged_cookie_is_ignored_and_replaced(env: ApiEnv, forged: str) -> None:
    path = link_path(env, "security-faq")
    cookie = {"Cookie": f"enb_visitor={forged}".encode()} | CHROME
    first = env.client.get(path, headers=cookie)
    assert first.status_code == 200
    fresh = first.cookies["enb_visitor"]
    assert fresh != forged and len(fresh) == 22
    assert views(env) == 1


def test_the_visitor_cookie_is_scoped_to_share_links(env: ApiEnv) -> None:
    got = env.client.get(link_path(env, "security-faq"), headers=CHROME)
    cookie = got.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/s/" in cookie
    assert "max-age=1800" in cookie


def test_link_checkers_never_count(env: ApiEnv) -> None:
    path = link_path(env, "security-faq")
    for _ in range(3):
        env.client.cookies.clear()
        env.client.get(path, headers={"User-Agent": "Microsoft SafeLinks scanner"})
    assert views(env) == 0


@pytest.mark.parametrize(
    "front",
    [
        "---\nowner: owner@example.com\n" + NOTES + "title: [unclosed\n---\n",  # invalid YAML
        "---\nowner: owner@example.com\n" + NOTES + "updated_at: 2026-02-30\n---\n",  # bad date
        "---\nowner: owner@example.com\n" + NOTES + "x: " + "[" * 5000 + "]" * 5000 + "\n---\n",
        "---\nowner: owner@example.com\n" + NOTES,  # never closed
    ],
    ids=["invalid-yaml", "impossible-date", "too-deep", "never-closed"],
)
def test_front_matter_that_went_bad_after_ingest_is_never_served(env: ApiEnv, front: str) -> None:
    """The buyer's copy is read again at each open: an edit since ingest that breaks the front
    matter must neither serve it raw (owner, internal notes) nor make /s/ a 500."""
    path = link_path(env, "front")
    file = env.settings.library_roots[0] / "front.md"
    file.write_text(front + "# Front matter hidden\n\nThe public body of a markdown file.")
    got = env.client.get(path, headers=CHROME)
    assert got.status_code in (200, 404, 410), got.text
    assert not [secret for secret in SECRETS if secret in got.text]
    if got.status_code == 200:
        assert "The public body of a" in got.text


def test_the_reps_own_opens_are_not_buyer_views_and_a_buyers_are(env: ApiEnv) -> None:
    made = share(env, "security-faq").json()
    path = made["url"].removeprefix(env.settings.public_url)
    preview = made["preview_url"].removeprefix(env.settings.public_url)
    assert preview == f"{path}?preview={made['id']}"

    rep = env.client.get(preview, headers=CHROME)  # the sidebar's Preview: the rep's own open
    assert rep.status_code == 200 and "encrypted at rest" in rep.text
    assert views(env) == 0
    (sender,) = [c for c in rep.headers.get_list("set-cookie") if c.startswith("enb_sender=")]
    assert f"enb_sender={made['id']};" in sender and f"Path={path};" in sender
    assert "httponly" in sender.lower() and "samesite=lax" in sender.lower()
    # Later, the rep clicks the plain link in their sent mail: the same browser, still the rep.
    assert env.client.get(path, headers=CHROME).status_code == 200
    assert views(env) == 0

    env.client.cookies.clear()  # the buyer's browser
    assert env.client.get(path, headers=CHROME).status_code == 200
    assert views(env) == 1
    with env.service.engine.connect() as connection:
        events = connection.execute(select(tables.events.c.type)).scalars().all()
    assert events.count("buyer_viewed") == 1


@pytest.mark.parametrize("marker", ["other-link", "0123456789abcdef", "é" * 16, "x" * 5000, ""])
def test_a_wrong_preview_marker_is_a_buyer_view(env: ApiEnv, marker: str) -> None:
    other = share(env, "security-faq").json()["id"]
    path = link_path(env, "security-faq")
    value = other if marker == "other-link" else marker
    opened = env.client.get(path, params={"preview": value}, headers=CHROME)
    assert opened.status_code == 200
    assert not [c for c in opened.headers.get_list("set-cookie") if c.startswith("enb_sender=")]
    assert views(env) == 1
    # A sender cookie for another link, sent to this one, is no marker either.
    env.client.cookies.clear()
    forged = {"Cookie": f"enb_sender={other}"} | CHROME
    env.client.get(path, headers=forged)
    assert views(env) == 2


def test_the_link_of_a_removed_document_is_gone_and_never_throttles_its_reader(
    env: ApiEnv,
) -> None:
    """A buyer refreshing a withdrawn document is not guessing tokens: 410 every time, never
    counted against the address's failed sign-ins (only links that do not exist are)."""
    path = link_path(env, "security-faq")
    env.service.remove(["security-faq"], actor=Actor("t-admin", "api"))
    statuses = {env.client.get(path).status_code for _ in range(40)}
    assert statuses == {410}
    body = env.client.get(path).text
    assert "withdrawn" in body


def test_every_timestamp_in_a_response_is_written_alike(env: ApiEnv) -> None:
    """ "…+00:00", as the CLI, the audit log and the README write them; never pydantic's "…Z"."""
    made = share(env, "security-faq").json()
    listed = env.client.get("/v1/share-links?deal_id=d1", headers=env.auth("rep")).json()
    stamps = [made["created_at"], *(item["created_at"] for item in listed["items"])]
    stamps += [made["expires_at"]] if made.get("expires_at") else []
    assert stamps and all(stamp.endswith("+00:00") for stamp in stamps), stamps
    schema = env.client.get("/openapi.json").json()["components"]["schemas"]["ShareLinkOut"]
    assert schema["properties"]["created_at"]["format"] == "date-time"
