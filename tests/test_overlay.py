"""Encoder overlays: written with a checksum and the base they fit, refused when they do not."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from enablement.errors import ConfigurationError
from enablement.overlay import MANIFEST_FILE, apply_overlay, read_overlay, write_overlay


def fake_model() -> list[SimpleNamespace]:
    """What apply_overlay touches of a SentenceTransformer: model[0].auto_model."""
    torch.manual_seed(0)
    return [SimpleNamespace(auto_model=torch.nn.Sequential(torch.nn.Linear(4, 4)))]


def test_written_overlay_reads_back_and_loads_over_the_model(tmp_path: Path) -> None:
    weights = {"0.weight": torch.full((4, 4), 0.5), "0.bias": torch.arange(4.0)}
    written = write_overlay(tmp_path / "enc", weights, base="mini", trained={"pairs": 3})
    found = read_overlay(tmp_path / "enc", base="mini")
    assert found == written
    assert found.name == f"mini+enablement-{found.sha256[:12]}"
    assert json.loads((tmp_path / "enc" / MANIFEST_FILE).read_text())["trained"] == {"pairs": 3}
    model = fake_model()
    apply_overlay(model, found.path)
    layer = model[0].auto_model[0]
    assert layer.weight.dtype == torch.float32  # stored float16, loaded as the model's type
    assert torch.equal(layer.weight, torch.full((4, 4), 0.5))
    assert torch.equal(layer.bias, torch.arange(4.0))


def test_only_the_overlay_weights_change(tmp_path: Path) -> None:
    model = fake_model()
    bias = model[0].auto_model[0].bias.detach().clone()
    written = write_overlay(tmp_path, {"0.weight": torch.zeros(4, 4)}, base="mini")
    apply_overlay(model, written.path)
    assert torch.equal(model[0].auto_model[0].bias, bias)
    assert not model[0].auto_model[0].weight.any()


@pytest.mark.parametrize(
    ("weights", "problem"),
    [
        ({"0.weight": torch.zeros(3, 3)}, "does not fit"),  # another shape
        ({"9.weight": torch.zeros(4, 4)}, "does not fit"),  # a layer the model lacks
    ],
)
def test_an_overlay_for_another_model_is_refused(
    tmp_path: Path, weights: dict[str, torch.Tensor], problem: str
) -> None:
    written = write_overlay(tmp_path, weights, base="mini")
    with pytest.raises(ConfigurationError, match=problem):
        apply_overlay(fake_model(), written.path)


def test_a_corrupt_weights_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "layers.safetensors"
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(ConfigurationError, match="Cannot read the encoder overlay"):
        apply_overlay(fake_model(), path)


def test_read_refuses_missing_tampered_or_foreign_overlays(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ENABLEMENT_ENCODER=base"):
        read_overlay(tmp_path / "missing", base="mini")
    written = write_overlay(tmp_path / "enc", {"0.weight": torch.zeros(4, 4)}, base="mini")
    with pytest.raises(ConfigurationError, match="trained over 'mini', not 'other'"):
        read_overlay(tmp_path / "enc", base="other")
    written.path.write_bytes(written.path.read_bytes() + b" ")
    with pytest.raises(ConfigurationError, match="does not match its sha256"):
        read_overlay(tmp_path / "enc", base="mini")
    (tmp_path / "enc" / MANIFEST_FILE).write_text("{")
    with pytest.raises(ConfigurationError, match="Cannot read the encoder overlay"):
        read_overlay(tmp_path / "enc", base="mini")
