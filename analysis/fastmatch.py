"""Fast evaluation of term expressions (``collectors.matching`` syntax) for many texts.

The collectors' ``Matcher`` runs one regular expression per atom. Here each atom is first
gated by a plain substring test of its leading word on the lower-cased text (a C-level
``in``), so the regular expression only runs where the word occurs at all; the results are
the same as ``collectors.matching``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from collectors.matching import Node, Not, Word, evaluate, parse
from earshot.config import Entity
from earshot.errors import ConfigError

_HEAD = "(?<!\\w)"


def _literal(pattern: str) -> str:
    """The leading literal text of an atom's regex source (lower-cased), or "" if none."""
    if not pattern.startswith(_HEAD):
        return ""
    out: list[str] = []
    i = len(_HEAD)
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if not nxt or nxt.isalnum():  # a class such as \w or \s: the literal ends here
                break
            out.append(nxt)
            i += 2
        elif ch in "[(|?*+{.^$":
            break
        else:
            out.append(ch)
            i += 1
    return "".join(out).lower()


@dataclass
class _Atom:
    literal: str
    regex: re.Pattern[str]


def _atoms(node: Node, out: dict[str, _Atom]) -> None:
    if isinstance(node, Word):
        if node.pattern not in out:
            # The sources of collectors.matching escape only with lower-case classes (\w, \s), so lower-casing
            # the source changes just its words; it then runs on lower-cased text without IGNORECASE (faster).
            out[node.pattern] = _Atom(_literal(node.pattern), re.compile(node.pattern.lower()))
    elif isinstance(node, Not):
        _atoms(node.arg, out)
    else:
        for a in node.args:
            _atoms(a, out)


class FastMatcher:
    """Which entities (by name, config order) a text matches; same semantics as ``collectors.matching``."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entities: list[tuple[str, list[Node], list[Node]]] = []
        self.atoms: dict[str, _Atom] = {}
        for ent in entities:
            terms, exclude = [], []
            for field, items, dest in (("terms", ent.terms + ent.aliases, terms), ("exclude", ent.exclude, exclude)):
                for term in items:
                    try:
                        node = parse(term)
                    except ValueError as exc:
                        raise ConfigError(f"{ent.name!r} has a bad {field} entry {term!r}: {exc}.",
                                          "Fix the term; quote phrases with double quotes.") from None
                    dest.append(node)
                    _atoms(node, self.atoms)
            self.entities.append((ent.name, terms, exclude))

    def hits(self, lower: str) -> set[str]:
        """Atoms (regex sources) that occur in the lower-cased text."""
        return {p for p, a in self.atoms.items() if (not a.literal or a.literal in lower) and a.regex.search(lower)}

    def match(self, text: str, lower: str | None = None) -> list[str]:
        """Names of the entities ``text`` matches."""
        lower = text.lower() if lower is None else lower
        found = self.hits(lower)
        if not found:
            return []
        return [name for name, terms, exclude in self.entities
                if any(evaluate(t, found) for t in terms) and not any(evaluate(x, found) for x in exclude)]
