"""The API docs, /docs (Swagger UI) and /redoc (ReDoc), from the vendored copies under /static:
they work offline, and under a Content-Security-Policy of their own."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

VENDOR = "/static/vendor"  # web.mount serves the package's static/ folder at /static
SWAGGER_JS = f"{VENDOR}/swagger-ui-dist/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui-dist/swagger-ui.css"
REDOC_JS = f"{VENDOR}/redoc/redoc.standalone.js"
FAVICON = f"{VENDOR}/swagger-ui-dist/favicon-32x32.png"

# Nothing comes from another origin. Unlike the pages' policy, scripts may run the one inline
# start-up script FastAPI writes for Swagger UI (allowed by its hash, nothing else inline), and
# styles may be inline: both UIs set style attributes, and ReDoc's styled-components add <style>
# elements. ReDoc runs its search index in a worker it starts from a blob: URL.
POLICY = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
)
# Swagger UI's default would show a badge image from validator.swagger.io.
SWAGGER_PARAMETERS = {"validatorUrl": None}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json, with "Authorize" for the bearer key."""
    root = _root(request)
    page = get_swagger_ui_html(
        openapi_url=root + str(request.app.openapi_url),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=root + SWAGGER_JS,
        swagger_css_url=root + SWAGGER_CSS,
        swagger_favicon_url=root + FAVICON,
        swagger_ui_parameters=SWAGGER_PARAMETERS,
    )
    return secured(page)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json (no web fonts: the system's)."""
    root = _root(request)
    page = get_redoc_html(
        openapi_url=root + str(request.app.openapi_url),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=root + REDOC_JS,
        redoc_favicon_url=root + FAVICON,
        with_google_fonts=False,
    )
    return secured(page)


def secured(page: HTMLResponse) -> HTMLResponse:
    """`page` with the docs' CSP, which allows exactly the inline scripts it holds (by hash)."""
    body = bytes(page.body).decode()
    return HTMLResponse(body, headers=docs_headers(_INLINE_SCRIPT.findall(body)))


def docs_headers(inline_scripts: list[str]) -> dict[str, str]:
    """The security headers for a docs page that runs `inline_scripts` (their exact text)."""
    hashes = [f"'sha256-{_sha256(script)}'" for script in inline_scripts]
    script_src = " ".join(("script-src 'self'", *hashes))
    return {
        "Content-Security-Policy": "; ".join((*POLICY, script_src)),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _root(request: Request) -> str:
    """The path the app is mounted under behind a proxy (ASGI root_path), or ""."""
    return str(request.scope.get("root_path", "")).rstrip("/")
