"""The native thread pools a serving process shares its cores with."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def limit_blas(threads: int) -> None:
    """Cap every BLAS library loaded in this process (NumPy's, FAISS's) at `threads` threads.

    A request multiplies small matrices (a deal's fits, its questions against the assets), too
    small to gain from threads, and OpenBLAS's idle threads spin for up to ~0.1 s after each call,
    taking the cores the query encoder's own threads need next: at a million chunks on 2 cores,
    one-question deals took 24 / 124 ms (p50 / p99) with two BLAS threads and 19 / 27 ms with
    one (benchmarks/scale.py, the first run with ENABLEMENT_BLAS_THREADS=2:
    benchmarks/results/scale_ivf_sq_blas_2.json and scale.json).

    Call it on the main thread (uvicorn runs the API's lifespan there): OpenBLAS ignores a count
    set from another thread, and an OpenMP build of it keeps the count per thread."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")  # kept: not used as a context manager
    log.debug("BLAS limited to %d thread(s)", threads)
