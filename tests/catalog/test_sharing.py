"""Which assets may be shared, and which URLs a buyer may be sent to."""

from __future__ import annotations

from datetime import date

import pytest

from enablement.catalog.sharing import is_expired, public_url, share_refusal

TODAY = date(2026, 12, 4)


def test_an_asset_stays_valid_through_its_expiry_date() -> None:
    assert not is_expired(None, today=TODAY)
    assert not is_expired(TODAY, today=TODAY)
    assert is_expired(date(2026, 12, 3), today=TODAY)


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"external": False}, "internal only"),
        ({"external": None}, "not marked external: true"),
        ({}, "not marked external: true"),
        ({"external": True, "expires_at": date(2026, 12, 3)}, "expired on 2026-12-03"),
        ({"external": True, "expires_at": TODAY}, None),
        ({"external": True}, None),
    ],
)
def test_only_external_unexpired_assets_may_be_shared(
    fields: dict[str, object], why: str | None
) -> None:
    refusal = share_refusal({"id": "a1", **fields}, today=TODAY)
    assert (refusal is None) if why is None else (refusal is not None and why in refusal)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,x", "//evil.example", "http://", "ftp://x/y",
     "https://x.example/a b", "https://x.example/\nLocation: y", None, 42],
)  # fmt: skip
def test_only_http_urls_may_be_redirected_to(url: object) -> None:
    assert public_url(url) is None


def test_http_and_https_urls_are_kept_as_they_are() -> None:
    for url in ("https://content.example.com/a?b=c", "HTTP://content.example.com"):
        assert public_url(url) == url
