"""The API docs in Chromium: Swagger UI and ReDoc render every operation from the vendored files,
under the docs' CSP, with no request leaving this server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from enablement.api import create_app
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.api.server import running
from tests.fakes import HashingEncoder

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API (no bundle needed: the docs only read /openapi.json) on a loopback port."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("docs"))
    service = EnablementService(settings, encoder=HashingEncoder())
    with running(create_app(settings, service=service)) as base:
        yield base


@pytest.fixture(scope="module")
def operations(docs_server: str) -> list[dict[str, Any]]:
    document = httpx.get(f"{docs_server}/openapi.json").json()
    return [
        operation
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.fixture
def watched(browser: Any, docs_server: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page, every URL it requested and every console message or script error it had."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    console: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    yield page, requested, console
    context.close()


def _assert_stayed_home(base: str, requested: list[str], console: list[str]) -> None:
    """Every request went to this server (ReDoc's search worker: a blob: of its origin), and the
    console has no CSP refusal, error or warning."""
    origin = urlsplit(base)
    for url in requested:
        parts = urlsplit(url.removeprefix("blob:"))
        assert (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc), url
    assert not [m for m in console if m.startswith(("error", "warning", "pageerror"))], console
    assert not [m for m in console if "Content Security Policy" in m], console


def test_swagger_ui_renders_every_operation_offline(
    watched: tuple[Any, list[str], list[str]], docs_server: str, operations: list[dict[str, Any]]
) -> None:
    page, requested, console = watched
    page.goto(f"{docs_server}/docs")
    blocks = page.locator(".opblock")
    blocks.first.wait_for(timeout=30_000)
    assert blocks.count() == len(operations)
    assert page.locator("#operations-recommendations-recommend").is_visible()  # its operationId
    page.locator(".btn.authorize").click()  # the bearer scheme, ready for a key
    assert page.locator(".auth-container").filter(has_text="bearerAuth").is_visible()
    _assert_stayed_home(docs_server, requested, console)
    assert f"{docs_server}/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in requested


def test_redoc_renders_every_operation_offline(
    watched: tuple[Any, list[str], list[str]], docs_server: str, operations: list[dict[str, Any]]
) -> None:
    page, requested, console = watched
    page.goto(f"{docs_server}/redoc")
    headings = page.locator("[data-section-id^='operation/'] h2")
    headings.first.wait_for(timeout=30_000)
    assert headings.count() == len(operations)
    assert "Recommend" in headings.all_inner_texts()
    page.wait_for_timeout(500)  # the search worker starts after the first render
    _assert_stayed_home(docs_server, requested, console)
    assert any(url.startswith(f"blob:{docs_server}/") for url in requested)  # it did start
    assert f"{docs_server}/static/vendor/redoc/redoc.standalone.js" in requested
