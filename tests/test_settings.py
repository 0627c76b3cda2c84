from pathlib import Path

import pytest
from pydantic import ValidationError

from enablement.library import index_options
from enablement.settings import Settings


def test_environment_prefix_sets_fields(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENABLEMENT_MAX_FILE_MB", "2")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.max_file_bytes == 2 * 1024 * 1024


def test_default_database_is_sqlite_under_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/enablement.db"
    assert Settings(database_url="postgresql+psycopg://x/y").resolved_database_url.startswith(
        "postgresql"
    )


def test_overlap_must_be_smaller_than_chunk() -> None:
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(chunk_tokens=64, chunk_overlap=64)


def test_frame_ancestors_default_to_self_and_read_csp_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().frame_ancestors == ["'self'"]
    monkeypatch.setenv(
        "ENABLEMENT_FRAME_ANCESTORS",
        "'self' https://*.lightning.force.com, https://app.hubspot.com",
    )
    assert Settings().frame_ancestors == [
        "'self'",
        "https://*.lightning.force.com",
        "https://app.hubspot.com",
    ]
    monkeypatch.setenv("ENABLEMENT_FRAME_ANCESTORS", '["http://127.0.0.1:8001"]')
    assert Settings().frame_ancestors == ["http://127.0.0.1:8001"]
    monkeypatch.setenv("ENABLEMENT_FRAME_ANCESTORS", "")
    assert Settings().frame_ancestors == ["'none'"]  # nobody may frame the pages


@pytest.mark.parametrize(
    "bad", ["https://crm.example.com; script-src *", "'unsafe-inline'", "https://a b", "*"]
)
def test_frame_ancestors_refuse_anything_but_sources(bad: str) -> None:
    with pytest.raises(ValidationError, match="not a CSP source"):
        Settings(frame_ancestors=[bad])


def test_public_url_defaults_to_loopback_and_is_normalised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENABLEMENT_PUBLIC_URL", raising=False)
    assert Settings().public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("ENABLEMENT_PUBLIC_URL", "HTTPS://Sales.Example.com/enablement/")
    assert Settings().public_url == "https://sales.example.com/enablement"
    assert Settings(public_url="http://[::1]:8080").public_url == "http://[::1]:8080"


@pytest.mark.parametrize(
    "bad",
    ["sales.example.com", "ftp://sales.example.com", "javascript:alert(1)", "https://",
     "https://user:pw@sales.example.com", "https://sales.example.com/?next=x",
     "https://sales.example.com/#top", "https://sales.example.com:99999",
     "https://sales example.com", "https://sales.example.com/a b", "//sales.example.com"],
)  # fmt: skip
def test_public_url_must_be_an_http_origin_with_an_optional_prefix(bad: str) -> None:
    with pytest.raises(ValidationError, match="public"):
        Settings(public_url=bad)


def test_explore_share_defaults_to_five_percent_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from enablement.recommend.explore import MAX_SHARE

    monkeypatch.delenv("ENABLEMENT_EXPLORE_SHARE", raising=False)
    assert Settings().explore_share == 0.05
    for value in ("0", "0.5"):
        monkeypatch.setenv("ENABLEMENT_EXPLORE_SHARE", value)
        assert Settings().explore_share == float(value)
    assert MAX_SHARE == 0.5  # the bound Settings checks is the one explore() checks


@pytest.mark.parametrize("bad", ["-0.01", "0.51", "1", "nan", "lots"])
def test_explore_share_outside_0_to_half_is_refused(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv("ENABLEMENT_EXPLORE_SHARE", bad)
    with pytest.raises(ValidationError, match="explore_share"):
        Settings()


def test_dense_index_settings_reach_the_index_build(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = index_options(Settings())
    assert (defaults.dense_kind, defaults.sq_threshold, defaults.nprobe) == ("auto", 500_000, 128)
    monkeypatch.setenv("ENABLEMENT_DENSE_INDEX", "hnsw_sq")
    monkeypatch.setenv("ENABLEMENT_SQ_THRESHOLD", "200000")
    monkeypatch.setenv("ENABLEMENT_IVF_NPROBE", "32")
    options = index_options(Settings())
    assert (options.dense_kind, options.sq_threshold, options.nprobe) == ("hnsw_sq", 200_000, 32)
    with pytest.raises(ValidationError, match="dense_index"):
        Settings(dense_index="annoy")  # type: ignore[arg-type]
