"""The term query language (words on boundaries, phrases, prefixes, AND/OR/NOT, exclusions) and the one
matcher the collectors and the analysis share."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from analysis.fastmatch import FastMatcher, MatcherGroup
from collectors.matching import AtomScanner, Matcher, Rule, Rules, evaluate, parse
from collectors.terms import atoms
from earshot.config import EXAMPLE_CONFIG, Entity, load_config


def m(*terms: str, exclude: tuple[str, ...] = ()) -> Matcher:
    return Matcher([Entity(name="E", terms=list(terms), exclude=list(exclude))])


@pytest.mark.parametrize(
    ("terms", "text", "hit"),
    [
        (["Bahn"], "Die Bahn ist zu spät", True),
        (["Bahn"], "Bahnhofstraße 5", False),
        (["Bahn*"], "Bahnhofstraße 5", True),
        (["bahn"], "DIE BAHN", True),
        (['"Deutsche Bahn"'], "deutsche-bahn streikt", True),
        (['"Deutsche Bahn"'], "Bahn, deutsche", False),
        (["Hafenlicht App"], "App von Hafenlicht", True),  # neighbours are AND
        (["Hafenlicht AND (Rechnung OR Abschlag)"], "Hafenlicht Abschlag zu hoch", True),
        (["Hafenlicht AND (Rechnung OR Abschlag)"], "Hafenlicht ist toll", False),
        (["Hafenlicht -Festival"], "Hafenlicht Festival Tickets", False),
        (["Hafenlicht NOT Festival"], "Hafenlicht Strom", True),
        (["@hafenlicht"], "danke @hafenlicht!", True),
        (["@hafenlicht"], "mail an info@hafenlicht.example", False),
        (["#LichtBox"], "endlich da #lichtbox", True),
        (["GrünFluss"], "grünfluss ist billiger", True),
    ],
)
def test_terms(terms: list[str], text: str, hit: bool) -> None:
    assert bool(m(*terms).match(text)[0]) is hit


def test_exclusion_wins_and_terms_are_reported() -> None:
    matcher = m("Hafenlicht*", '"Hafenlicht Energie"', exclude=('"Hafenlicht Festival"',))
    assert matcher.match("Hafenlicht Energie erhöht Preise") == (["E"], ["Hafenlicht*", '"Hafenlicht Energie"'])
    assert matcher.match("Hafenlicht Festival 2026") == ([], [])


def test_entities_in_config_order() -> None:
    matcher = Matcher(
        [Entity(name="Us", terms=["Hafenlicht"]), Entity(name="Them", kind="competitor", terms=["Stromwerk"])]
    )
    assert matcher.match("Stromwerk ist billiger als Hafenlicht")[0] == ["Us", "Them"]


@pytest.mark.parametrize("bad", ['"open', "a AND", "(a OR b", "a )", "()", "***"])
def test_parse_errors(bad: str) -> None:
    with pytest.raises(ValueError):
        parse(bad)


@given(st.text(max_size=300))
def test_matching_never_crashes_and_is_case_blind(text: str) -> None:
    matcher = m("Hafenlicht*", '"Stromwerk Nord"', "LichtBox -Festival")
    got = matcher.match(text)
    assert got == matcher.match(text)  # deterministic
    if "hafenlicht" in text.lower() and text.lower().find("hafenlicht") == 0:
        assert got[0] == ["E"]


# -- the one matcher of the collectors and the analysis (collectors.matching) -------------------------------

TERMS = [
    "Hafenlicht*", '"Hafenlicht Energie"', "@hafenlicht", "#hafenlicht", '"Hafenlicht-App"', "LichtBox", "#LichtBox",
    "GrünFluss", "Straße", "ß", "Störung", "istanbul", "İstanbul", "ıstanbul", "Kiel*", "ſtrom", "x", "@x", "C#",
    "C++", "a-b", "2", "ö", '"price hike"', "price*", "Öl*", "σ", "ΟΔΟΣ", "café",
]
ATOMS = sorted({p for t in TERMS for p in atoms(parse(t))})
PIECES = st.sampled_from([
    "Hafenlicht", "hafenlichts", "HAFENLICHT", "Hafenlicht-App", "@hafenlicht", "#hafenlicht", "lichtbox", "Energie",
    "GRÜNFLUSS", "grünfluss", "Straße", "STRASSE", "ß", "ẞ", "Störung", "İstanbul", "ıstanbul", "ISTANBUL", "Kiel",
    "\u212aiel", "ſtrom", "Strom", "x", "X", "@x", "c#", "C++", "a-b", "2", "Ö", "öl", "price", "Price-Hike", "σ",
    "ς", "ΟΔΟΣ", "café", "cafe\u0301", "😡", "ı", "İ", "\u0307", " ", "  ", "-", "_", ".", "\n",
])
TEXTS = st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=10).map("".join))
PROPS = settings(max_examples=300, deadline=None)


@PROPS
@given(TEXTS)
@example("hafenlicht hafenlicht-app @hafenlicht hafenlichtx hafenlicht")
@example("İİ hafenlicht ıstanbul")
def test_atom_scanner_finds_what_the_regexes_find(text: str) -> None:
    """Both modes: the literal lookups and position matches are only shortcuts."""
    as_is = {p for p in ATOMS if re.search(p, text, re.IGNORECASE)}
    assert AtomScanner(ATOMS).hits(text) == as_is
    lower = text.lower()
    lowered = {p for p in ATOMS if re.search(p.lower(), lower)}
    assert AtomScanner(ATOMS, lower=True).hits(lower) == lowered


ENTITIES = [
    Entity(name="A", terms=["Hafenlicht AND (Rechnung OR Abschlag)", "LichtBox"], exclude=['"Hafenlicht Festival"']),
    Entity(name="B", terms=["Stromwerk -Nord", "x"], aliases=["@x"], exclude=["Bahn AND Bahnhof", "y"]),
    Entity(name="N", terms=["NOT Hafenlicht"]),
]
WORDS = st.lists(st.sampled_from(["Hafenlicht", "Rechnung", "Abschlag", "LichtBox", "Festival", "Stromwerk", "Nord",
                                  "x", "@x", "y", "Bahn", "Bahnhof", "z"]), max_size=8).map(" ".join)


@PROPS
@given(WORDS)
def test_rules_evaluate_terms_and_exclusions(text: str) -> None:
    rules = Rules(ENTITIES, lambda i, ent: ent.name)
    found = AtomScanner(rules.patterns).hits(text)

    def holds(rule: Rule, own_atom: bool) -> bool:
        if own_atom and rule.patterns.isdisjoint(found):
            return False
        return any(evaluate(n, found) for _, n in rule.terms) and not any(evaluate(n, found) for n in rule.exclude)

    names, terms = rules.match(found)
    assert names == [r.name for r in rules.rules if holds(r, own_atom=True)]
    assert terms == list(dict.fromkeys(
        t for r in rules.rules if holds(r, own_atom=True) for t, n in r.terms if evaluate(n, found)))
    assert rules.names(found) == [r.name for r in rules.rules if holds(r, own_atom=False)]


def _same_cases(s: str) -> bool:
    """No character that re.IGNORECASE equates with another than str.lower does (ı, ſ, ς, µ, İ, ...)."""
    return all(len(c.lower()) == 1 and c.lower().upper().lower() == c.lower() for c in s)


CONFIG = load_config(EXAMPLE_CONFIG)
TOPICS = [Entity(name=t.name, terms=[k for ks in t.keywords.values() for k in ks]) for t in CONFIG.topics]


@PROPS
@given(TEXTS)
@example("hafenlicht-app und grünfluss: preiserhöhung, störung #lichtbox")
def test_collectors_and_analysis_agree_on_lower_case_text(text: str) -> None:
    """Where re.IGNORECASE and str.lower agree, the collectors' Matcher and the analysis's FastMatcher give
    the same entities for lower-case text (terms without a NOT-only term)."""
    lower = text.lower()
    assume(_same_cases(lower))
    for ents in (CONFIG.all_entities, TOPICS):
        assert all(_same_cases(t) for e in ents for t in e.terms + e.aliases + e.exclude)
        assert Matcher(ents).match(lower)[0] == FastMatcher(ents).match(lower, lower)


def test_where_collectors_and_analysis_differ() -> None:
    """Kept as each was: re.IGNORECASE lets i match ı and s match ſ on the text as it is; str.lower does not.
    And an entity whose term holds without atoms (NOT x) counts in the analysis once any atom was found."""
    ents = [Entity(name="T", terms=["istanbul", "strom"])]
    for text in ("ıstanbul", "ſtrom", "İstanbul"):
        assert Matcher(ents).match(text)[0] == ["T"]
    assert FastMatcher(ents).match("ıstanbul") == FastMatcher(ents).match("ſtrom") == []
    assert FastMatcher(ents).match("İstanbul") == []  # lower-cases to i + a combining dot
    ents = [Entity(name="N", terms=["NOT Hafenlicht"]), Entity(name="Y", terms=["Stromwerk"])]
    assert Matcher(ents).match("Stromwerk") == (["Y"], ["Stromwerk"])
    assert FastMatcher(ents).match("Stromwerk") == ["N", "Y"]
    assert MatcherGroup([FastMatcher(ents[:1]), FastMatcher(ents[1:])]).match("stromwerk") == [["N"], ["Y"]]
    assert FastMatcher(ents[:1]).match("stromwerk") == []  # nothing of its own found


@pytest.mark.parametrize("lower", [False, True])
def test_repeated_and_shifted_literals(lower: bool) -> None:
    scanner = AtomScanner(ATOMS, lower=lower)
    text = "xhafenlicht hafenlicht_ @@hafenlicht #hafenlichtx #hafenlicht"
    text = text.lower() if lower else text.upper()
    got = scanner.hits(text)
    assert parse("@hafenlicht").pattern in got and parse("#hafenlicht").pattern in got
    assert parse("Hafenlicht*").pattern in got


_TERM_ATOMS = st.sampled_from(["alpha", "beta", "gamma", '"delta epsilon"'])
TERMS = st.recursive(
    _TERM_ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" AND ", " OR ", " "]), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        inner.map(lambda t: f"NOT {t}"),
    ),
    max_leaves=5,
)


@PROPS
@given(st.lists(st.tuples(st.lists(TERMS, min_size=1, max_size=3), st.lists(TERMS, max_size=2)), min_size=1,
                max_size=5),
       st.sets(st.sampled_from(["alpha", "beta", "gamma", "delta epsilon"])))
def test_names_tries_every_entity_that_can_match(entities: list[tuple[list[str], list[str]]], words: set[str]) -> None:
    """``Rules.names`` skips entities none of whose needed atoms was found: never one that holds."""
    rules = Rules([Entity(name=f"E{i}", terms=t, exclude=x) for i, (t, x) in enumerate(entities)],
                  lambda i, ent: ent.name)
    found = AtomScanner(rules.patterns).hits(" ".join(sorted(words)))
    assert rules.names(found) == [
        r.name for r in rules.rules
        if any(evaluate(n, found) for _, n in r.terms) and not any(evaluate(n, found) for n in r.exclude)
    ]
