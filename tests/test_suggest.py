from asgibdd._suggest import close_matches, did_you_mean


def test_did_you_mean_names_the_single_close_candidate() -> None:
    assert did_you_mean("itme_id", ["item_id", "token"]) == ' Did you mean "item_id"?'


def test_did_you_mean_names_two_close_candidates_best_first() -> None:
    assert did_you_mean("item", ["items", "token", "itm"]) == ' Did you mean "items" or "itm"?'


def test_did_you_mean_is_empty_when_nothing_is_close() -> None:
    assert did_you_mean("zebra", ["item_id", "token"]) == ""


def test_did_you_mean_is_empty_without_candidates() -> None:
    assert did_you_mean("anything", []) == ""


def test_did_you_mean_ignores_case_but_answers_with_the_original_spelling() -> None:
    assert did_you_mean("content-type", ["Content-Type", "Accept"]) == (
        ' Did you mean "Content-Type"?'
    )


def test_close_matches_never_suggests_the_word_itself() -> None:
    assert close_matches("token", ["token", "tokens"]) == ["tokens"]


def test_close_matches_honours_a_stricter_cutoff() -> None:
    assert close_matches("strng", ["string", "integer"], cutoff=0.8) == ["string"]
    assert close_matches("hashtag", ["string", "integer", "null"], cutoff=0.75) == []


def test_close_matches_accepts_any_iterable_of_candidates() -> None:
    assert close_matches("nul", (name for name in ["null", "notnull"])) == ["null", "notnull"]
