"""The recommender this process serves (over the live bundle with the live ranker, swapped
when either moves), and deals and searches checked against what that bundle's assets
declare."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from enablement.db.notify import Listener
from enablement.index.bundle import IndexMissingError
from enablement.index.published import CHANNEL
from enablement.live import LiveRecommender, Load, Watcher
from enablement.recommend.context import Deal, resolve_deal
from enablement.recommend.known import KnownTerms, check_deal, check_language
from enablement.recommend.pipeline import Recommender
from enablement.recommend.search import SearchFilters, SearchResult, search
from enablement.settings import Settings
from enablement.taxonomy import Taxonomy


class Recommending:
    """One per service; no bundle is loaded before the first request (`load` loads one,
    `bundle` reads the live bundle's version, `assets` counts the catalog's assets, `ranker`
    reads the live ranker's key)."""

    def __init__(
        self,
        settings: Settings,
        *,
        load: Load,
        bundle: Callable[[], str],
        taxonomy: Callable[[], Taxonomy],
        assets: Callable[[], int],
        ranker: Callable[[], str] = lambda: "",
    ) -> None:
        self.settings = settings
        self._load = load
        self._bundle = bundle
        self._taxonomy = taxonomy
        self._assets = assets
        self._ranker = ranker
        self._known: tuple[str, KnownTerms] | None = None  # (bundle version, its known terms)

    @cached_property
    def live(self) -> LiveRecommender:
        return LiveRecommender(
            self._load,
            self._bundle,
            interval=self.settings.reload_interval_s,
            ranker=self._ranker,
        )

    @cached_property
    def watcher(self) -> Watcher:
        """Has the live recommender look for a new bundle or ranker in the background: at once
        on a PostgreSQL NOTIFY with a shared bundle store, else every reload interval."""
        settings, wait = self.settings, None
        if settings.bundle_store and settings.resolved_database_url.startswith("postgresql"):
            wait = Listener(settings.resolved_database_url, CHANNEL).wait
        return Watcher(self.live, interval=settings.reload_interval_s, wait=wait)

    @property
    def problem(self) -> str | None:
        """Why this process serves another bundle than the live one, when it knows."""
        return self.live.problem if self.current is not None else None

    def close(self) -> None:
        if "watcher" in self.__dict__:
            self.watcher.stop()

    @property
    def current(self) -> Recommender | None:
        """The recommender this process serves, None before one is loaded; never loads one."""
        return self.live.current if "live" in self.__dict__ else None

    def serving_version(self) -> str | None:
        """The version of the bundle this process serves (`v<catalog>-<built at>`), or None
        before one is loaded; never loads one."""
        current = self.current
        return current.bundle.meta.version if current is not None else None

    def reload(self) -> None:
        """Load the live bundle now (after a rebuild in this process), if serving has
        started; otherwise the first request loads it."""
        if "live" in self.__dict__:
            self.live.reload_now()

    @property
    def recommender(self) -> Recommender:
        """The recommender over the current bundle; raises IndexMissingError if there is none,
        naming the command that works next: `enablement ingest PATH` while the catalog is empty
        (`enablement index` would refuse it), else `enablement index`."""
        try:
            return self.live.get()
        except IndexMissingError:
            if self._assets():
                raise
            raise IndexMissingError(
                "No index yet, and the catalog is empty: run `enablement ingest PATH` first "
                "(it builds the index too)."
            ) from None

    def resolve_deal(
        self,
        raw: Mapping[str, Any],
        *,
        prefix: str = "deal",
        recommender: Recommender | None = None,
    ) -> Deal:
        """A Deal from loose input, checked against the taxonomy, then (which needs an index)
        against what the assets of `recommender`'s bundle (default: the current one) declare:
        an unknown language is refused (422, listing those there are), an unknown product or
        competitor gets a warning naming the closest known one."""
        deal = resolve_deal(raw, self._taxonomy(), prefix=prefix)
        known = self.known_terms(recommender or self.recommender)
        return check_deal(deal, known, prefix=prefix)

    def known_terms(self, recommender: Recommender) -> KnownTerms:
        """The languages, products and competitors the bundle's assets declare (cached per
        bundle: a new bundle brings new ones)."""
        version = recommender.bundle.meta.version
        cached = self._known
        if cached is None or cached[0] != version:
            cached = self._known = (version, KnownTerms.of(recommender.table))
        return cached[1]

    def search(
        self, query: str, *, filters: Mapping[str, Any], limit: int, cursor: str | None
    ) -> SearchResult:
        """A page of free-text search over the library, with optional metadata filters; an
        unknown language is refused as for a deal."""
        parsed = SearchFilters.parse(filters, self._taxonomy())
        recommender = self.recommender
        check_language(parsed.language, self.known_terms(recommender), field="language")
        return search(recommender, query, parsed, limit=limit, cursor=cursor)
