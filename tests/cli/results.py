"""What CLI tests read from a command's result: its JSON, or its one-line refusal."""

from __future__ import annotations

import json
from typing import Any

from click.testing import Result


def printed_json(result: Result) -> Any:
    """The JSON a command printed, once it exited 0."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(result: Result) -> str:
    """The one line on stderr of a command refused with exit 1 (nothing on stdout)."""
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("Error: ")
    return result.stderr
