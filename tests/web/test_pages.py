"""The pages over HTTP, in process: security headers, the rendered settings, static files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from enablement.api import create_app
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.web.pages import STATIC
from tests.fakes import HashingEncoder


def client(tmp_path: Path, **overrides: object) -> TestClient:
    settings = Settings(data_dir=tmp_path, **overrides)  # type: ignore[arg-type]
    return TestClient(
        create_app(settings, service=EnablementService(settings, encoder=HashingEncoder()))
    )


@pytest.mark.parametrize("page", ["sidebar", "dashboard"])
def test_the_pages_are_framed_only_by_the_configured_origins(tmp_path: Path, page: str) -> None:
    crm = ["'self'", "https://*.lightning.force.com", "https://app.hubspot.com"]
    response = client(tmp_path, frame_ancestors=crm).get(f"/{page}")
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == " ".join(crm)
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    if page != "sidebar":
        return
    # The sidebar learns the same list, to check where postMessages come from.
    assert (
        '<meta name="enablement-frame-ancestors" content="&#x27;self&#x27; '
        'https://*.lightning.force.com https://app.hubspot.com">' in response.text
    )


@pytest.mark.parametrize("page", ["sidebar", "dashboard"])
def test_the_default_is_same_origin_only(tmp_path: Path, page: str) -> None:
    policy = client(tmp_path).get(f"/{page}").headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors 'self'")


@pytest.mark.parametrize("page", ["sidebar", "dashboard"])
def test_the_page_has_no_inline_script_or_style(tmp_path: Path, page: str) -> None:
    html = client(tmp_path).get(f"/{page}").text
    assert "<style" not in html and " style=" not in html
    scripts = html.split("<script")[1:]
    assert scripts and all(' src="/static/' in part.split(">", 1)[0] for part in scripts)
    # Every file the page names is served (a typo would only show up in a browser).
    api = client(tmp_path)
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert api.get(path).status_code == 200, path


def test_static_files_and_vendored_libraries_are_served(tmp_path: Path) -> None:
    api = client(tmp_path)
    for path, media in [
        ("/static/js/sidebar.js", "text/javascript"),
        ("/static/css/sidebar.css", "text/css"),
        ("/static/vendor/axe-core/axe.min.js", "text/javascript"),
        ("/static/vendor/chart.js/chart.umd.min.js", "text/javascript"),
        ("/static/vendor/chartjs-chart-matrix/chartjs-chart-matrix.min.js", "text/javascript"),
        ("/static/js/dashboard.js", "text/javascript"),
        ("/static/css/dashboard.css", "text/css"),
    ]:
        response = api.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media), path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-cache"
        again = api.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304, path


def test_vendored_libraries_carry_their_licences_and_versions() -> None:
    vendor = STATIC / "vendor"
    assert (vendor / "axe-core" / "LICENSE").read_text().startswith("Mozilla Public License")
    assert "MIT" in (vendor / "chart.js" / "LICENSE.md").read_text()
    assert "MIT License" in (vendor / "chartjs-chart-matrix" / "LICENSE").read_text()
    versions = (vendor / "VERSIONS").read_text()
    assert "axe-core 4." in versions and "chart.js 4." in versions
    assert "chartjs-chart-matrix 3." in versions
    assert "Chart.js v4." in (vendor / "chart.js" / "chart.umd.min.js").read_text()[:200]
    matrix = vendor / "chartjs-chart-matrix" / "chartjs-chart-matrix.min.js"
    assert "chartjs-chart-matrix v3." in matrix.read_text()[:200]


@pytest.mark.parametrize("page", ["sidebar", "dashboard"])
def test_the_page_weight_stays_small(page: str) -> None:
    """HTML, CSS and our own JavaScript (not the vendored libraries) under 200 KB."""
    own = [STATIC / "css" / f"{page}.css", *sorted((STATIC / "js").glob("*.js"))]
    template = STATIC.parent / "templates" / f"{page}.html"
    total = sum(path.stat().st_size for path in [template, *own])
    assert total < 200_000, total


def test_every_web_file_is_package_data() -> None:
    """A non-editable install serves the pages too: pyproject's package-data names each file."""
    import fnmatch
    import tomllib

    root = STATIC.parent.parent  # src/enablement
    pyproject = tomllib.loads((root.parent.parent / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["enablement"]
    files = [
        p.relative_to(root).as_posix()
        for p in (root / "web").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    ]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files)
