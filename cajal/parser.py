"""Recursive-descent parser for the grammar of LANGUAGE.md section 2."""

from __future__ import annotations

from typing import Optional, get_args

from . import lexicon
from .errors import CajalSyntaxError, Source, Span
from .syntax import (
    Abstract,
    App,
    Arrow,
    BoolLit,
    BoolType,
    Def,
    Directive,
    Hole,
    If,
    Item,
    Iter,
    Lam,
    Let,
    Nat,
    NatType,
    Param,
    Term,
    TermItem,
    Type,
    TypeDecl,
    Var,
    succ,
)
from .tokens import Lexer, Token, line_items

MAX_DEPTH = 2000  # nesting deeper than this is refused with a message, not a RecursionError

_ARG_START = {"tt", "ff", "zero", "iter", "(", "succ"}
_BLOCK_START = {"λ", "if", "let"}


def parse_cell(text: str, first_line: int = 1, name: Optional[str] = None) -> list[Item]:
    """Parse a whole cell (or a `.cj` file, `name`) into its items (definitions, type
    declarations, directives, terms)."""
    return list(iter_cell(text, first_line, name))


def iter_cell(text: str, first_line: int = 1, name: Optional[str] = None):
    """Parse a cell one item at a time, so that the items before a syntax error still run.
    `name` is the file the text was read from, for the places errors name."""
    source = Source(text, first_line, name)
    for start, end in line_items(text):
        parser = _Parser(Lexer(source, start, end).tokens(), source)
        yield from parser.cell()


def parse_term(text: str, first_line: int = 1) -> Term:
    """Parse one term (`λx:𝟚. x`); the whole text must be the term."""
    return _parse_alone(Source(text, first_line), 0, None, "term")


def parse_type(text: str, first_line: int = 1) -> Type:
    """Parse one type (`𝟚 ⊸ ℕ`)."""
    return _parse_alone(Source(text, first_line), 0, None, "type")


def as_term(term) -> Term:
    """A term given as a Term or as its source (the API accepts both); anything else is a
    TypeError that says what was expected."""
    if isinstance(term, str):
        return parse_term(term)
    if not isinstance(term, get_args(Term)):
        raise TypeError(f"expected a Cajal term (a Term, or its source as a str), not {type(term).__name__}")
    return term


def as_type(t) -> Type:
    """A type given as a Type or as its source."""
    if isinstance(t, str):
        return parse_type(t)
    if not isinstance(t, get_args(Type)):
        raise TypeError(f"expected a Cajal type (a Type, or its source as a str such as '𝟚 ⊸ ℕ'), "
                        f"not {type(t).__name__}")
    return t


def parse_fragment(source: Source, start: int, end: int, what: str = "term"):
    """Parse a term or type found at [start, end) of a larger source (a directive's argument)."""
    return _parse_alone(source, start, end, what)


def _parse_alone(source: Source, start: int, end: Optional[int], what: str):
    tokens = Lexer(source, start, end).tokens(layout=False)
    parser = _Parser(tokens, source)
    if parser.peek().kind == "EOF":
        raise CajalSyntaxError(f"empty input: expected a {what}", parser.peek().span,
                               hint="write a term such as `λx:𝟚. x`" if what == "term" else "write a type such as `𝟚 ⊸ ℕ`")
    result = parser.term() if what == "term" else parser.type()
    parser.expect_end()
    return result


