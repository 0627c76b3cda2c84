import numpy as np

from enablement.index.lexical import LexicalIndex, analyze, analyze_many


def test_analyzer_stems_and_drops_stop_words() -> None:
    assert analyze("The authorizations of the authorized") == ["author", "author"]


def test_analyze_many_is_analyze_for_each_text() -> None:
    texts = ["The authorizations of the authorized", "", "Encrypting encrypted data, ENCRYPTED"]
    assert analyze_many(texts) == [analyze(text) for text in texts]
    assert analyze_many(texts)[2] == ["encrypt", "encrypt", "data", "encrypt"]


def test_stemming_matches_word_forms() -> None:
    index = LexicalIndex.build(["Encrypting the data", "Pricing for hospitals", "nothing here"])
    ids, scores = index.search("encryption of hospital pricing", 3)
    assert set(ids.tolist()) == {0, 1}
    assert all(score > 0 for score in scores)


def test_no_shared_term_means_no_hit() -> None:
    index = LexicalIndex.build(["alpha beta", "gamma"])
    ids, _ = index.search("zeta the of", 5)
    assert ids.tolist() == []


def test_search_within_a_mask_is_the_best_matches_inside_it() -> None:
    rng = np.random.default_rng(0)
    words = ["encrypt", "price", "hospital", "deploy", "audit", "renew"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 6))) for _ in range(300)]
    index = LexicalIndex.build(texts)
    allowed = rng.random(300) < 0.4
    query = "hospital audit pricing"
    scores = index.scores(query)
    ids, found = index.search(query, 20, allowed=allowed)
    inside = [row for row in np.argsort(-scores, kind="stable") if allowed[row] and scores[row] > 0]
    np.testing.assert_allclose(found, scores[inside[:20]])  # the 20 best scores inside, in order
    above = found[-1]  # rows tied with the 20th may be any of them; every better one is there
    better = {r for r in inside if scores[r] > above}
    assert {r for r in ids.tolist() if scores[r] > above} == better
    assert all(allowed[ids]) and len(set(ids.tolist())) == 20
    assert index.search(query, 20, allowed=np.zeros(300, dtype=bool))[0].tolist() == []
