"""The API docs over HTTP, in process: only same-origin files, served, under the docs' CSP."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from enablement.web.pages import POLICY as PAGES_POLICY
from tests.api.conftest import ApiEnv


class _Links(HTMLParser):
    """Every URL a page loads (script src, link href), and its inline scripts' text."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if url is not None:
            self.urls.append(url)
        self._in_inline = tag == "script" and "src" not in found

    def handle_endtag(self, tag: str) -> None:
        self._in_inline = False

    def handle_data(self, data: str) -> None:
        if self._in_inline:
            self.inline.append(data)


def _policy(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize(("path", "files"), [("/docs", 3), ("/redoc", 2)])
def test_the_docs_load_only_files_this_server_serves(api: ApiEnv, path: str, files: int) -> None:
    page = api.client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "cdn." not in page.text and "googleapis" not in page.text
    links = _Links()
    links.feed(page.text)
    assert len(links.urls) == files, links.urls  # the UI's script (and CSS), the favicon
    for url in links.urls:
        assert url.startswith("/static/vendor/") and "//" not in url, url
        served = api.client.get(url)
        assert served.status_code == 200 and len(served.content) > 500, url
    assert "/openapi.json" in page.text
    assert api.client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_csp_allows_no_other_origin_and_only_their_own_inline_script(
    api: ApiEnv, path: str
) -> None:
    page = api.client.get(path)
    header = page.headers["Content-Security-Policy"]
    assert "http" not in header and "*" not in header
    policy = _policy(header)
    assert policy["default-src"] == policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    links = _Links()
    links.feed(page.text)
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
        for text in links.inline
    }
    assert policy["script-src"].split() == ["'self'", *sorted(hashes)]
    assert (path == "/docs") == bool(hashes)  # Swagger UI starts from an inline script
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_pages_keep_their_strict_policy(api: ApiEnv) -> None:
    """The docs' looser style-src and worker-src stay on the docs."""
    sidebar = _policy(api.client.get("/sidebar").headers["Content-Security-Policy"])
    assert [f"{k} {v}" for k, v in sidebar.items() if k != "frame-ancestors"] == list(PAGES_POLICY)
    assert "'unsafe-inline'" not in api.client.get("/dashboard").headers["Content-Security-Policy"]


def test_the_docs_follow_a_proxy_prefix(api: ApiEnv) -> None:
    api.client.app.root_path = "/enablement"  # type: ignore[attr-defined]
    try:
        text = api.client.get("/docs").text + api.client.get("/redoc").text
    finally:
        api.client.app.root_path = ""  # type: ignore[attr-defined]
    urls = re.findall(r'(?:src|href|url:|spec-url)=?\s*["\']([^"\']+)["\']', text)
    assert urls and all(url.startswith("/enablement/") for url in urls), urls


def test_the_vendored_docs_files_are_served_with_their_types(api: ApiEnv) -> None:
    for path, media in [
        ("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js", "text/javascript"),
        ("/static/vendor/swagger-ui-dist/swagger-ui.css", "text/css"),
        ("/static/vendor/swagger-ui-dist/favicon-32x32.png", "image/png"),
        ("/static/vendor/redoc/redoc.standalone.js", "text/javascript"),
    ]:
        response = api.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media), path
        assert b"cdn.redoc.ly" not in response.content  # ReDoc's logo is not fetched
