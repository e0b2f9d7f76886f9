"""Match text against the configured entities with a small query language.

A term is an expression: words (case-insensitive, on word boundaries, so ``Bahn`` does not
match ``Bahnhof``), ``"quoted phrases"``, a trailing ``*`` for a prefix (``Bahn*``),
``AND`` (also implied between neighbours), ``OR``, ``NOT`` or a leading ``-``, and
parentheses. An entity matches when any of its terms or aliases matches and none of its
exclusions does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from earshot.config import Entity
from earshot.errors import ConfigError

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')


@dataclass(frozen=True)
class Word:
    pattern: str  # regex source for this atom


@dataclass(frozen=True)
class Not:
    arg: Node


@dataclass(frozen=True)
class All:
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
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


def _atoms(node: Node) -> list[str]:
    if isinstance(node, Word):
        return [node.pattern]
    if isinstance(node, Not):
        return _atoms(node.arg)
    return [p for a in node.args for p in _atoms(a)]


def evaluate(node: Node, hits: set[str]) -> bool:
    """Whether ``node`` holds when exactly the atoms (regex sources) in ``hits`` were found."""
    if isinstance(node, Word):
        return node.pattern in hits
    if isinstance(node, Not):
        return not evaluate(node.arg, hits)
    if isinstance(node, All):
        return all(evaluate(a, hits) for a in node.args)
    return any(evaluate(a, hits) for a in node.args)


_WORD_START = r"(?<!\w)"
_QUANTIFIERS = ("*", "+", "?", "{")


def _literal(pattern: str) -> tuple[str, int] | None:
    """A case-folded ASCII word every match of an atom contains, and how many characters into the
    match it starts; None when there is none (then no shortcut).

    Only the part of the pattern whose every token matches exactly one character is read (up to the
    first class, group or quantifier), and of it the longest run of ASCII letters, digits and ``_``
    (``re.escape`` leaves them as they are; ``@`` or an escaped ``#`` in front just shift the run). So
    the test ``literal in _fold(text)`` can never miss a match that ``re.IGNORECASE`` would find, and
    where the folded text lines up with the text, every match starts at an occurrence of the word
    less that offset.
    """
    if not pattern.startswith(_WORD_START):
        return None
    body = pattern[len(_WORD_START):]
    runs: list[tuple[str, int]] = []
    run: list[str] = []
    i = width = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            ch = body[i + 1:i + 2]
            if not ch or ch.isalnum():
                break  # a class such as \w or \s: the fixed-width part ends here
            step = 2
        elif ch in "[(|?*+{.^$)":
            break  # a class, group, alternation, quantifier or wildcard
        else:
            step = 1
        if body[i + step:i + step + 1] in _QUANTIFIERS:
            break  # a quantified character may match more or fewer than one
        if ch.isascii() and (ch.isalnum() or ch == "_"):
            run.append(ch)
        elif run:
            runs.append(("".join(run), width - len(run)))
            run = []
        i += step
        width += 1
    if run:
        runs.append(("".join(run), width - len(run)))
    best = max(runs, key=lambda r: len(r[0]), default=None)  # the first of the longest
    return (best[0].casefold(), best[1]) if best and len(best[0]) >= 2 else None


def _fold(text: str) -> str:
    """``text`` case-folded for the literal shortcut. re.IGNORECASE also lets ``i`` match the Turkish
    İ (which folds to i + a combining dot) and dotless ı: both become a plain i here."""
    folded = text.casefold()
    if "ı" in folded or "\u0307" in folded:
        folded = folded.replace("i\u0307", "i").replace("ı", "i")
    return folded


@dataclass
class _Compiled:
    name: str
    terms: list[tuple[str, Node]]
    exclude: list[Node]
    atoms: dict[str, re.Pattern[str]]
    patterns: frozenset[str] = frozenset()  # the atoms' regex sources
    # Terms and exclusions as (term, regex source of a term that is a single atom or None, node).
    checks: list[tuple[str, str | None, Node]] = field(default_factory=list)
    exclude_atoms: frozenset[str] = frozenset()  # exclusions that are a single atom
    exclude_nodes: list[Node] = field(default_factory=list)  # the others
    simple: bool = field(init=False, default=False)  # every term is a single atom

    def __post_init__(self) -> None:
        self.simple = all(atom for _, atom, _ in self.checks)


def _single(node: Node) -> str | None:
    return node.pattern if isinstance(node, Word) else None


class Matcher:
    """Match texts against entities in config order (company first, competitors after)."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entities: list[_Compiled] = []
        for i, ent in enumerate(entities):
            terms: list[tuple[str, Node]] = []
            exclude: list[Node] = []
            for field_name, items in (("terms", ent.terms + ent.aliases), ("exclude", ent.exclude)):
                for term in items:
                    try:
                        node = parse(term)
                    except ValueError as exc:
                        raise ConfigError(
                            f"entity {ent.name!r} (entities/competitors[{i}]) has a bad {field_name} entry "
                            f"{term!r}: {exc}.",
                            "Fix the term; quote phrases with double quotes.",
                        ) from None
                    (terms.append((term, node)) if field_name == "terms" else exclude.append(node))
            nodes = [n for _, n in terms] + exclude
            patterns = {p for n in nodes for p in _atoms(n)}
            self.entities.append(_Compiled(
                ent.name, terms, exclude, {p: re.compile(p, re.IGNORECASE) for p in patterns}, frozenset(patterns),
                [(term, _single(node), node) for term, node in terms],
                frozenset(n.pattern for n in exclude if isinstance(n, Word)),
                [n for n in exclude if not isinstance(n, Word)],
            ))
        compiled = {p: rx for e in self.entities for p, rx in e.atoms.items()}
        every = sorted(compiled)
        # Where some atom has no literal: one pass over the text finds whether any atom can hit at all
        # (most items: once). The shared word-start lookbehind goes in front of the alternation, so it
        # is tried once per position.
        if every and all(p.startswith(_WORD_START) for p in every):
            alternatives = "|".join(f"(?:{p[len(_WORD_START):]})" for p in every)
            self._any = re.compile(f"{_WORD_START}(?:{alternatives})", re.IGNORECASE)
        else:
            self._any = re.compile("|".join(f"(?:{p})" for p in every), re.IGNORECASE) if every else None
        # Cheaper: a literal every hit must contain (see _literal). Atoms are looked up by their literal
        # (each literal searched once per text); those without one are searched in full.
        literals = {p: _literal(p) for p in every}
        self._all_literal = bool(every) and all(literals.values())
        gated: dict[str, list[tuple[str, re.Pattern[str], int]]] = {}
        for p, lit in literals.items():
            if lit:
                gated.setdefault(lit[0], []).append((p, compiled[p], lit[1]))
        self._gated = list(gated.items())
        self._ungated = [(p, compiled[p]) for p, lit in literals.items() if not lit]

    def hits(self, text: str) -> set[str]:
        """The atoms (regex sources) found in ``text``."""
        folded = text.casefold()
        # Full case folding maps each character to one or more: the same length means each to one, so
        # an index into the folded text is an index into the text.
        aligned = len(folded) == len(text)
        if "ı" in folded or "\u0307" in folded:
            folded = _fold(text)
            aligned = False
        found: set[str] = set()
        for lit, atoms in self._gated:
            at = folded.find(lit)
            if at < 0:
                continue
            if not aligned:
                found.update(p for p, rx, _ in atoms if rx.search(text))
                continue
            # Every match starts where an occurrence of the literal starts, less its offset: try just those.
            again = folded.find(lit, at + 1)
            if again < 0:  # the usual case: one occurrence
                for p, rx, offset in atoms:
                    if at >= offset and rx.match(text, at - offset):
                        found.add(p)
                continue
            starts = [at]
            while again >= 0:
                starts.append(again)
                again = folded.find(lit, again + 1)
            for p, rx, offset in atoms:
                for at in starts:
                    if at >= offset and rx.match(text, at - offset):
                        found.add(p)
                        break
        for p, rx in self._ungated:
            if rx.search(text):
                found.add(p)
        return found

    def match(self, text: str) -> tuple[list[str], list[str]]:
        """Entities that match ``text`` (config order) and the terms that made them match."""
        if not text or self._any is None:
            return [], []
        if not self._all_literal and not self._any.search(text):
            return [], []
        hits = self.hits(text)
        if not hits:
            return [], []
        names: list[str] = []
        matched: list[str] = []
        for ent in self.entities:
            if ent.patterns.isdisjoint(hits):
                continue
            if ent.simple:
                found = [term for term, atom, _ in ent.checks if atom in hits]
            else:
                found = [term for term, atom, node in ent.checks if (atom in hits if atom else evaluate(node, hits))]
            if not found or not ent.exclude_atoms.isdisjoint(hits):
                continue
            if ent.exclude_nodes and any(evaluate(n, hits) for n in ent.exclude_nodes):
                continue
            names.append(ent.name)
            for term in found:
                if term not in matched:
                    matched.append(term)
        return names, matched
