"""The one Settings object: every knob, read from ENABLEMENT_* environment variables."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MB = 1024 * 1024
# A CSP source the pages may be framed by: 'self', 'none', a scheme (https:), or an origin whose
# host may start with `*.` and whose port may be `*` (https://*.lightning.force.com).
_FRAME_SOURCE = re.compile(
    r"'self'|'none'|[a-z][a-z0-9+.-]*:|"
    r"[a-z][a-z0-9+.-]*://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?",
    re.IGNORECASE,
)
_URL_PATH = re.compile(r"(/[A-Za-z0-9._~-]+)*/?")
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|[0-9a-f:.]*:[0-9a-f:.]*")  # names, IPv4, IPv6


class Settings(BaseSettings):
    """Configuration for every entry point; build it with `get_settings()` or directly in tests."""

    model_config = SettingsConfigDict(env_prefix="ENABLEMENT_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the SQLite store and indexes live.")
    catalog_path: Path = Field(
        Path("content_catalog"), description="The library `make run` serves."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; defaults to a SQLite file under data_dir."
    )
    model_path: Path | None = Field(
        None, description="Sentence-transformers model folder; defaults to the packaged MiniLM."
    )
    encoder: Literal["tuned", "base"] = Field(
        "tuned",
        description="tuned: the packaged model with the fine-tuned layers in models/encoder "
        "(see its card); base: the packaged model alone. Ignored with ENABLEMENT_MODEL_PATH.",
    )
    encoder_path: Path | None = Field(
        None,
        description="A fine-tuned encoder overlay folder (train-encoder); "
        "defaults to models/encoder.",
    )
    taxonomy_path: Path | None = Field(
        None, description="A replacement taxonomy YAML; defaults to the packaged one."
    )
    intent_path: Path | None = Field(
        None, description="The asset-type intent model folder; defaults to models/intent."
    )
    scorer: Literal["learned", "linear"] = Field(
        "learned",
        description="learned: the LambdaRank model re-orders the linear scorer's best candidates "
        "(falls back to linear, with a warning, if its file is missing or does not match); "
        "linear: the weighted scorer alone.",
    )
    ranker_path: Path | None = Field(
        None, description="The learned ranker's folder; defaults to models/ranker."
    )
    answers_path: Path | None = Field(
        None,
        description="The answer model's folder (when a passage is claimed to answer a question); "
        "defaults to models/answers.",
    )

    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are skipped.")
    max_unpacked_mb: float = Field(
        300.0, gt=0, description="A DOCX/PPTX that unpacks to more than this is refused."
    )
    max_compression_ratio: float = Field(
        150.0, gt=1, description="A DOCX/PPTX member compressed beyond this ratio is refused."
    )
    chunk_tokens: int = Field(200, ge=32, le=512, description="Target word pieces per chunk.")
    chunk_overlap: int = Field(40, ge=0, le=256, description="Word pieces shared by neighbours.")
    max_chunks_per_asset: int = Field(
        2000, ge=1, description="Chunks kept per asset; longer text is truncated with a warning."
    )

    dense_index: Literal["auto", "flat", "hnsw", "hnsw_sq", "ivf_sq", "ivf_pq"] = Field(
        "auto",
        description="FAISS index: exact `flat`; HNSW over float32 vectors (`hnsw`) or 8-bit codes "
        "(`hnsw_sq`); inverted lists of 8-bit (`ivf_sq`) or product-quantized (`ivf_pq`) codes; "
        "or chosen by size (`auto`).",
    )
    hnsw_threshold: int = Field(50_000, ge=1, description="`auto` uses HNSW from this many chunks.")
    sq_threshold: int = Field(
        500_000,
        ge=1,
        description="`auto` uses 8-bit inverted lists (`ivf_sq`) from this many chunks, where "
        "float32 HNSW outgrows a 2 GB serving node (benchmarks/scale.py).",
    )
    hnsw_ef_search: int = Field(
        256,
        ge=8,
        description="HNSW search breadth (recall vs speed): recall@10 0.97 against exact search "
        "on real vectors of 100,000 chunks, 0.92 at 128 (benchmarks/scale.py --real-chunks).",
    )
    ivf_nprobe: int = Field(
        128,
        ge=1,
        description="Inverted lists an IVF index scans per query (recall vs speed); saved with "
        "the index, so a change applies from the next index build.",
    )
    quantize_queries: bool = Field(
        True, description="Encode queries with an int8 copy of the model (passages stay fp32)."
    )
    torch_threads: int | None = Field(
        None, ge=1, description="CPU threads for the model; 1 suits several API workers."
    )
    blas_threads: int = Field(
        1,
        ge=1,
        description="BLAS threads (NumPy's, FAISS's) of a serving process: a request's matrices "
        "are small, and idle BLAS threads spin after each call on the cores the encoder needs.",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto",
        description="Where passages are encoded when indexing: `auto` is CUDA when torch sees a "
        "GPU, else the CPU.",
    )
    query_device: Literal["cpu", "cuda"] = Field(
        "cpu", description="Where queries are encoded: the CPU unless set (one short text each)."
    )

    bundle_store: str | None = Field(
        None,
        description="Several nodes: where built bundles are published and every node fetches "
        "them (a shared folder, or an fsspec URL such as s3://bucket/prefix with s3fs "
        "installed). The database then names the live bundle. Unset: the CURRENT file under "
        "data_dir, one machine.",
    )

    # The API.
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins (CRM domains) allowed to call the API."
    )
    frame_ancestors: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["'self'"],
        description="Who may frame /sidebar and /dashboard (CSP frame-ancestors): the CRM "
        "origins, space- or comma-separated or a JSON list, e.g. "
        "\"'self' https://*.lightning.force.com https://app.hubspot.com\".",
    )
    library_roots: list[Path] = Field(
        default_factory=list,
        description="Folders POST /v1/catalog:ingest may read; defaults to catalog_path.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="Where buyers and browsers reach this server (share links are built on it, "
        "never on the request's Host header): an http(s) origin with an optional path prefix. "
        "`enablement serve` defaults it to its own address.",
    )
    rate_limit_per_minute: int = Field(
        600, ge=1, description="Requests per minute per key (with the tokens it minted)."
    )
    auth_failures_per_minute: int = Field(
        30, ge=1, description="Failed sign-ins (and unknown share links) per minute per address."
    )
    redis_url: str | None = Field(
        None,
        description="Several nodes: count rate limits in this Redis (redis://host:6379/0), so a "
        "key's limit holds across nodes. Unset: each worker counts on its own.",
    )
    max_body_kb: int = Field(1024, ge=1, description="Largest JSON body accepted (413 beyond).")
    reload_interval_s: float = Field(
        1.0, gt=0, description="How often workers look for a new bundle."
    )
    job_poll_s: float = Field(
        2.0, gt=0, description="How often a worker looks for queued jobs (ingest, rebuild)."
    )
    job_lease_s: float = Field(
        60.0,
        ge=5,
        description="A running job whose worker has not beaten its heartbeat for this long was "
        "left by a node that died; another worker claims it again.",
    )
    experiment_cache_s: float = Field(
        5.0, ge=0, description="How long a worker trusts its read of the running experiment."
    )
    # The bounds of recommend.explore.check_share (this module imports nothing internal).
    explore_share: float = Field(
        0.05,
        ge=0,
        le=0.5,
        description="The share of served lists shown with one adjacent pair swapped, at random "
        "(never an interleaved one), so that position bias can be measured; 0 turns it off.",
    )

    @field_validator("frame_ancestors", mode="before")
    @classmethod
    def _split_sources(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else re.split(r"[\s,]+", text)
        if isinstance(value, list):
            sources = [str(v).strip() for v in value if str(v).strip()]
            bad = [v for v in sources if not _FRAME_SOURCE.fullmatch(v)]
            if bad:
                raise ValueError(
                    f"not a CSP source: {bad[0]!r} (use 'self', https://crm.example.com or "
                    "https://*.example.com)"
                )
            return sources or ["'none'"]
        return value

    @field_validator("public_url")
    @classmethod
    def _public_origin(cls, value: str) -> str:
        return public_origin(value)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than "
                f"chunk_tokens ({self.chunk_tokens})"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL to connect to: the configured one, else SQLite under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'enablement.db').resolve()}"

    @property
    def ingest_roots(self) -> list[Path]:
        return [p.resolve() for p in (self.library_roots or [self.catalog_path])]

    @property
    def bundles_dir(self) -> Path:
        return self.data_dir / "bundles"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * MB)


def public_origin(value: str) -> str:
    """`value` as `scheme://host[:port][/prefix]` without a trailing slash; raises ValueError
    unless it is an http(s) URL with a host and no credentials, query or fragment."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise ValueError(f"not a URL: {value!r} ({exc})") from None
    problem = (
        "must start with http:// or https://" if parts.scheme.lower() not in ("http", "https")
        else "needs a valid host" if not _HOST.fullmatch(parts.hostname or "")
        else "must not hold a user name or password" if "@" in parts.netloc
        else "must not have a query or fragment" if "?" in text or "#" in text
        else "has characters not allowed in a path" if not _URL_PATH.fullmatch(parts.path)
        else None
    )  # fmt: skip
    if problem or any(char.isspace() for char in text):
        raise ValueError(f"public URL {value!r} {problem or 'must not contain spaces'}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, built once per process on first use."""
    return Settings()
