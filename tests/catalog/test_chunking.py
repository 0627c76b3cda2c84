import itertools
import time

from enablement.catalog.chunking import ChunkSpec, chunk_capped, chunk_sections
from enablement.catalog.models import Section
from enablement.catalog.tokens import TokenCounter, estimate_tokens, token_counter


def _sentences(n: int, words: int = 12) -> str:
    return " ".join(f"Sentence {i} " + " ".join(["word"] * words) + "." for i in range(n))


def test_chunks_fit_the_window_and_overlap() -> None:
    spec = ChunkSpec(max_tokens=60, overlap_tokens=20)
    chunks = chunk_sections([Section(_sentences(20))], spec=spec, count=estimate_tokens)
    assert len(chunks) > 3
    assert all(chunk.token_count <= 60 for chunk in chunks)
    for before, after in itertools.pairwise(chunks):
        last_sentence = before.text.rsplit("Sentence", 1)[1]
        assert after.text.startswith("Sentence" + last_sentence)  # the overlap carries over
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    all_text = " ".join(c.text for c in chunks)
    assert all(f"Sentence {i} " in all_text for i in range(20))  # nothing dropped


def test_no_overlap_when_disabled() -> None:
    spec = ChunkSpec(max_tokens=60, overlap_tokens=0)
    chunks = chunk_sections([Section(_sentences(10))], spec=spec, count=estimate_tokens)
    starts = [c.text.split()[1] for c in chunks]
    assert len(set(starts)) == len(starts)
    assert sum(c.text.count("Sentence") for c in chunks) == 10


def test_chunks_never_span_sections_and_keep_provenance() -> None:
    sections = [
        Section("Page one text. More.", page=1),
        Section("Slide text.", slide=3, heading_path=("Pricing",)),
        Section("Under a heading.", heading_path=("Guide", "Setup")),
    ]
    chunks = chunk_sections(sections, spec=ChunkSpec(), count=estimate_tokens)
    assert [(c.page, c.slide, c.heading_path) for c in chunks] == [
        (1, None, ()),
        (None, 3, ("Pricing",)),
        (None, None, ("Guide", "Setup")),
    ]


def test_a_sentence_longer_than_a_chunk_is_cut() -> None:
    spec = ChunkSpec(max_tokens=40, overlap_tokens=0)
    text = " ".join(f"w{i}" for i in range(300))
    chunks = chunk_sections([Section(text)], spec=spec, count=estimate_tokens)
    assert all(chunk.token_count <= 40 for chunk in chunks)
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_lines_keep_their_breaks() -> None:
    chunks = chunk_sections(
        [Section("Plan | Price\nTeam | $39")], spec=ChunkSpec(), count=estimate_tokens
    )
    assert chunks[0].text == "Plan | Price\nTeam | $39"


def test_real_tokenizer_counts_word_pieces() -> None:
    from enablement.library import default_model_path
    from enablement.settings import Settings

    path = default_model_path(Settings())
    assert path is not None and (path / "tokenizer.json").is_file()
    count = token_counter(path)
    assert count is not estimate_tokens
    assert count("hello world") == 2
    assert count("unbelievably tokenization") > 2  # sub-word pieces


def test_chunks_are_capped_and_the_rest_never_counted() -> None:
    counted: list[int] = []

    def count(text: str) -> int:
        counted.append(len(text))
        return estimate_tokens(text)

    text = "\n".join(_sentences(2000))
    spec = ChunkSpec(max_tokens=60, overlap_tokens=0, max_chunks=5)
    chunked = chunk_capped([Section(text), Section("Second section.")], spec=spec, count=count)
    assert chunked.truncated and len(chunked.chunks) == 5
    assert [c.ordinal for c in chunked.chunks] == list(range(5))
    assert sum(counted) < len(text) / 10  # chunking stopped early
    assert not chunk_capped([Section("Short.")], spec=spec, count=count).truncated


def test_a_huge_single_line_is_chunked_in_seconds() -> None:
    text = " ".join(f"word{i % 977}" for i in range(2_000_000))  # 15 MB, no sentence ends
    started = time.perf_counter()
    chunked = chunk_capped([Section(text)], spec=ChunkSpec(), count=_real_counter())
    assert time.perf_counter() - started < 30
    assert chunked.truncated and len(chunked.chunks) == ChunkSpec().max_chunks == 2000
    # long sentences are cut by an average of tokens per word, so a window may run a bit over
    assert max(c.token_count for c in chunked.chunks) <= 1.25 * ChunkSpec().max_tokens


def test_a_word_of_megabytes_is_cut_too() -> None:
    chunked = chunk_capped([Section("x" * 1_000_000)], spec=ChunkSpec(), count=_real_counter())
    # one chunk of a megabyte before; now pieces of 400 characters, windowed like words
    assert len(chunked.chunks) >= 10
    assert max(len(c.text) for c in chunked.chunks) < 100_000


def _real_counter() -> TokenCounter:
    from enablement.library import default_model_path
    from enablement.settings import Settings

    return token_counter(default_model_path(Settings()))
