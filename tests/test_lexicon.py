"""The one table of words and spellings: everything that reads or writes Cajal derives from it."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cajal import assist, lexicon, parse_term, pretty
from cajal.errors import CajalSyntaxError, Source
from cajal.tokens import Lexer, scan


def test_as_json_is_plain_data_that_round_trips():
    data = lexicon.as_json()
    assert json.loads(json.dumps(data)) == data
    assert {s["name"] for s in data["symbols"]} == {"λ", "⊸", "↪", "Bool", "Nat"}
    assert data["constants"] == {"tt": "tt", "ff": "ff", "true": "tt", "false": "ff"}
    assert data["input_sequences"]["\\multimap"] == "⊸"


@pytest.mark.parametrize("symbol", lexicon.SYMBOLS, ids=lambda s: s.name)
def test_both_spellings_of_a_symbol_are_one_token(symbol):
    for spelling in (symbol.unicode, symbol.ascii):
        [tok, _eof] = Lexer(Source(spelling)).tokens(layout=False)
        assert tok.value == symbol.name


@pytest.mark.parametrize("word,canonical", [("true", "tt"), ("false", "ff"), ("tt", "tt"), ("ff", "ff")])
def test_constants_have_one_canonical_spelling(word, canonical):
    [tok, _eof] = Lexer(Source(word)).tokens(layout=False)
    assert (tok.kind, tok.value) == ("KW", canonical)


def test_every_reserved_word_is_a_keyword_token():
    for word in lexicon.RESERVED:
        [tok, _eof] = Lexer(Source(word)).tokens(layout=False)
        assert tok.kind == "KW", word


def test_the_printer_writes_the_table_spellings():
    term = parse_term("λf:Bool -o Nat. λn:Nat. iter{f tt | y => succ y}(n)")
    unicode, ascii_ = pretty(term), pretty(term, ascii=True)
    for s in lexicon.SYMBOLS:
        assert s.unicode in unicode and s.ascii in ascii_
    assert lexicon.to_ascii(unicode) == ascii_


@pytest.mark.parametrize("sequence,symbol", sorted(lexicon.INPUT_SEQUENCES.items()))
def test_every_input_sequence_completes_to_its_symbol(sequence, symbol):
    found = assist.complete(None, "x " + sequence)
    assert symbol in found.matches
    assert found.start == 2


def test_the_brief_input_sequences():
    for seq, sym in {"\\lambda": "λ", "\\multimap": "⊸", "\\-o": "⊸", "\\to": "⊸", "\\hookrightarrow": "↪",
                     "\\=>": "↪", "\\Bool": "𝟚", "\\Nat": "ℕ"}.items():
        assert lexicon.INPUT_SEQUENCES[seq] == sym


_TEXT = st.lists(st.sampled_from(list("ab ()\n:.λ\\⊸-o=>↪𝟚ℕ#→0;?") + ["--", "tt", "Nat", "?h"]), max_size=30).map("".join)


@given(_TEXT)
def test_the_editor_scan_and_the_tokenizer_agree(text):
    """Where the tokenizer accepts a text, the tolerant scan the editor helpers use finds the
    same tokens."""
    try:
        toks = Lexer(Source(text)).tokens(layout=False)
    except CajalSyntaxError:
        assume(False)
    scanned = [(lexicon.SPELLINGS.get(t, t), o) for _k, t, o in scan(text)]
    assert scanned == [(t.value, t.offset) for t in toks if t.kind != "EOF"]
