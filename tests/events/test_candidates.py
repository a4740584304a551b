"""The answer trie for tokenizers that split digits and for those that keep numbers whole."""

import pytest
from tokenizers import Regex, Tokenizer, pre_tokenizers
from tokenizers.models import WordLevel
from transformers import PreTrainedTokenizerFast

from forecaster.llm.candidates import CandidateTrie, candidate_sequences

PROMPT = "The probability is: "


@pytest.fixture(scope="module")
def whole_number_tokenizer():
    """A real fast tokenizer whose vocabulary holds every number 0..100 as one token."""
    words = ["[UNK]", "The", "probability", "is", ":", " ", "%"] + [str(n) for n in range(101)]
    model = WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]")
    tok = Tokenizer(model)
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"\d+|[A-Za-z]+|[^\dA-Za-z]"), behavior="isolated")
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]")


@pytest.fixture(scope="module")
def digit_tokenizer():
    """The demo model's own tokenizer, which splits numbers into single digits."""
    from transformers import AutoTokenizer

    from forecaster.llm.model_prep import ensure_model
    from forecaster.settings import load_settings

    return AutoTokenizer.from_pretrained(ensure_model(load_settings().models["smollm2-135m"]))


def test_whole_numbers_are_one_token_without_an_end_marker(whole_number_tokenizer):
    seqs = candidate_sequences(whole_number_tokenizer, PROMPT, "%")
    assert all(len(seq) == 1 for seq in seqs.values())
    assert len({seq[0] for seq in seqs.values()}) == 101


def test_whole_number_trie_is_read_in_one_query(whole_number_tokenizer):
    trie = CandidateTrie(candidate_sequences(whole_number_tokenizer, PROMPT, "%"))
    assert trie.internal_nodes(range(101)) == [()]
    assert len(trie.children[()]) == 101


def test_digit_trie_shares_prefixes(digit_tokenizer):
    seqs = candidate_sequences(digit_tokenizer, PROMPT, "%")
    trie = CandidateTrie(seqs)
    one, ten = seqs[1], seqs[10]
    assert ten[: len(one) - 1] == one[:-1]  # "10%" continues the "1" node instead of ending it
    # root, "1".."9" and "10": the answers other answers continue; "0", "11".."99" and "100" are leaves
    assert len(trie.internal_nodes(range(101))) == 1 + 9 + 1


def test_only_answers_that_begin_another_carry_the_end_marker(digit_tokenizer):
    seqs = candidate_sequences(digit_tokenizer, PROMPT, "%")
    percent = digit_tokenizer.convert_tokens_to_ids("%")
    ended = {n for n, seq in seqs.items() if seq[-1] == percent}
    assert ended == set(range(1, 11))


def test_only_the_nodes_of_missing_candidates_are_queried(digit_tokenizer):
    trie = CandidateTrie(candidate_sequences(digit_tokenizer, PROMPT, "%"))
    assert trie.internal_nodes([42]) == [(), trie.sequences[42][:1]]
    assert trie.internal_nodes([0]) == [()]
