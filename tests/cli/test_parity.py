"""CLI/API parity: each CLI command whose `--json` has an API counterpart prints the keys that
counterpart returns (at every depth), over one store. Differences are listed with their reason."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner

from enablement.analytics.audit import VIEWS
from enablement.catalog.build import BuildOptions
from enablement.cli import cli, common
from enablement.service import EnablementService
from enablement.settings import Settings
from enablement.suggesting import Suggesting
from tests.api.conftest import ApiEnv, make_env
from tests.fakes import HashingEncoder
from tests.tagging.library import FakeModel


@dataclass(frozen=True)
class Pair:
    cli: list[str]
    method: str
    path: str
    role: str = "rep"
    payload: dict[str, Any] = field(default_factory=dict)
    job: bool = False  # the API answers with a job; its `result` is the counterpart
    unwrap: bool = False  # the CLI prints {"items": [one]} for the API's one object
    cli_only: frozenset[str] = frozenset()  # top-level keys only the CLI has, and why
    api_only: frozenset[str] = frozenset()
    # The CLI prints a bare list, the API's `items`; the keys of each item only the API has
    listed: frozenset[str] | None = None


PAIRS: dict[str, Pair] = {
    "recommend": Pair(
        ["recommend", "--stage", "evaluation", "--question", "how long do implementations take?"],
        "POST", "/v1/recommendations",
        payload={"stage": "evaluation", "questions": ["how long do implementations take?"]},
    ),
    "search": Pair(
        ["search", "workflow approvals", "--limit", "2"], "GET", "/v1/search",
        payload={"q": "workflow approvals", "limit": 2},
    ),
    "audit-log": Pair(["audit-log"], "GET", "/v1/audit-log", role="admin"),
    "embed-token": Pair(
        ["embed-token", "--user", "jordan"], "POST", "/v1/embed-tokens", role="admin",
        payload={"user": "jordan"},
        # the CLI also builds the URLs to open; an API caller builds its own page's URL
        cli_only=frozenset({"sidebar_url", "dashboard_url", "host_pages"}),
    ),
    "remove": Pair(
        ["remove", "notes", "--no-index"], "DELETE", "/v1/assets/pricing-old", role="admin",
        # the CLI rebuilds the index in its own process; the API queues the rebuild as a job
        cli_only=frozenset({"index"}), api_only=frozenset({"job"}),
    ),
    "ingest": Pair(
        ["ingest", "{library}"], "POST", "/v1/catalog:ingest", role="admin",
        payload={"path": "{library}"}, job=True,
    ),
    "index": Pair(["index"], "POST", "/v1/index:rebuild", role="admin", job=True),
    "experiments list": Pair(["experiments", "list"], "GET", "/v1/experiments", role="marketer"),
    "experiments show": Pair(
        ["experiments", "show", "{experiment}"], "GET", "/v1/experiments/{experiment}",
        role="marketer",
    ),
    # the records `rankers show ID` prints too (the same to_dict as each item here)
    "rankers list": Pair(["rankers", "list"], "GET", "/v1/rankers", role="marketer"),
    "tags suggest": Pair(
        ["tags", "suggest"], "GET", "/v1/tag-suggestions", role="marketer",
        # the list for scripts; the API adds the review state the dashboard shows
        listed=frozenset({"status", "void_reason", "created_at", "decided_at", "decided_by"}),
    ),
    **{
        f"report {view}": Pair(
            ["report", view], "GET", f"/v1/analytics/{view}", role="marketer", unwrap=True
        )
        for view in VIEWS
    },
}  # fmt: skip


def _with_model(settings: Settings) -> EnablementService:
    """The service with a fake tagging model, so `tags suggest` has suggestions to compare."""
    return _install_model(EnablementService(settings, encoder=HashingEncoder()))


def _install_model(service: EnablementService) -> EnablementService:
    model = FakeModel(service.store, {("notes", "personas"): {"operations": 0.8}})
    service.__dict__["suggesting"] = Suggesting(
        service.store, suggest=model, taxonomy=lambda: service.taxonomy
    )
    return service


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions) -> Iterator[ApiEnv]:
    env = make_env(tmp_path_factory.mktemp("parity"), build_options, rate_limit_per_minute=10**6)
    _install_model(env.service)
    deleted = env.client.delete("/v1/assets/guide-fr", headers=env.auth("admin"))
    assert deleted.status_code == 200  # an audit row for the audit-log pair
    holdout = {"name": "parity", "kind": "holdout", "control": "linear", "share": 0.2}
    made = env.client.post("/v1/experiments", json=holdout, headers=env.auth("admin"))
    assert made.status_code == 201  # for the experiments pairs
    yield env
    env.client.close()
    env.service.close()


@pytest.fixture
def runner(api: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI over the API's store and index, as a second process would be."""
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(api.settings.data_dir))
    monkeypatch.setenv("ENABLEMENT_DATABASE_URL", api.settings.database_url or "")
    monkeypatch.setattr(common, "EnablementService", _with_model)
    return CliRunner()


