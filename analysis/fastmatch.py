"""Term matching for the analysis, and regular-expression speed-ups for the cue tables.

``FastMatcher`` and ``MatcherGroup`` match the configured entities and topics on lower-cased text with
the one matcher of ``collectors.matching`` (``AtomScanner`` with ``lower=True``, and ``Rules``). The
helpers below them (``requirements``, ``quick``, ``Searcher``), with ``collectors.matching.Literals``, let
``analysis.cues`` answer its patterns without running most of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _compiler, _parser
from re import _constants as _c

from collectors.matching import AtomScanner, Node, Rules
from earshot.config import Entity


class FastMatcher:
    """Which entities (by name, config order) a lower-cased text matches (terms of ``collectors.terms``)."""

    def __init__(self, entities: list[Entity]) -> None:
        self.rules = Rules(entities, lambda i, ent: repr(ent.name))
        # (name, terms, exclusions) per entity, parsed.
        self.entities: list[tuple[str, list[Node], list[Node]]] = [
            (r.name, [n for _, n in r.terms], r.exclude) for r in self.rules.rules
        ]
        self.scanner = AtomScanner(self.rules.patterns, lower=True)
        self.atoms = self.scanner.regexes  # regex source -> its lower-cased regex

    def hits(self, lower: str) -> set[str]:
        """Atoms (regex sources) that occur in the lower-cased text."""
        return self.scanner.hits(lower)

    def match(self, text: str, lower: str | None = None) -> list[str]:
        """Names of the entities ``text`` matches."""
        found = self.scanner.hits(text.lower() if lower is None else lower)
        return self.rules.names(found) if found else []

    def match_found(self, found: set[str]) -> list[str]:
        """Names of the entities matched, given the atoms found in the text (``hits``; more atoms, of other
        matchers, may be in ``found``)."""
        return self.rules.names(found)


class MatcherGroup:
    """Several ``FastMatcher`` run over the same lower-cased text: one scan finds the atoms of all of them.

    ``match`` gives each matcher's ``match``, except that an entity whose terms hold without any atom
    (``NOT x``) is tried when an atom of any matcher of the group was found (``Rules.names``)."""

    def __init__(self, matchers: list[FastMatcher]) -> None:
        self.matchers = matchers
        self.scanner = AtomScanner({p for m in matchers for p in m.rules.patterns}, lower=True)
        self._names = [m.rules.names for m in matchers]
        self._known: dict[frozenset[str], tuple[list[str], ...]] = {}  # atoms found -> names (few combinations)

    def match(self, lower: str) -> list[list[str]]:
        """For each matcher, the names of the entities the text (lower-cased) matches."""
        found = self.scanner.hits(lower)
        if not found:
            return [[] for _ in self.matchers]
        key = frozenset(found)
        names = self._known.get(key)
        if names is None:
            if len(self._known) >= 50_000:
                self._known.clear()
            names = self._known[key] = tuple(names_of(found) for names_of in self._names)
        return [list(n) for n in names]


# -- regular expressions: the same answers, found faster ----------------------------------------------------
#
# Python's regex engine tries a pattern at every position of a text unless the pattern starts with a literal
# (or a small set of characters) that it can skip ahead to. The helpers below keep every pattern's exact
# answers (yes/no: "does it occur?") while letting most texts be answered by cheap tests:
# - ``requirements``: literal strings every match contains (from the parsed pattern); a text holding none
#   of one such set cannot match, so the pattern need not run;
# - ``Literals`` (from ``collectors.matching``): which of many literal strings occur in a text, in one pass;
# - ``quick``: the pattern rewritten so that it starts with its first literal characters (a leading ``\b``
#   or ``(?<!\w)`` is checked just after them instead);
# - ``Searcher``: all of it for one pattern (split at its top-level ``|``; a case-insensitive pattern runs
#   case-sensitively on text that is already lower-case, where that provably gives the same answer).
# They use the standard library's regex parser and compiler (``re._parser``, ``re._compiler``); on anything
# unexpected they fall back to the pattern as it is.

_MIN_LITERAL = 3  # shorter literals (sets with one) are too common to rule anything out
_RARE_CHARS = frozenset("?!.")  # but these end sentences: a pattern that needs one is skipped in a text without


def requirements(items: list, flags: int = 0) -> list[frozenset[str]]:
    """Sets of literal strings such that every match of the parsed pattern ``items`` contains at least one
    string of *each* set (a sequence needs each of its parts, an alternation one of its branches, a repeat
    with minimum 0 nothing). Only sets whose strings all have ``_MIN_LITERAL``+ characters, or are single
    characters that end sentences (``[.!?]``, a question mark); nothing for a case-insensitive pattern."""
    if flags & re.IGNORECASE:
        return []

    def needs(seq: list) -> list[frozenset[str]]:
        out: list[frozenset[str]] = []
        run = ""
        for op, av in seq:
            if op is _c.LITERAL:
                run += chr(av)
                continue
            if run:
                out.append(frozenset([run]))
                run = ""
            if op is _c.SUBPATTERN and not av[1] and not av[2]:  # a group without inline flags
                out.extend(needs(list(av[-1])))
            elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
                out.extend(needs(list(av[2])))
            elif op is _c.ATOMIC_GROUP:
                out.extend(needs(list(av)))
            elif op is _c.IN and all(iop is _c.LITERAL for iop, _ in av):  # a class of a few characters: [.!?]
                out.append(frozenset(chr(iav) for _, iav in av))
            elif op is _c.BRANCH:
                parts = [best(list(b)) for b in av[1]]
                if all(p is not None for p in parts):
                    out.append(frozenset().union(*parts))  # type: ignore[arg-type]
        if run:
            out.append(frozenset([run]))
        return [s for s in dict.fromkeys(out) if min(map(len, s)) >= _MIN_LITERAL or s <= _RARE_CHARS]

    def best(seq: list) -> frozenset[str] | None:
        return most_selective(needs(seq))

    return needs(list(items))


def most_selective(sets: list[frozenset[str]]) -> frozenset[str] | None:
    """The set whose shortest string is longest (the first such), or None."""
    found: frozenset[str] | None = None
    for s in sets:
        if found is None or min(map(len, s)) > min(map(len, found)):
            found = s
    return found


def _quick_items(state: object, items: list, flags: int) -> list | None:
    """``items`` (a parsed pattern) rewritten to start with literal characters, or None if that gains nothing.

    ``\\b`` before a word character means "no word character just before"; ``(?<!\\w)`` before any character
    but a newline means the same. Either is checked right after the literal run that follows it, with a
    fixed-width look-behind (``never(?<!\\w[\\s\\S]{5})``), so the pattern starts with that run, which the
    engine searches for directly. Alternatives are rewritten one by one; only when the result starts with a
    literal, or with one of at most four different characters, is it used."""
    if flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None

    def lookbehind(k: int) -> list:
        return list(_parser.parse(rf"(?<!\w[\s\S]{{{k}}})"))

    def run_length(seq: list) -> int:
        n = 0
        while n < len(seq) and seq[n][0] is _c.LITERAL:
            n += 1
        return n

    def after_first(seq: list, word_only: bool) -> list | None:
        """``seq`` preceded by "no word character before" -> that check moved behind its leading literals."""
        if not seq:
            return None
        op, av = seq[0]
        if op is _c.LITERAL:
            ch = chr(av)
            if ch == "\n" or (word_only and not _WORD_CHAR.match(ch)):
                return None
            n = run_length(seq)
            return [*seq[:n], *lookbehind(n), *seq[n:]]
        if op is _c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
            inner = after_first(list(av[-1]), word_only)
            return None if inner is None else [*inner, *seq[1:]]
        if op is _c.BRANCH:
            alts = [after_first(list(a), word_only) for a in av[1]]
            if any(a is None for a in alts):
                return None
            return [(_c.BRANCH, (None, [_parser.SubPattern(state, a) for a in alts])), *seq[1:]]
        return None

    def rewrite(seq: list) -> list | None:
        if not seq:
            return None
        op, av = seq[0]
        if op is _c.AT and av is _c.AT_BOUNDARY:
            return after_first(list(seq[1:]), word_only=True)
        if op is _c.ASSERT_NOT and av[0] == -1 and _is_word_class(list(av[1])):
            return after_first(list(seq[1:]), word_only=False)
        if op is _c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
            inner = rewrite(list(av[-1]))
            return None if inner is None else [*inner, *seq[1:]]
        if op is _c.BRANCH:
            alts = [rewrite(list(a)) for a in av[1]]
            if all(a is None for a in alts):
                return None
            subs = [_parser.SubPattern(state, a if a is not None else list(b))
                    for a, b in zip(alts, av[1], strict=True)]
            return [(_c.BRANCH, (None, subs)), *seq[1:]]
        return None

    new = rewrite(list(items))
    if new is None:
        return None
    op, av = new[0]
    if op is _c.LITERAL:
        return new
    if op is _c.BRANCH and all(alt and alt[0][0] is _c.LITERAL for alt in av[1]):
        return new if len({alt[0][1] for alt in av[1]}) <= 4 else None
    return None


def _is_word_class(seq: list) -> bool:
    """Whether a parsed pattern is exactly ``\\w`` (one word character)."""
    return len(seq) == 1 and seq[0][0] is _c.IN and list(seq[0][1]) == [(_c.CATEGORY, _c.CATEGORY_WORD)]


_WORD_CHAR = re.compile(r"\w")


def _compile(state: object, items: list, flags: int) -> re.Pattern[str]:
    return _compiler.compile(_parser.SubPattern(state, list(items)), flags)


def quick(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern that matches where ``pattern`` does (see ``_quick_items``), or ``pattern`` itself."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        new = _quick_items(parsed.state, list(parsed), pattern.flags | parsed.state.flags)
        return pattern if new is None else _compile(parsed.state, new, pattern.flags)
    except Exception:  # noqa: BLE001 - private regex internals: whatever changes there, stay correct
        return pattern


@dataclass
class _Part:
    """One top-level alternative of a pattern: its literal requirements and how to run it."""

    first: frozenset[str] | None  # a requirement tested against a scan (or with ``in``): the leading one if any
    rest: tuple[frozenset[str], ...]  # further requirements (tested against a scan, or with ``in``)
    regex: re.Pattern[str]  # the alternative (in its quick form where that helps)
    lead: bool = False  # every match starts where a string of ``first`` occurs: try only there, with ``match``


_LEAD_WORDS = 64  # at most this many continuations of a literal run: beyond it, shorter ones


def _leading(seq: list) -> frozenset[str] | None:
    """Literal strings one of which every match of the parsed pattern ``seq`` starts with (after zero-width
    assertions), or None. A literal run is extended by what follows it (alternatives of literals, an
    optional literal: "haven'?t (?:heard|had)" starts with "havent heard", "haven't heard", ...), by at
    most ``_LEAD_WORDS`` different continuations (cut shorter where there would be more)."""
    i = 0
    while i < len(seq) and (seq[i][0] is _c.AT or seq[i][0] in (_c.ASSERT, _c.ASSERT_NOT)):
        i += 1
    if i == len(seq):
        return None
    op, av = seq[i]
    if op is _c.LITERAL:
        n = i
        while n < len(seq) and seq[n][0] is _c.LITERAL:
            n += 1
        run = "".join(chr(av) for _, av in seq[i:n])
        more = _leading(seq[n:]) if n < len(seq) else None
        if more is None:
            return frozenset([run])
        cut = max(map(len, more))
        while len(more) > _LEAD_WORDS:  # too many: their first ``cut`` characters are enough
            cut -= 1
            more = frozenset(m[:cut] for m in more)
        return frozenset(run + m for m in more)
    if op is _c.SUBPATTERN and not av[1] and not av[2]:
        return _leading([*av[-1], *seq[i + 1 :]])
    if op is _c.BRANCH:
        parts = [_leading([*alt, *seq[i + 1 :]]) for alt in av[1]]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*parts)  # type: ignore[arg-type]
    if op is _c.MAX_REPEAT and av[0] == 0 and av[1] == 1:  # optional: with it or without it
        with_it, without = _leading([*av[2], *seq[i + 1 :]]), _leading(seq[i + 1 :])
        if with_it is None or without is None:
            return None
        return with_it | without
    return None


def _parts(pattern: re.Pattern[str]) -> list[_Part] | None:
    """The pattern split at its top-level ``|`` (each alternative alone), with requirements; None if the
    pattern is of a kind these helpers leave alone."""
    flags = pattern.flags
    if flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None
    parsed = _parser.parse(pattern.pattern, flags)
    if parsed.state.groups > 1 or parsed.state.flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None  # capturing groups (back-references) or inline flags: not split
    items = list(parsed)
    alts = [list(a) for a in items[0][1][1]] if len(items) == 1 and items[0][0] is _c.BRANCH else [items]
    out = []
    for alt in alts:
        needs = requirements(alt, flags)
        lead = _leading(alt)
        if lead is not None and min(map(len, lead)) >= _MIN_LITERAL:
            # Trying the few places where a match could start costs less than testing more literals first.
            regex = pattern if len(alts) == 1 else _compile(parsed.state, alt, flags)
            # A requirement that every leading string already meets (holds one of its strings) tells nothing more.
            rest = tuple(n for n in needs if not all(any(w in s for w in n) for s in lead))
            out.append(_Part(lead, rest, regex, lead=True))
            continue
        first = most_selective(needs)
        rest = tuple(n for n in needs if n is not first)
        fast = _quick_items(parsed.state, alt, flags)
        regex = pattern if len(alts) == 1 and fast is None else _compile(parsed.state, fast or alt, flags)
        out.append(_Part(first, rest, regex))
    return out


def _case_twin(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
    """For a case-insensitive pattern: the same pattern without IGNORECASE, and a class of the characters
    that IGNORECASE would also equate with one of its (lower-case) characters (``ı`` for ``i``, ``ſ`` for
    ``s``). On a text that equals its own lower-case form and holds none of those, both give the same
    answers. None if the pattern has an upper-case character, a back-reference or anything unexpected."""
    extra = getattr(_compiler, "_EXTRA_CASES", None)
    if extra is None or pattern.flags & (re.ASCII | re.LOCALE):
        return None
    parsed = _parser.parse(pattern.pattern, pattern.flags)
    chars: set[int] = set()

    def walk(seq: list) -> bool:
        for op, av in seq:
            if op in (_c.LITERAL, _c.NOT_LITERAL):
                chars.add(av)
            elif op is _c.IN:
                for iop, iav in av:
                    if iop is _c.LITERAL:
                        chars.add(iav)
                    elif iop is _c.RANGE:
                        if iav[1] - iav[0] > 5000:
                            return False
                        chars.update(range(iav[0], iav[1] + 1))
                    elif iop not in (_c.CATEGORY, _c.NEGATE):
                        return False
            elif op is _c.BRANCH:
                if not all(walk(list(b)) for b in av[1]):
                    return False
            elif op is _c.SUBPATTERN:
                if av[1] or av[2] or not walk(list(av[-1])):
                    return False
            elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
                if not walk(list(av[2])):
                    return False
            elif op in (_c.ASSERT, _c.ASSERT_NOT):
                if not walk(list(av[1])):
                    return False
            elif op is _c.ATOMIC_GROUP:
                if not walk(list(av)):
                    return False
            elif op not in (_c.AT, _c.ANY):
                return False
        return True

    if not walk(list(parsed)) or any(chr(ch).lower() != chr(ch) for ch in chars):
        return None
    twin = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)
    if twin.flags & re.IGNORECASE:  # an inline (?i)
        return None
    variants = sorted({v for ch in chars for v in extra.get(ch, ())} - chars)
    fixes = re.compile("[" + "".join(re.escape(chr(v)) for v in variants) + "]") if variants else None
    return twin, fixes


class Searcher:
    """``search(text)`` answers exactly ``pattern.search(text) is not None``, mostly without running it.

    Each top-level alternative runs only where the literals it requires occur (``present``: the result of a
    ``collectors.matching.Literals`` scan that covers ``literals()``, or else ``in`` tests), and then in its
    quick form. A case-insensitive pattern uses its case-sensitive twin where the text allows it (see
    ``_case_twin``)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.fixes: re.Pattern[str] | None = None
        self.twin: list[_Part] | None = None
        self.parts: list[_Part] | None = None
        try:
            if pattern.flags & re.IGNORECASE:
                found = _case_twin(pattern)
                if found is not None:
                    self.twin = _parts(found[0])
                    self.fixes = found[1]
            else:
                self.parts = _parts(pattern)
        except Exception:  # noqa: BLE001 - private regex internals: whatever changes there, stay correct
            self.parts = self.twin = None

    def literals(self) -> set[str]:
        """The literals of which a text must hold one for ``search`` to run anything (see ``gated``)."""
        parts = self.parts if self.twin is None else self.twin
        return {w for p in parts or () if p.first for w in p.first}

    def scanned(self) -> set[str]:
        """The literals whose presence ``search`` looks up in ``present``: ``literals()`` and those of the
        further requirements."""
        parts = self.parts if self.twin is None else self.twin
        return self.literals() | {w for p in parts or () for need in p.rest for w in need}

    @property
    def gated(self) -> bool:
        """Whether ``search`` answers no, without running anything, for a text that holds none of
        ``literals()`` (for a case-insensitive pattern: a lower-case text without ``fixes`` characters)."""
        parts = self.parts if self.twin is None else self.twin
        return parts is not None and all(p.first is not None for p in parts)

    def _plain(self, text: str) -> bool:
        return text.lower() == text and (self.fixes is None or self.fixes.search(text) is None)

    def search(self, text: str, present: set[str] | None = None, plain: bool | None = None) -> bool:
        """``present``: the literals of ``scanned()`` that occur in ``text`` (else tested here); ``plain``:
        whether ``text`` is lower case without characters of ``fixes`` (else tested here)."""
        parts = self.parts
        if self.twin is not None and (self._plain(text) if plain is None else plain):
            parts = self.twin
        if parts is None:
            return self.pattern.search(text) is not None
        for part in parts:
            first = part.first
            if present is not None:  # the usual case (a ``CueSet`` scan): set tests, no generator per call
                if first is not None:
                    if part.lead:  # try only where a match can start
                        hits = first & present
                        if not hits:
                            continue
                    elif first.isdisjoint(present):
                        continue
                for need in part.rest:
                    if need.isdisjoint(present):
                        break
                else:
                    if part.lead:
                        match = part.regex.match
                        find = text.find
                        for w in hits:
                            at = find(w)
                            while at >= 0:
                                if match(text, at) is not None:
                                    return True
                                at = find(w, at + 1)
                    elif part.regex.search(text) is not None:
                        return True
                continue
            # Without a scan: substring tests.
            if first is not None and not any(w in text for w in first):
                continue
            if part.rest and not all(any(map(text.__contains__, need)) for need in part.rest):
                continue
            if part.lead:  # try only where a match can start
                match = part.regex.match
                for w in [w for w in first if w in text]:  # type: ignore[union-attr]
                    at = text.find(w)
                    while at >= 0:
                        if match(text, at) is not None:
                            return True
                        at = text.find(w, at + 1)
            elif part.regex.search(text) is not None:
                return True
        return False
