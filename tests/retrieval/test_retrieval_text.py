"""Splitting text into passages, key terms of a question, wikitext to plain text."""

from forecaster.retrieval.text import key_terms, split_passages, wikitext_to_text

LONG_PARAGRAPH = " ".join(f"Sentence number {i} says something about the economy." for i in range(40))


def test_passages_never_exceed_the_configured_length():
    text = "\n\n".join([LONG_PARAGRAPH, "Short paragraph here.", "x" * 500])
    passages = split_passages(text, 120)
    assert passages
    assert all(len(p) <= 120 for p in passages)


def test_short_paragraphs_are_packed_together_and_keep_their_order():
    text = "First paragraph about rates.\n\nSecond paragraph about inflation.\n\nThird about jobs."
    assert split_passages(text, 200) == [
        "First paragraph about rates.\nSecond paragraph about inflation.\nThird about jobs."]


def test_a_long_paragraph_is_cut_at_sentence_ends():
    passages = split_passages(LONG_PARAGRAPH, 200)
    assert len(passages) > 1
    assert all(p.endswith("economy.") for p in passages)
    assert " ".join(p.replace("\n", " ") for p in passages) == LONG_PARAGRAPH


def test_headings_become_plain_text():
    passages = split_passages("== Monetary policy ==\nThe committee sets the rate.\n# Notes\nMore text here.", 500)
    assert passages == ["Monetary policy\nThe committee sets the rate.\nNotes\nMore text here."]


def test_key_terms_keep_names_and_numbers_and_drop_stopwords():
    assert key_terms("Will the Federal Reserve cut interest rates before July 2025?") == [
        "Federal", "Reserve", "cut", "interest", "rates", "July", "2025"]


def test_key_terms_are_capped():
    assert len(key_terms("alpha beta gamma delta epsilon zeta eta theta iota kappa", limit=4)) == 4


def test_wikitext_markup_is_reduced_to_readable_text():
    wikitext = ("'''Ding Liren''' is a [[China|Chinese]] [[chess]] player.{{Infobox|a={{nested}}}}"
                "<ref name=x>source</ref> See [https://example.org the site].[[Category:Players]]")
    assert wikitext_to_text(wikitext) == "Ding Liren is a Chinese chess player. See the site."