class _Parser:
    def __init__(self, tokens: list[Token], source: Source):
        from .errors import ensure_recursion_limit
        ensure_recursion_limit()
        self.tokens = tokens
        self.pos = 0
        self.source = source
        self.depth = 0

    # -------------------------------------------------------------- helpers

    def peek(self, ahead: int = 0) -> Token:
        if not ahead:
            return self.tokens[self.pos]  # the last token is EOF, which advance() never passes
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.peek()
        if tok.kind != "EOF":
            self.pos += 1
        return tok

    def at(self, value: str) -> bool:
        return self.peek().is_(value)

    def expect(self, value: str, context: str, opener: Optional[Token] = None) -> Token:
        tok = self.peek()
        if tok.is_(value):
            return self.advance()
        if opener is not None and tok.kind in ("EOF", "SEP"):
            raise CajalSyntaxError(
                f"unclosed `{opener.value}`: expected `{value}` {context}", opener.span,
                hint=f"add the matching `{value}`" + self._layout_hint(tok))
        raise CajalSyntaxError(f"expected `{value}` {context}, but found {tok.describe()}", tok.span,
                               hint=self._expected_hint(value, tok))

    def _expected_hint(self, value: str, tok: Token) -> Optional[str]:
        hints = {
            "then": "an `if` is written `if c then a else b`",
            "else": "every `if` needs an `else` branch: `if c then a else b`",
            "in": "a `let` is written `let x = e in body`",
            ".": "a λ is written `λx:τ. body` (ASCII: `\\x:τ. body`)",
            ":": "a λ's variable needs its type: `λx:𝟚. body`",
            "↪": "an `iter` is written `iter{base | y ↪ step}(count)` (ASCII: `=>` for ↪)",
            "=": "a definition is written `def name (x : τ) : τ = body`",
        }
        hint = hints.get(value)
        return (hint or "") + self._layout_hint(tok) or None

    @staticmethod
    def _layout_hint(tok: Token) -> str:
        if (tok.kind == "SEP" and tok.value != ";") or (tok.kind == "EOF" and tok.value == "item"):
            return "; if the next line continues this item, indent it"
        return ""

    def ident(self, context: str) -> Token:
        tok = self.peek()
        if tok.kind == "IDENT":
            return self.advance()
        if tok.kind == "KW":
            raise CajalSyntaxError(f"`{tok.value}` is a keyword and cannot be used as a name {context}",
                                   tok.span, hint="choose another name")
        raise CajalSyntaxError(f"expected a name {context}, but found {tok.describe()}", tok.span)

    def expect_end(self) -> None:
        tok = self.peek()
        if tok.kind != "EOF":
            hint = None
            if tok.is_(")") or tok.is_("}"):
                hint = f"this `{tok.value}` has no matching opening bracket"
            raise CajalSyntaxError(f"unexpected {tok.describe()} after the end of the term", tok.span, hint=hint)

    def span_from(self, start: Token) -> Span:
        last = self.tokens[max(self.pos - 1, 0)]
        return start.span.to(last.span)

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CajalSyntaxError(f"the program is nested more than {MAX_DEPTH} levels deep", tok.span,
                                   hint="split it into smaller definitions with `def`")

    # -------------------------------------------------------------- cells

    def cell(self) -> list[Item]:
        items: list[Item] = []
        while self.peek().kind != "EOF":
            if self.peek().kind == "SEP":
                self.advance()
                continue
            items.append(self.item())
            tok = self.peek()
            if tok.kind not in ("SEP", "EOF"):
                raise CajalSyntaxError(
                    f"unexpected {tok.describe()}", tok.span,
                    hint="put each definition or term on its own line (or separate them with `;`)"
                    if tok.is_("def") or tok.is_("type") else self._stray_hint(tok))
        return items

    @staticmethod
    def _stray_hint(tok: Token) -> Optional[str]:
        if tok.is_(")") or tok.is_("}"):
            return f"this `{tok.value}` has no matching opening bracket"
        return None

    def item(self) -> Item:
        tok = self.peek()
        if tok.kind == "DIRECTIVE":
            self.advance()
            raw = self.source.text[tok.offset:tok.end]
            text = raw.strip()
            return Directive(tok.value, text, tok.span, tok.offset + len(raw) - len(raw.lstrip()))
        if tok.is_("def"):
            return self.definition()
        if tok.is_("type"):
            self.advance()
            name = self.ident("after `type`")
            return TypeDecl(name.value, tok.span.to(name.span))
        term = self.term()
        return TermItem(term, term.span)

    def definition(self) -> Def:
        start = self.advance()
        name = self.ident("after `def`")
        params = []
        while self.at("("):
            open_ = self.advance()
            pname = self.ident("for a parameter")
            self.expect(":", f"after the parameter `{pname.value}`")
            ptype = self.type()
            self.expect(")", f"to close the parameter `{pname.value}`", open_)
            params.append(Param(pname.value, ptype, open_.span.to(self.tokens[self.pos - 1].span)))
        result = None
        if self.at(":"):
            self.advance()
            result = self.type()
        if not self.at("="):
            tok = self.peek()
            raise CajalSyntaxError(
                f"expected `=` in the definition of `{name.value}`, but found {tok.describe()}", tok.span,
                hint="a definition is written `def name (x : τ) : τ = body`; parameters need brackets: `(x : 𝟚)`"
                + self._layout_hint(tok))
        self.advance()
        body = self.term()
        return Def(name.value, tuple(params), result, body, self.span_from(start), name.span)

    # -------------------------------------------------------------- types

    def type(self) -> Type:
        start = self.peek()
        self.enter(start)
        left = self.atype()
        if self.at("⊸"):
            self.advance()
            right = self.type()
            left = Arrow(left, right, self.span_from(start))
        self.depth -= 1
        return left

    def atype(self) -> Type:
        tok = self.peek()
        if tok.is_("Bool"):
            self.advance()
            return BoolType(tok.span)
        if tok.is_("Nat"):
            self.advance()
            return NatType(tok.span)
        if tok.kind == "IDENT":
            self.advance()
            return Abstract(tok.value, tok.span)
        if tok.is_("("):
            self.advance()
            inner = self.type()
            self.expect(")", "to close the type", tok)
            return inner
        raise CajalSyntaxError(f"expected a type, but found {tok.describe()}", tok.span,
                               hint="types are 𝟚 (Bool), ℕ (Nat), τ ⊸ τ (-o), or a declared `type` name"
                               + self._layout_hint(tok))

    # -------------------------------------------------------------- terms

    def term(self) -> Term:
        tok = self.peek()
        self.enter(tok)
        try:
            if tok.is_("λ"):
                return self.lam()
            if tok.is_("if"):
                self.advance()
                cond = self.term()
                self.expect("then", "after the condition of `if`")
                then = self.term()
                self.expect("else", "after the then-branch of `if`")
                else_ = self.term()
                return If(cond, then, else_, self.span_from(tok))
            if tok.is_("let"):
                self.advance()
                name = self.ident("after `let`")
                self.expect("=", f"after `let {name.value}`")
                bound = self.term()
                self.expect("in", f"after the value of `{name.value}`")
                body = self.term()
                return Let(name.value, bound, body, self.span_from(tok), name.span)
            return self.app()
        finally:
            self.depth -= 1

    def lam(self) -> Term:
        tok = self.advance()
        name = self.ident("after λ")
        self.expect(":", f"after `λ{name.value}`")
        ptype = self.type()
        self.expect(".", f"after the type of `{name.value}`")
        body = self.term()
        return Lam(name.value, ptype, body, self.span_from(tok), name.span)

    def _starts_arg(self, tok: Token) -> bool:
        return tok.kind in ("IDENT", "NUM", "HOLE") or (tok.kind in ("KW", "SYM") and tok.value in _ARG_START)

    def app(self) -> Term:
        start = self.peek()
        if not self._starts_arg(start):
            raise CajalSyntaxError(f"expected a term, but found {start.describe()}", start.span,
                                   hint=self._term_hint(start))
        fn = self.arg()
        spine = 0  # `f a b c` nests its applications to the left: each one is a level
        try:
            while True:
                tok = self.peek()
                block = tok.kind in ("KW", "SYM") and tok.value in _BLOCK_START
                if not (block or self._starts_arg(tok)):
                    return fn
                spine += 1
                self.enter(tok)
                if block:
                    fn = App(fn, self.term(), self.span_from(start))  # `f λx:𝟚. x`: a last block argument
                else:
                    fn = App(fn, self.arg(), self.span_from(start))
        finally:
            self.depth -= spine

    def _term_hint(self, tok: Token) -> Optional[str]:
        if tok.kind in ("EOF", "SEP"):
            return "a term is missing here" + self._layout_hint(tok)
        if tok.is_(")") or tok.is_("}"):
            return f"this `{tok.value}` has no matching opening bracket, or a term is missing before it"
        if tok.is_("Bool") or tok.is_("Nat"):
            return "types appear only after `:`"
        return None

    def arg(self) -> Term:
        tok = self.peek()
        if tok.is_("succ"):
            count = 0
            while self.at("succ"):  # a chain of succ is a loop, not a recursion
                self.advance()
                count += 1
            inner = self.arg()
            if not isinstance(inner, Nat) and self.depth + count > MAX_DEPTH:
                self.depth += count
                self.enter(tok)
            for _ in range(count):
                inner = succ(inner, tok.span.to(inner.span))
            return inner
        return self.atom()

    def atom(self) -> Term:
        tok = self.advance()
        if tok.kind == "IDENT":
            return Var(tok.value, tok.span)
        if tok.kind == "NUM":
            return Nat(_numeral(tok.value), tok.span)
        if tok.kind == "HOLE":
            return Hole(tok.value[len(lexicon.HOLE):], tok.span)
        if tok.is_("tt") or tok.is_("ff"):
            return BoolLit(tok.value == "tt", tok.span)
        if tok.is_("zero"):
            return Nat(0, tok.span)
        if tok.is_("("):
            inner = self.term()
            self.expect(")", "to close the bracket", tok)
            return _respan(inner, tok.span.to(self.tokens[self.pos - 1].span))
        if tok.is_("iter"):
            open_ = self.expect("{", "after `iter`")
            base = self.term()
            self.expect("|", "after the base of `iter`")
            var = self.ident("for the step variable of `iter`")
            self.expect("↪", f"after the step variable `{var.value}`")
            step = self.term()
            self.expect("}", "to close the `iter{…}`", open_)
            open_count = self.expect("(", "for the count of `iter`: `iter{base | y ↪ step}(count)`")
            count = self.term()
            self.expect(")", "to close the count of `iter`", open_count)
            return Iter(base, var.value, step, count, self.span_from(tok), var.span)
        raise CajalSyntaxError(f"expected a term, but found {tok.describe()}", tok.span, hint=self._term_hint(tok))


def _numeral(digits: str) -> int:
    """The value of a numeral of any length (`int()` refuses strings of over 4300 digits)."""
    if len(digits) <= 4000:
        return int(digits)
    low = len(digits) // 2
    return _numeral(digits[:-low]) * 10 ** low + _numeral(digits[-low:])


def _respan(term: Term, span: Span) -> Term:
    """A bracketed term's span includes its brackets, so carets cover what the user wrote."""
    from dataclasses import replace
    return replace(term, span=span)
