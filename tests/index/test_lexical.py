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
