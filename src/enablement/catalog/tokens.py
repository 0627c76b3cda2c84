"""Counting word pieces the way the embedding model will, so chunks fit its window."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

TokenCounter = Callable[[str], int]
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate: words and punctuation, plus a third for sub-word splits."""
    return math.ceil(len(_WORD.findall(text)) * 1.3)


def token_counter(model_path: Path | None) -> TokenCounter:
    """The model's own tokenizer when its tokenizer.json is available, else the estimate."""
    if model_path is None or not (model_path / "tokenizer.json").is_file():
        return estimate_tokens
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count
