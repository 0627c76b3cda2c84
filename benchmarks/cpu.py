"""CPU time of process trees, read from /proc (Linux): what a load run cost each part of a
deployment, so a throughput ratio can be explained by where the cycles went."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(roots: Mapping[str, list[int]]) -> dict[str, float]:
    """User + system CPU seconds so far of each group's processes and all their descendants,
    as alive now (a process that has exited is no longer counted)."""
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        pid = int(entry.name)
        parent[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return {name: sum(used[p] for p in _trees(pids, parent)) for name, pids in roots.items()}


def _trees(roots: list[int], parent: Mapping[int, int]) -> set[int]:
    found = {pid for pid in roots if pid in parent}
    grew = True
    while grew:
        more = {pid for pid, up in parent.items() if up in found and pid not in found}
        found |= more
        grew = bool(more)
    return found


def per_request_ms(
    before: Mapping[str, float], after: Mapping[str, float], requests: int
) -> dict[str, float]:
    """Each group's CPU milliseconds per request between two `cpu_seconds` readings."""
    return {
        name: round((after[name] - before[name]) * 1000 / max(requests, 1), 2) for name in after
    }
