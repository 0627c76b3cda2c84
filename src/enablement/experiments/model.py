"""An experiment's definition and state, and the rules a definition must meet."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, cast

from enablement.errors import InvalidValueError, UnknownChoiceError

Kind = Literal["interleave", "holdout"]
Status = Literal["running", "stopped"]
KINDS: tuple[Kind, ...] = ("interleave", "holdout")
MAX_SHARE = 0.5  # a holdout keeps at most half the deals off the live ranker


@dataclass(frozen=True)
class Definition:
    """What an experiment compares: `interleave` mixes `control` and `treatment` in one list per
    request; `holdout` serves `control` to a `share` of deals and the live ranker to the rest."""

    name: str
    kind: Kind
    control: str
    treatment: str | None = None  # interleave only
    share: float | None = None  # holdout only


@dataclass(frozen=True)
class Experiment:
    id: str
    name: str
    kind: Kind
    control: str
    treatment: str | None
    share: float | None
    status: Status
    created_at: datetime
    created_by: str
    stopped_at: datetime | None = None
    stopped_by: str | None = None

    @property
    def running(self) -> bool:
        return self.status == "running"

    def to_dict(self) -> dict[str, Any]:
        """Every field, times in ISO 8601 UTC (`…+00:00`) or None."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "control": self.control,
            "treatment": self.treatment,
            "share": self.share,
            "status": self.status,
            "created_at": _iso(self.created_at),
            "created_by": self.created_by,
            "stopped_at": _iso(self.stopped_at),
            "stopped_by": self.stopped_by,
        }

    @classmethod
    def from_row(cls, row: Any) -> Experiment:
        """An experiment from a row of the `experiments` table."""
        return cls(
            id=row.id,
            name=row.name,
            kind=cast(Kind, row.kind),
            control=row.control,
            treatment=row.treatment,
            share=row.share,
            status=cast(Status, row.status),
            created_at=_utc(row.created_at),
            created_by=row.created_by,
            stopped_at=_utc(row.stopped_at) if row.stopped_at is not None else None,
            stopped_by=row.stopped_by,
        )


def check_definition(definition: Definition, *, rankers: Collection[str]) -> Definition:
    """`definition` with its name stripped, when it names known `rankers` and the fields of its
    kind: interleave needs a `treatment` other than the `control` and takes no `share`; holdout
    needs a `share` in (0, MAX_SHARE] and takes no `treatment` (the live ranker is its other
    arm). Raises InvalidValueError (UnknownChoiceError for a ranker) naming the field."""
    name = definition.name.strip()
    if not name or len(name) > 200:
        raise InvalidValueError("An experiment needs a name of 1 to 200 characters.", field="name")
    if definition.kind not in KINDS:
        raise UnknownChoiceError("kind", definition.kind, KINDS, field="kind")
    valid = sorted(rankers)
    if definition.control not in rankers:
        raise UnknownChoiceError("ranker", definition.control, valid, field="control")
    if definition.kind == "interleave":
        _check_interleave(definition, valid)
    else:
        _check_holdout(definition)
    return replace(definition, name=name)


def _check_interleave(definition: Definition, valid: list[str]) -> None:
    if definition.share is not None:
        raise InvalidValueError(
            "share is for holdout experiments; an interleave experiment mixes both rankers in "
            "every list.",
            field="share",
        )
    if definition.treatment is None:
        raise InvalidValueError(
            f"An interleave experiment needs a treatment ranker. Valid values: {', '.join(valid)}.",
            field="treatment",
        )
    if definition.treatment not in valid:
        raise UnknownChoiceError("ranker", definition.treatment, valid, field="treatment")
    if definition.treatment == definition.control:
        raise InvalidValueError(
            f"The treatment must differ from the control ('{definition.control}').",
            field="treatment",
        )


def _check_holdout(definition: Definition) -> None:
    if definition.treatment is not None:
        raise InvalidValueError(
            "treatment is for interleave experiments; a holdout compares its control with the "
            "live ranker.",
            field="treatment",
        )
    share = definition.share
    if share is None or isinstance(share, bool) or not 0 < share <= MAX_SHARE:
        got = "none" if share is None else repr(share)
        raise InvalidValueError(
            f"A holdout needs a share above 0 and at most {MAX_SHARE} (got {got}).", field="share"
        )


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes, written in UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return _utc(moment).isoformat() if moment is not None else None