def _fill(value: Any, library: str, experiment: str = "") -> Any:
    if isinstance(value, str):
        return value.replace("{library}", library).replace("{experiment}", experiment)
    if isinstance(value, dict):
        return {k: _fill(v, library, experiment) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, library, experiment) for v in value]
    return value


def _from_api(api: ApiEnv, pair: Pair, library: str, experiment: str) -> Any:
    payload = _fill(pair.payload, library)
    sent = {"params": payload} if pair.method == "GET" else {"json": payload} if payload else {}
    path = _fill(pair.path, library, experiment)
    response = api.client.request(pair.method, path, headers=api.auth(pair.role), **sent)
    assert response.status_code in (200, 201, 202), response.text
    body = response.json()
    if not pair.job:
        return body
    for _ in range(600):
        job = api.client.get(f"/v1/jobs/{body['id']}", headers=api.auth("admin")).json()
        if job["state"] in ("succeeded", "failed"):
            assert job["state"] == "succeeded", job
            return job["result"]
        time.sleep(0.05)
    raise AssertionError(f"job {body['id']} did not finish")


def _differences(cli: Any, api: Any, at: str = "") -> list[str]:
    """Where the two bodies' keys differ: a key on one side only, at any depth (lists compared
    by their first elements)."""
    if isinstance(cli, dict) and isinstance(api, dict):
        found = [f"{at}.{k} only in the CLI" for k in sorted(set(cli) - set(api))]
        found += [f"{at}.{k} only in the API" for k in sorted(set(api) - set(cli))]
        for key in sorted(set(cli) & set(api)):
            found += _differences(cli[key], api[key], f"{at}.{key}")
        return found
    if isinstance(cli, list) and isinstance(api, list) and cli and api:
        return _differences(cli[0], api[0], f"{at}[0]")
    return []


@pytest.mark.parametrize("name", list(PAIRS))
def test_cli_json_has_the_api_keys(api: ApiEnv, runner: CliRunner, name: str) -> None:
    pair = PAIRS[name]
    library = str(api.settings.data_dir / "library")
    experiment = api.service.experimenting.store.running_id() or ""  # made by the fixture
    result = runner.invoke(cli, [*_fill(pair.cli, library, experiment), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    if pair.unwrap:
        assert list(printed) == ["items"]
        (printed,) = printed["items"]
    answered = _from_api(api, pair, library, experiment)
    if pair.listed is not None:
        assert isinstance(printed, list) and printed, printed
        printed = {"items": printed}
        answered = {"items": [_without(item, pair.listed) for item in answered["items"]]}
    for key in pair.cli_only:  # present, and set aside
        assert key in printed and key not in answered, key
        del printed[key]
    for key in pair.api_only:
        assert key in answered and key not in printed, key
        del answered[key]
    assert _differences(printed, answered) == []


def _without(item: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    assert keys <= set(item), keys - set(item)  # present, and set aside
    return {k: v for k, v in item.items() if k not in keys}


def test_differences_are_found() -> None:
    """The comparison itself can fail: a renamed key, deep in a list, is caught."""
    api = {"items": [{"asset_id": "a", "passage": {"page": 1}}], "next": None}
    cli = {"items": [{"asset_id": "a", "passage": {"pages": 1}}], "next": None}
    assert _differences(cli, api) == [
        ".items[0].passage.pages only in the CLI",
        ".items[0].passage.page only in the API",
    ]
