"""Which configured entities a text mentions: the one matcher of the collectors and the analysis.

The terms are parsed by ``collectors.terms`` (whose names are importable from here too). Two
parts do the work, for both users:

- ``AtomScanner``: which atoms (the ``Word`` regexes of the parsed terms) occur in a text. Each
  atom's regex runs only when a literal that every match of it contains occurs in the text (one
  Aho-Corasick pass finds all such literals, ``Literals``), and then only where a match can start;
- ``Rules``: which entities match, given the atoms found.

``Matcher`` is the collectors' use: the text as it is, case-insensitive (``re.IGNORECASE``), with
the terms that matched. ``analysis.fastmatch.FastMatcher`` is the analysis's: already lower-cased
text, atoms lower-cased and run case-sensitively (``lower=True``). The two agree on lower-case text
except for characters that ``re.IGNORECASE`` equates and ``str.lower`` does not: ``ı`` and ``ſ``
match ``i`` and ``s`` only in the collectors, and ``İ`` lower-cases to ``i`` plus a combining dot.
They also differ for a term that holds without any atom (``NOT x``): see ``Rules.names``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

import ahocorasick

from collectors.terms import All, Any_, Node, Not, Word, evaluate, parse
from collectors.terms import atoms as atoms_of
from earshot.config import Entity
from earshot.errors import ConfigError

__all__ = ["All", "Any_", "AtomScanner", "Literals", "Matcher", "Node", "Not", "Rule", "Rules", "Word", "evaluate",
           "parse"]

_WORD_START = r"(?<!\w)"
_second = itemgetter(1)
_QUANTIFIERS = ("*", "+", "?", "{")


class Literals:
    """Which of a fixed set of literal strings occur in a text: ``present(text)`` is exactly
    ``{w for w in words if w in text}`` (for non-empty words). Up to ``FEW`` words it is just that (a C-level
    substring test each); for more, one pass over the text by an Aho-Corasick automaton (pyahocorasick,
    in C) finds them all, whatever their number."""

    FEW = 16  # measured: below about this many words the substring tests cost less than the automaton

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w for w in words if w})
        self._automaton: ahocorasick.Automaton | None = None
        if len(self.words) > self.FEW:
            self._automaton = ahocorasick.Automaton()
            for w in self.words:
                self._automaton.add_word(w, w)
            self._automaton.make_automaton()

    def present(self, text: str) -> set[str]:
        if self._automaton is None:
            return {w for w in self.words if w in text}
        return set(map(_second, self._automaton.iter(text)))  # (end, word) per occurrence


def _literal(pattern: str, lower: bool) -> tuple[str, int, int] | None:
    """A string every match of an atom contains, how many characters into the match it starts and where it
    ends in ``pattern``; None when there is none (then the atom is searched in full).

    Only the part of the pattern whose every token matches exactly one character is read (up to the first
    class, group or quantifier), and of it the longest run of characters that can be looked up as they are:
    - ``lower`` (the pattern runs case-sensitively on the text searched): any characters, so the run is all
      of that part and starts the match;
    - otherwise, ASCII letters, digits and ``_`` (``re.escape`` leaves them as they are; ``@`` or an escaped
      ``#`` in front just shift the run), case-folded, to be looked up in the case-folded text. So
      ``literal in _fold(text)`` can never miss a match that ``re.IGNORECASE`` would find, and where the
      folded text lines up with the text, every match starts at an occurrence of the literal less the offset.
    """
    if not pattern.startswith(_WORD_START):
        return None
    body = pattern[len(_WORD_START):]
    runs: list[tuple[str, int, int]] = []
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
        if lower or (ch.isascii() and (ch.isalnum() or ch == "_")):
            run.append(ch)
        elif run:
            runs.append(("".join(run), width - len(run), len(_WORD_START) + i))
            run = []
        i += step
        width += 1
    if run:
        runs.append(("".join(run), width - len(run), len(_WORD_START) + i))
    best = max(runs, key=lambda r: len(r[0]), default=None)  # the first of the longest
    if best is None or lower:
        return best
    return best[0].casefold(), best[1], best[2]


def _leading(pattern: str, end: int, width: int) -> str:
    """An atom's pattern whose literal starts every match (``_literal`` with ``lower``), rewritten to start
    with that literal, so the engine skips straight to its occurrences: the check for no word character
    before the match follows the literal, looking back past its ``width`` characters."""
    return pattern[len(_WORD_START):end] + rf"(?<!\w[\s\S]{{{width}}})" + pattern[end:]


def _fold(text: str) -> str:
    """``text`` case-folded for the literal lookup. re.IGNORECASE also lets ``i`` match the Turkish
    İ (which folds to i + a combining dot) and dotless ı: both become a plain i here."""
    folded = text.casefold()
    if "ı" in folded or "\u0307" in folded:
        folded = folded.replace("i\u0307", "i").replace("ı", "i")
    return folded


class AtomScanner:
    """Which of a set of atoms (regex sources) occur in a text.

    ``lower=False``: each atom runs with ``re.IGNORECASE`` on the text as it is. ``lower=True``: the text
    given is already lower-cased and each atom runs lower-cased, case-sensitively (faster)."""

    def __init__(self, patterns: Iterable[str], lower: bool = False) -> None:
        self.lower = lower
        every = sorted(set(patterns))
        # What each atom means here; the scan may run an equivalent form (see ``_leading``).
        self.regexes = {p: re.compile(p.lower()) if lower else re.compile(p, re.IGNORECASE) for p in every}
        # Atoms grouped by their literal (each literal looked up once per text); those without one run in full.
        gated: dict[str, list[tuple[str, re.Pattern[str], int]]] = {}
        self._ungated: list[tuple[str, re.Pattern[str]]] = []
        for p, rx in self.regexes.items():
            lit = _literal(rx.pattern, lower)
            if lit is None:
                self._ungated.append((p, rx))
                continue
            if lower:  # the literal starts every match (offset 0): let the engine find it
                rx = re.compile(_leading(rx.pattern, lit[2], len(lit[0])))
            gated.setdefault(lit[0], []).append((p, rx, lit[1]))
        self._gated = gated
        self._literals = Literals(gated)

    def hits(self, text: str) -> set[str]:
        """The atoms (regex sources) found in ``text`` (lower-cased already, for ``lower=True``)."""
        if self.lower:  # each regex starts with its literal (``_leading``): one search tries just its occurrences
            gated = self._gated
            found = {p for lit in self._literals.present(text) for p, rx, _ in gated[lit] if rx.search(text)}
        else:
            folded = text.casefold()
            # Full case folding maps each character to one or more: the same length means each to one, so an
            # index into the folded text is an index into the text.
            aligned = len(folded) == len(text)
            if "ı" in folded or "\u0307" in folded:
                folded = _fold(text)
                aligned = False
            found = set()
            for lit in self._literals.present(folded):
                group = self._gated[lit]
                if not aligned:
                    found.update(p for p, rx, _ in group if rx.search(text))
                    continue
                # Every match starts where an occurrence of the literal starts, less its offset: try just those.
                at = folded.find(lit)
                again = folded.find(lit, at + 1)
                if again < 0:  # the usual case: one occurrence
                    for p, rx, offset in group:
                        if at >= offset and rx.match(text, at - offset):
                            found.add(p)
                    continue
                starts = [at]
                while again >= 0:
                    starts.append(again)
                    again = folded.find(lit, again + 1)
                for p, rx, offset in group:
                    for at in starts:
                        if at >= offset and rx.match(text, at - offset):
                            found.add(p)
                            break
        for p, rx in self._ungated:
            if rx.search(text):
                found.add(p)
        return found


@dataclass
class Rule:
    """One entity: it matches when one of its terms holds and none of its exclusions does."""

    name: str
    terms: list[tuple[str, Node]]  # (the term as configured, parsed)
    exclude: list[Node]
    patterns: frozenset[str] = field(init=False)  # the atoms (regex sources) of its terms and exclusions
    # Terms as (term, regex source of a term that is a single atom or None, node).
    checks: list[tuple[str, str | None, Node]] = field(init=False)
    words: frozenset[str] = field(init=False)  # terms that are a single atom
    others: list[Node] = field(init=False)  # the other terms
    exclude_atoms: frozenset[str] = field(init=False)  # exclusions that are a single atom
    exclude_nodes: list[Node] = field(init=False)  # the others
    simple: bool = field(init=False)  # every term is a single atom

    def __post_init__(self) -> None:
        nodes = [n for _, n in self.terms] + self.exclude
        self.patterns = frozenset(p for n in nodes for p in atoms_of(n))
        self.checks = [(term, node.pattern if isinstance(node, Word) else None, node) for term, node in self.terms]
        self.words = frozenset(atom for _, atom, _ in self.checks if atom)
        self.others = [node for _, atom, node in self.checks if not atom]
        self.exclude_atoms = frozenset(n.pattern for n in self.exclude if isinstance(n, Word))
        self.exclude_nodes = [n for n in self.exclude if not isinstance(n, Word)]
        self.simple = not self.others

    @property
    def atoms(self) -> dict[str, re.Pattern[str]]:
        """Its atoms' regexes as the collectors run them (case-insensitive): the plain reference."""
        return {p: re.compile(p, re.IGNORECASE) for p in sorted(self.patterns)}


class Rules:
    """Entities in the order given, their terms (terms and aliases) and exclusions parsed.

    ``where(i, entity)`` names the ``i``-th entity in the ``ConfigError`` of a term that does not parse."""

    def __init__(self, entities: list[Entity], where: Callable[[int, Entity], str]) -> None:
        self.rules: list[Rule] = []
        for i, ent in enumerate(entities):
            parsed: dict[str, list[tuple[str, Node]]] = {"terms": [], "exclude": []}
            for field_name, items in (("terms", ent.terms + ent.aliases), ("exclude", ent.exclude)):
                for term in items:
                    try:
                        parsed[field_name].append((term, parse(term)))
                    except ValueError as exc:
                        raise ConfigError(
                            f"{where(i, ent)} has a bad {field_name} entry {term!r}: {exc}.",
                            "Fix the term; quote phrases with double quotes.",
                        ) from None
            self.rules.append(Rule(ent.name, parsed["terms"], [n for _, n in parsed["exclude"]]))
        self.patterns = frozenset(p for r in self.rules for p in r.patterns)
        self._plan = [(r.name, r.words, r.others, r.exclude_atoms, r.exclude_nodes) for r in self.rules]
        # Which entities ``names`` tries for the atoms found: those with an atom found that one of their terms
        # needs (``_needs``), and always those with a term that may hold with no atom found (``NOT x``).
        by_atom: dict[str, set[int]] = {}
        always: list[int] = []
        for i, r in enumerate(self.rules):
            needs = [_needs(t) for t in r.others]
            if any(n is None for n in needs):
                always.append(i)
                continue
            for atom in r.words.union(*needs):
                by_atom.setdefault(atom, set()).add(i)
        self._always = tuple(always)
        self._by_atom = {atom: tuple(sorted(ids)) for atom, ids in by_atom.items()}

    def match(self, found: set[str]) -> tuple[list[str], list[str]]:
        """Entities that match given the atoms ``found`` and the terms that made them match (each once, in
        order). An entity none of whose atoms was found never matches."""
        names: list[str] = []
        matched: list[str] = []
        for r in self.rules:
            if r.patterns.isdisjoint(found):
                continue
            if r.simple:
                terms = [term for term, atom, _ in r.checks if atom in found]
            else:
                terms = [term for term, atom, node in r.checks if (atom in found if atom else evaluate(node, found))]
            if not terms or not r.exclude_atoms.isdisjoint(found):
                continue
            if r.exclude_nodes and any(evaluate(n, found) for n in r.exclude_nodes):
                continue
            names.append(r.name)
            for term in terms:
                if term not in matched:
                    matched.append(term)
        return names, matched

    def names(self, found: set[str]) -> list[str]:
        """Names of the entities that match given the atoms ``found`` (which may hold atoms of other rules).

        Unlike ``match``, an entity is tried even when none of its own atoms was found: a term such as
        ``NOT x`` holds whenever ``x`` was not found (callers skip texts where nothing was found at all)."""
        tried = set(self._always)
        by_atom = self._by_atom
        for atom in found:
            hit = by_atom.get(atom)
            if hit:
                tried.update(hit)
        plan = self._plan
        out = []
        for i in sorted(tried):
            name, words, others, xwords, xnodes = plan[i]
            if ((words and not words.isdisjoint(found)) or (others and any(evaluate(t, found) for t in others))) \
                    and (not xwords or xwords.isdisjoint(found)) \
                    and (not xnodes or not any(evaluate(x, found) for x in xnodes)):
                out.append(name)
        return out


def _needs(node: Node) -> frozenset[str] | None:
    """Atoms of which at least one must be found for ``node`` to hold; None if it can hold with none."""
    if isinstance(node, Word):
        return frozenset([node.pattern])
    if isinstance(node, Not):
        return None
    parts = [_needs(a) for a in node.args]
    if isinstance(node, All):  # every part must hold: the need of any one part is a need of the whole
        known = [p for p in parts if p is not None]
        return min(known, key=len) if known else None
    return None if any(p is None for p in parts) else frozenset().union(*parts)


class Matcher:
    """Match texts (as they are, case-insensitive) against entities in config order (company first,
    competitors after)."""

    def __init__(self, entities: list[Entity]) -> None:
        self.rules = Rules(entities, lambda i, ent: f"entity {ent.name!r} (entities/competitors[{i}])")
        self.entities = self.rules.rules
        self.scanner = AtomScanner(self.rules.patterns)
        self._hits, self._match = self.scanner.hits, self.rules.match

    def hits(self, text: str) -> set[str]:
        """The atoms (regex sources) found in ``text``."""
        return self.scanner.hits(text)

    def match(self, text: str) -> tuple[list[str], list[str]]:
        """Entities that match ``text`` (config order) and the terms that made them match."""
        if not text:
            return [], []
        hits = self._hits(text)
        return self._match(hits) if hits else ([], [])
