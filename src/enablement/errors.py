"""The error tree: every failure a user can cause, with an HTTP status and a stable code."""

from __future__ import annotations

from collections.abc import Sequence


class EnablementError(Exception):
    """Base of every error we raise on purpose; rendered the same way by the API and the CLI."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}


class InvalidValueError(EnablementError):
    """A value the user gave is not allowed; the message says what is."""

    status = 422
    code = "invalid_value"


class InvalidInputError(InvalidValueError, ValueError):
    """A bad argument to a pure computation (an exploration share, a logged list, propensities):
    a ValueError to a library caller, and a 422 `invalid_value` naming the field like any other
    once a service call lets it reach the API or the CLI."""


class UnknownTaxonomyValueError(InvalidValueError):
    """A stage, vertical, persona or asset type that the taxonomy does not know."""

    def __init__(
        self,
        facet: str,
        value: str,
        valid: Sequence[str],
        *,
        field: str | None = None,
        closest: str | None = None,
    ) -> None:
        hint = f" Did you mean '{closest}'?" if closest else ""
        message = f"Unknown {facet} '{value}'.{hint} Valid values: {', '.join(valid)}."
        super().__init__(message, field=field or facet)
        self.code = f"unknown_{facet}"
        self.facet = facet
        self.value = value
        self.valid = list(valid)
        self.closest = closest

    def to_dict(self) -> dict[str, object]:
        body = super().to_dict()
        error = body["error"]
        assert isinstance(error, dict)
        error["valid"] = self.valid
        if self.closest:
            error["closest"] = self.closest
        return body


class NotFoundError(EnablementError):
    status = 404
    code = "not_found"


class ConflictError(EnablementError):
    """What the user asked for clashes with what exists (an active key of the same name)."""

    status = 409
    code = "conflict"


class UnknownAssetError(NotFoundError):
    """Asset ids the live catalog does not hold, each with the closest known id or a note that
    it was removed already; raised before anything is changed."""

    code = "unknown_asset"

    def __init__(
        self,
        ids: Sequence[str],
        *,
        closest: dict[str, str],
        removed: Sequence[str] = (),
        field: str = "asset_id",
    ) -> None:
        named = [
            f"'{i}'"
            + (" (removed already)" if i in removed else "")
            + (f" (did you mean '{closest[i]}'?)" if i in closest else "")
            for i in ids
        ]
        noun = "asset id" if len(ids) == 1 else "asset ids"
        super().__init__(f"Unknown {noun}: {', '.join(named)}. Nothing was removed.", field=field)
        self.ids = list(ids)
        self.closest = closest

    def to_dict(self) -> dict[str, object]:
        body = super().to_dict()
        error = body["error"]
        assert isinstance(error, dict)
        error["unknown"] = self.ids
        first = next((self.closest[i] for i in self.ids if i in self.closest), None)
        if first is not None:
            error["closest"] = first
        return body


class RankerFileError(ConflictError):
    """A learned ranker's model file that cannot serve: missing, unreadable, failing its sha256,
    or built for other features or another encoder. Promoting it is refused (409): the live
    ranker stays."""

    code = "ranker_file"

    def __init__(self, path: str, why: str, *, field: str | None = None) -> None:
        super().__init__(f"Ranker model {path} {why}.", field=field)
        self.path = path
        self.why = why


class AuthenticationError(EnablementError):
    status = 401
    code = "unauthorized"


class TokenExpiredError(AuthenticationError):
    """A short-lived embed token that has run out: the page asks the rep to sign in again."""

    code = "token_expired"


class PermissionDeniedError(EnablementError):
    status = 403
    code = "forbidden"


class RateLimitedError(EnablementError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreUnavailableError(EnablementError):
    """The database does not answer (restarting, failing over): retry shortly."""

    status = 503
    code = "store_unavailable"
    retry_after = 5

    def __init__(
        self, message: str = "The database does not answer; retry in a few seconds."
    ) -> None:
        super().__init__(message)


class PayloadTooLargeError(EnablementError):
    status = 413
    code = "payload_too_large"


class ConfigurationError(EnablementError):
    """The installation is missing something (a model, a taxonomy file, a database)."""

    status = 500
    code = "configuration_error"


class IngestRejectedError(EnablementError):
    """A strict ingest found problems, so nothing was written."""

    status = 422
    code = "ingest_rejected"


class UnknownChoiceError(InvalidValueError):
    """A name outside a fixed set that is not the taxonomy's (an experiment's ranker): the body
    lists the valid values."""

    def __init__(self, what: str, value: str, valid: Sequence[str], *, field: str) -> None:
        listed = ", ".join(valid) or "none"
        super().__init__(f"Unknown {what} '{value}'. Valid values: {listed}.", field=field)
        self.code = f"unknown_{what}"
        self.valid = list(valid)

    def to_dict(self) -> dict[str, object]:
        body = super().to_dict()
        error = body["error"]
        assert isinstance(error, dict)
        error["valid"] = self.valid
        return body
