"""`enablement experiments create|list|show|stop` over the store the API uses (SQLite and
PostgreSQL): the same checks as the API, one line on stderr and exit 1 when refused."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from enablement.cli import cli, common
from enablement.experiments.rankers import BASELINES
from enablement.service import EnablementService
from tests.cli.results import printed_json
from tests.fakes import HashingEncoder

HOLDOUT = ["--kind", "holdout", "--control", "no_metadata", "--share", "0.1", "--name", "meta"]
INTERLEAVE = ["--kind", "interleave", "--control", "linear", "--treatment", "bm25_only",
              "--name", "lexical"]  # fmt: skip


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENABLEMENT_DATABASE_URL", database_url)
    factory = functools.partial(EnablementService, encoder=HashingEncoder())
    monkeypatch.setattr(common, "EnablementService", factory)
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, ["experiments", *args])


def test_create_list_show_stop(runner: CliRunner) -> None:
    made = printed_json(_run(runner, "create", *HOLDOUT, "--actor", "alice", "--json"))
    assert (made["kind"], made["control"], made["share"], made["status"], made["created_by"]) == (
        "holdout", "no_metadata", 0.1, "running", "alice",
    )  # fmt: skip
    assert printed_json(_run(runner, "list", "--json")) == {"items": [made], "next": None}
    read = printed_json(_run(runner, "show", made["id"], "--json"))
    assert read == made | {"results": read["results"]}
    assert (read["results"]["kind"], read["results"]["deals"], read["results"]["causal"]) == (
        "holdout", 0, True,
    )  # fmt: skip
    shown = _run(runner, "show", made["id"])
    assert shown.exit_code == 0 and "no_metadata for 10% of deals" in shown.stdout
    assert "results   0 deals" in shown.stdout and "an arm has no deals" in shown.stdout
    assert "running" in shown.stdout and made["id"] in shown.stdout
    stopped = printed_json(_run(runner, "stop", made["id"], "--actor", "bob", "--json"))
    assert (stopped["status"], stopped["stopped_by"]) == ("stopped", "bob")
    table = _run(runner, "list")
    assert table.exit_code == 0 and "stopped" in table.stdout and "10%" in table.stdout
    assert printed_json(_run(runner, "create", *INTERLEAVE, "--json"))["treatment"] == "bm25_only"


def test_a_second_running_experiment_is_refused(runner: CliRunner) -> None:
    made = printed_json(_run(runner, "create", *HOLDOUT, "--json"))
    refused = _run(runner, "create", *INTERLEAVE)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"Error: Experiment {made['id']} is running; stop it first")
    assert len(refused.stderr.strip().splitlines()) == 1


def test_an_unknown_ranker_names_the_valid_ones(runner: CliRunner) -> None:
    refused = _run(runner, "create", *INTERLEAVE[:-2], "--name", "x", "--treatment", "lambdarank")
    assert refused.exit_code == 1
    valid = ", ".join(sorted(["linear", *BASELINES]))
    assert refused.stderr.strip() == f"Error: Unknown ranker 'lambdarank'. Valid values: {valid}."


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--share", "0.7"], "share"),
        (["--share", "0"], "share"),
        (["--treatment", "linear"], "treatment"),
    ],
)
def test_a_bad_holdout_is_refused_naming_the_field(
    runner: CliRunner, args: list[str], says: str
) -> None:
    base = list(HOLDOUT) if args[0] == "--treatment" else HOLDOUT[:4] + HOLDOUT[6:]
    refused = _run(runner, "create", *base, *args)
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.startswith("Error: ") and says in refused.stderr
    assert printed_json(_run(runner, "list", "--json"))["items"] == []


def test_a_holdout_without_a_share_and_an_interleave_without_a_treatment(
    runner: CliRunner,
) -> None:
    no_share = _run(runner, "create", *HOLDOUT[:4], *HOLDOUT[6:])
    assert no_share.exit_code == 1 and "needs a share" in no_share.stderr
    no_treatment = _run(runner, "create", "--kind", "interleave", "--control", "linear",
                        "--name", "x")  # fmt: skip
    assert no_treatment.exit_code == 1 and "needs a treatment ranker" in no_treatment.stderr


def test_an_unknown_id_and_an_unknown_kind(runner: CliRunner) -> None:
    for verb in ("show", "stop"):
        missing = _run(runner, verb, "exp-nope")
        assert missing.exit_code == 1
        assert missing.stderr.strip() == "Error: No experiment with id 'exp-nope'."
    bad_kind = _run(runner, "create", "--kind", "holdback", "--control", "linear", "--name", "x")
    assert bad_kind.exit_code == 2 and "'holdback' is not one of" in bad_kind.stderr
