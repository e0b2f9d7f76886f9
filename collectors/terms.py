"""The term query language of entities and topics: parse a term into an expression tree.

A term is an expression: words (case-insensitive, on word boundaries, so ``Bahn`` does not
match ``Bahnhof``), ``"quoted phrases"``, a trailing ``*`` for a prefix (``Bahn*``),
``AND`` (also implied between neighbours), ``OR``, ``NOT`` or a leading ``-``, and
parentheses. Each word or phrase becomes an atom (``Word``) holding a regular expression;
``evaluate`` says whether a term holds given the atoms found in a text (``collectors.matching``
finds them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')


@dataclass(frozen=True)
class Word:
    """An atom: one word, phrase or prefix."""

    pattern: str  # regex source for this atom


@dataclass(frozen=True)
class Not:
    """Holds when ``arg`` does not."""

    arg: Node


@dataclass(frozen=True)
class All:
    """Holds when every one of ``args`` does (``AND``, or neighbours)."""

    args: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    """Holds when one of ``args`` does (``OR``)."""

    args: tuple[Node, ...]


Node = Word | Not | All | Any_


def _atom_pattern(text: str) -> str:
    prefix = text.endswith("*")
    words = text.rstrip("*").split()
    if not words or not any(ch.isalnum() for ch in text):
        raise ValueError(f"{text!r} has nothing to match")
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    return rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)")


def parse(term: str) -> Node:
    """Parse one term into an expression tree; ``ValueError`` says what is wrong."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    term = term.strip()
    while pos < len(term):
        m = _TOKEN.match(term, pos)
        if not m or m.end() == pos:
            raise ValueError(f"unbalanced quote near {term[pos:]!r}")
        pos = m.end()
        if m.group(1):
            tokens.append(("(", "("))
        elif m.group(2):
            tokens.append((")", ")"))
        elif m.group(3) is not None:
            tokens.append(("atom", m.group(3)))
        elif m.group(4) in ("AND", "OR", "NOT"):
            tokens.append((m.group(4), m.group(4)))
        elif m.group(4).startswith("-") and len(m.group(4)) > 1:
            tokens.extend([("NOT", "NOT"), ("atom", m.group(4)[1:])])
        else:
            tokens.append(("atom", m.group(4)))
    if not tokens:
        raise ValueError("the term is empty")
    i = 0

    def peek() -> str | None:
        return tokens[i][0] if i < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal i
        i += 1
        return tokens[i - 1]

    def or_expr() -> Node:
        args = [and_expr()]
        while peek() == "OR":
            take()
            args.append(and_expr())
        return args[0] if len(args) == 1 else Any_(tuple(args))

    def and_expr() -> Node:
        args = [not_expr()]
        while peek() in ("AND", "NOT", "atom", "("):
            if peek() == "AND":
                take()
            args.append(not_expr())
        return args[0] if len(args) == 1 else All(tuple(args))

    def not_expr() -> Node:
        if peek() == "NOT":
            take()
            return Not(not_expr())
        return atom()

    def atom() -> Node:
        kind, value = take() if peek() else ("end", "")
        if kind == "atom":
            return Word(_atom_pattern(value))
        if kind == "(":
            node = or_expr()
            if peek() != ")":
                raise ValueError("a '(' is never closed")
            take()
            return node
        raise ValueError(f"expected a word, phrase or '(' but found {value or 'the end'!r}")

    node = or_expr()
    if i != len(tokens):
        raise ValueError(f"unexpected {tokens[i][1]!r}")
    return node


def atoms(node: Node) -> list[str]:
    """The regex sources of the atoms (``Word``) in ``node``, in order, with repeats."""
    if isinstance(node, Word):
        return [node.pattern]
    if isinstance(node, Not):
        return atoms(node.arg)
    return [p for a in node.args for p in atoms(a)]


def evaluate(node: Node, hits: set[str]) -> bool:
    """Whether ``node`` holds when exactly the atoms (regex sources) in ``hits`` were found."""
    if isinstance(node, Word):
        return node.pattern in hits
    if isinstance(node, Not):
        return not evaluate(node.arg, hits)
    if isinstance(node, All):
        return all(evaluate(a, hits) for a in node.args)
    return any(evaluate(a, hits) for a in node.args)
