"""The batching encoder: same vectors as the model, one forward pass for concurrent callers."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from enablement.embedding import BatchingEncoder, Vectors, resolve_device
from enablement.errors import ConfigurationError
from tests.fakes import HashingEncoder


class SlowEncoder(HashingEncoder):
    def encode_queries(self, texts: list[str]) -> Vectors:
        time.sleep(0.05)
        return super().encode_queries(texts)


def test_alone_it_is_a_pass_through() -> None:
    inner = HashingEncoder()
    batching = BatchingEncoder(inner)
    np.testing.assert_array_equal(
        batching.encode_queries(["a b", "c"]), HashingEncoder().encode_queries(["a b", "c"])
    )
    assert inner.calls == [2]


def test_concurrent_callers_share_forward_passes() -> None:
    inner = SlowEncoder()
    batching = BatchingEncoder(inner)
    results: dict[int, Vectors] = {}

    def call(i: int) -> None:
        results[i] = batching.encode_queries([f"question {i}"])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(inner.calls) < 16 and sum(inner.calls) == 16
    reference = HashingEncoder()
    for i, vector in results.items():
        np.testing.assert_array_equal(vector, reference.encode_queries([f"question {i}"]))


def test_a_failure_reaches_every_waiter() -> None:
    class Broken(HashingEncoder):
        def encode_queries(self, texts: list[str]) -> Vectors:
            raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError, match="model crashed"):
        BatchingEncoder(Broken()).encode_queries(["x"])


def test_under_constant_load_no_caller_waits_behind_more_than_the_queue() -> None:
    batching = BatchingEncoder(SlowEncoder())  # 50 ms a forward pass
    latencies: list[float] = []

    def call(i: int) -> None:
        start = time.monotonic()
        batching.encode_queries([f"question {i}"])
        latencies.append(time.monotonic() - start)

    threads = []
    for i in range(100):  # a new caller every 10 ms for a second: the queue never drains
        threads.append(threading.Thread(target=call, args=(i,)))
        threads[-1].start()
        time.sleep(0.01)
    for thread in threads:
        thread.join()
    # A leader that kept leading while others queued would wait the whole second.
    assert len(latencies) == 100
    assert max(latencies) < 0.3


@pytest.mark.parametrize(
    ("wanted", "gpu", "device"),
    [("auto", True, "cuda"), ("auto", False, "cpu"), ("cpu", True, "cpu"), ("cuda", True, "cuda")],
)
def test_a_device_setting_resolves_to_the_gpu_only_where_torch_sees_one(
    monkeypatch: pytest.MonkeyPatch, wanted: str, gpu: bool, device: str
) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)
    assert resolve_device(wanted) == device


def test_cuda_without_a_gpu_is_refused_naming_the_valid_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(
        ConfigurationError, match=r"torch sees no GPU; valid values: auto, cpu, cuda"
    ):
        resolve_device("cuda")
