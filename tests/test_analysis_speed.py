"""The speed-ups of the taggers give exactly the answers of the plain code they replace (property tests)."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis import cues, fastmatch, features, lexicon
from analysis.fastmatch import FastMatcher, Searcher, quick
from analysis.intent import PRAISE
from analysis.intent import intent as fast_intent
from analysis.tagger import Tagger
from collectors.matching import Literals, evaluate
from earshot.config import EXAMPLE_CONFIG, load_config

TAGGER = Tagger(load_config(EXAMPLE_CONFIG))
PATTERNS = [
    c.pattern if isinstance(c, cues.Cue) else c
    for table in cues.TABLES for items in table.values() for c in (items if isinstance(items, list) else [items])
]
PIECES = st.sampled_from(
    "never arrived still waiting not working is down broken charged twice refund delayed lost my bag worst "
    "please help fix this no longer work ordered 3 days ago issue with came missing wait on a reply what is "
    "going on help! thanks for the 3h delay great job again yeah right why is it still down when will it be "
    "fixed how long geht nicht seit 3 tagen keine antwort doppelt abgebucht frechheit danke für nichts mal "
    "wieder warum geht das nicht wann behoben wie lange noch problem mit bitte helfen you should i wish how "
    "about wäre schön ich wünsche mir anyone know hat jemand weiß jemand wie was does is can Hafenlicht "
    "hafenlicht-app @hafenlicht #LichtBox lichtbox Stromwerk Nord GrünFluss price hike prices smart meter "
    "Rechnung Preiserhöhung Störung funktioniert nicht "
    "xbrandx @user http the a und die , . ? ! ' ’ - _ 1 ı ſ K İ Ä HELP Why \n".split(" ")
)
SEPARATORS = st.sampled_from(["", " ", "  ", "-", "x", "\n", ",", "'", "ı", "é"])
PHRASES = st.lists(st.tuples(PIECES, SEPARATORS), max_size=25).map(lambda ps: "".join(p + s for p, s in ps))
# Characters that case-insensitive matching equates with i, s and k: the case-sensitive shortcuts must not miss them.
ODD_CASES = str.maketrans({"i": "ı", "s": "ſ", "k": "\u212a"})
TEXTS = st.one_of(
    st.text(max_size=120),
    PHRASES,
    st.tuples(PHRASES, st.sampled_from("isk")).map(lambda t: t[0].replace(t[1], t[1].translate(ODD_CASES), 1)),
)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXTS)
@example("ı wish it had more")
@example("you ſhould add this")
@example("ıs it on?")
def test_searchers_and_quick_patterns_answer_like_the_patterns(text: str) -> None:
    for variant in (text, text.lower()):
        for p in PATTERNS:
            want = p.search(variant) is not None
            assert Searcher(p).search(variant) is want, (p.pattern, variant)
            assert (quick(p).search(variant) is not None) is want, (p.pattern, variant)


def test_leading_strings_run_through_alternatives() -> None:
    part = fastmatch._parts(re.compile(r"\b(?:haven'?t|never) (?:heard|got) back"))[0]
    assert part.lead
    assert part.first == {"haven't heard back", "havent heard back", "haven't got back", "havent got back",
                          "never heard back", "never got back"}
    assert part.rest == ()  # "back", "heard"/"got": every leading string holds them


def test_a_needed_sentence_end_is_looked_up_too() -> None:
    pattern = re.compile(r"\bis (?:\S+ ){0,3}down\s*\?")
    assert frozenset("?") in fastmatch._parts(pattern)[0].rest
    searcher = Searcher(pattern)
    assert "?" in searcher.scanned()
    assert not searcher.search("is it down", {"is ", "down"})
    assert searcher.search("is it down ?", {"is ", "down", "?"})
    assert frozenset(".!?") in fastmatch.requirements(list(re._parser.parse(r"x[.!?]+y")))


@SETTINGS
@given(TEXTS)
def test_every_match_starts_with_a_leading_string(text: str) -> None:
    for variant in (text, text.lower()):
        for p in PATTERNS:
            searcher = Searcher(p)
            for part in searcher.parts or searcher.twin or ():  # the twin: ``p`` without IGNORECASE
                if part.lead:
                    for at in range(len(variant) + 1):
                        if part.regex.match(variant, at):
                            assert any(variant.startswith(w, at) for w in part.first), (p.pattern, variant)


# Cue patterns written for speed (see analysis/cues.py): (language, name) -> (the fast piece, its plain form).
REWRITTEN = {
    ("en", "complaint: again"): (r"|(?<!\w)(?:twice", r"|\b(?:twice"),
    ("en", "complaint: arrived wrong"): (r"|(?<!\w)missing", r"|\bmissing"),
    ("de", "Beschwerde: Wartezeit"): (r"|(?<!\w)warteschleife", r"|\bwarteschleife"),
    ("de", "Beschwerde: Problem gemeldet"): (r"|(?<!\w)seit", r"|\bseit"),
    ("en", "sarcasm: praise after bad news"): (r"[^.!?]{0,80}+", r"[^.!?]{0,80}"),
    ("de", "Ironie: Lob nach schlechter Nachricht"): (r"[^.!?]{0,80}+", r"[^.!?]{0,80}"),
}
REWRITE_PIECES = st.sampled_from(
    "is went down again twice 3rd 21st 3 time times today now in a row came arrived missing a an item seit über "
    "mehr als drei 3 tagen min warteschleife problem mit delayed price hike great störung verspätet toll . ! ? "
    "xx yy _ é \n".split(" ")
)
REWRITE_TEXTS = st.one_of(
    TEXTS,
    st.lists(st.tuples(REWRITE_PIECES, SEPARATORS), max_size=40).map(lambda ps: "".join(p + s for p, s in ps)),
    st.tuples(REWRITE_PIECES, st.integers(0, 90), REWRITE_PIECES).map(lambda t: f"{t[0]} {'x' * t[1]}{t[2]}"),
)


def _cue(lang: str, name: str) -> re.Pattern[str]:
    return next(c.pattern for table in cues.TABLES[:3] for c in table[lang] if c.name == name)


@SETTINGS
@given(REWRITE_TEXTS)
@example("störung " + "x" * 80 + ". toll")
@example("störung " + "x" * 79 + ". toll")
@example("delayed " + "x" * 80 + "! great")
@example("_seit a b tagen")
@example("xwarteschleife")
@example("13th time now")
@example("came a b missing")
def test_cues_written_for_speed_answer_like_their_plain_forms(text: str) -> None:
    for (lang, name), (fast, plain) in REWRITTEN.items():
        pattern = _cue(lang, name)
        assert fast in pattern.pattern
        slow = re.compile(pattern.pattern.replace(fast, plain), pattern.flags)
        for variant in (text, text.lower()):
            assert (pattern.search(variant) is None) is (slow.search(variant) is None), (name, variant)


_SEARCHERS = {lang: cues.scanner(lang) for lang in ("en", "de", "other")}


@SETTINGS
@given(TEXTS)
@example("ı wish it had more")
@example("ıs it on")
def test_one_scan_serves_every_table(text: str) -> None:
    for variant in (text, text.lower()):
        for lang, scanner in _SEARCHERS.items():
            scan = scanner.scan(variant)
            wants = []
            for k, table in enumerate(cues.TABLES):
                items = cues.for_lang(table, lang)
                pats = [c.pattern if isinstance(c, cues.Cue) else c for c in items]
                want = [n for n, p in zip(scanner.names[k], pats, strict=True) if p.search(variant)]
                assert scanner.find_lists(scan, (k,)) == [want]
                assert scanner.any(scan, k) is bool(want)
                wants.append(want)
            assert scanner.find_lists(scan, cues.CRITICISM_LISTS) == wants[:3]


@SETTINGS
@given(st.lists(PIECES, max_size=12), TEXTS)
def test_literals_are_found_exactly(words: list[str], text: str) -> None:
    words = [w for w in words if w] + ["still ", " for ", "or", "ever", "never "]
    assert Literals(words).present(text) == {w for w in words if w in text}


@SETTINGS
@given(st.lists(st.text("ab ", min_size=1, max_size=4), min_size=1, max_size=8), st.text("ab ", max_size=16))
def test_overlapping_literals_are_found_exactly(words: list[str], text: str) -> None:
    assert Literals(words).present(text) == {w for w in words if w in text}


EVERY_SHORT = ["".join(p) for n in (1, 2, 3) for p in itertools.product("ab ", repeat=n)]  # 39 words


@SETTINGS
@given(st.integers(0, len(EVERY_SHORT) - 1), st.text("ab ", max_size=16))
def test_many_literals_are_found_exactly_by_the_automaton(skip: int, text: str) -> None:
    words = EVERY_SHORT[:skip] + EVERY_SHORT[skip + 1:]
    assert len(words) > Literals.FEW  # the automaton's path
    assert Literals(words).present(text) == {w for w in words if w in text}


def _plain_intent(masked_lower: str, lang: str, sentiment: float, criticism: bool) -> str:
    if criticism:
        return "complaint"
    if any(rx.search(masked_lower) for rx in cues.for_lang(cues.SUGGESTION, lang)):
        return "suggestion"
    if "?" in masked_lower or any(rx.search(masked_lower) for rx in cues.for_lang(cues.QUESTION, lang)):
        return "question"
    return "praise" if sentiment >= PRAISE else "other"


@SETTINGS
@given(TEXTS, st.sampled_from(["en", "de", "other"]), st.sampled_from([-0.5, 0.0, 0.5]))
@example("ı wish it had more", "en", 0.0)
@example("ıs it on", "en", 0.5)
def test_intent_answers_like_the_plain_rules(text: str, lang: str, sentiment: float) -> None:
    for variant in (text, text.lower()):
        assert fast_intent(variant, lang, sentiment, False) == _plain_intent(variant, lang, sentiment, False)


def _plain_match(matcher: FastMatcher, lower: str) -> list[str]:
    found = {p for p in matcher.atoms if re.compile(p.lower()).search(lower)}
    return [name for name, terms, exclude in matcher.entities
            if any(evaluate(t, found) for t in terms) and not any(evaluate(x, found) for x in exclude)]


@SETTINGS
@given(TEXTS)
def test_term_matchers_answer_like_their_regexes(text: str) -> None:
    lower = text.lower()
    matchers = [TAGGER.own, TAGGER.rivals, *TAGGER.topics._by_lang.values()]
    for m in matchers:
        assert m.match(text, lower) == _plain_match(m, lower)


def _plain_transform(fz: features.Featurizer, texts: list[str]) -> sp.csr_matrix:
    """The matrix as the original loop builds it (a set per text, filled one column at a time)."""
    indptr, indices, dense_rows = [0], [], []
    for text in texts:
        toks = features.words_of(text)
        row: set[int] = set()
        for t in toks:
            ids = [fz.vocab.get("w:" + t)] + [fz.vocab.get("c:" + g) for g in features.char_grams(t)]
            row.update(i for i in ids if i is not None)
        for a, b in zip(toks, toks[1:], strict=False):
            i = fz.vocab.get(f"b:{a} {b}")
            if i is not None:
                row.add(i)
        indices.extend(row)
        indptr.append(len(indices))
        dense_rows.append(fz.dense(text, toks))
    idx = np.asarray(indices, dtype=np.int32)
    data = fz.idf[idx] if len(idx) else np.zeros(0, np.float32)
    ptr = np.asarray(indptr, dtype=np.int64)
    counts = np.diff(ptr)
    rows = np.repeat(np.arange(len(texts)), counts)
    norms = np.sqrt(np.maximum(np.bincount(rows, weights=data * data, minlength=len(texts)), 1e-12))
    data = (data / np.repeat(norms, counts)).astype(np.float32)
    X = sp.csr_matrix((data, idx, ptr), shape=(len(texts), fz.n_sparse))
    D = sp.csr_matrix(np.asarray(dense_rows, dtype=np.float32).reshape(len(texts), len(features.DENSE)))
    return sp.hstack([X, D], format="csr")


WORDY = st.lists(st.sampled_from(
    "the app is not working again die App geht nicht seit heute und ich warte thanks great service :) :p ! ? "
    "😡 👍 don't it's #fail @user xbrandx http 3 tage unfreundlich freundlich support Rechnung zu hoch".split()
), max_size=30).map(" ".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(TEXTS, WORDY), max_size=12))
def test_feature_matrix_is_the_plain_one(texts: list[str]) -> None:
    from analysis.model import load_model

    for lang in ("en", "de"):
        fz = load_model(lang).featurizer
        got, want = fz.transform(texts), _plain_transform(fz, texts)
        want.sort_indices()  # the transform hands out each row's sparse columns in ascending order
        assert got.shape == want.shape
        assert np.array_equal(got.indptr, want.indptr)
        assert np.array_equal(got.indices, want.indices)
        # Each row's norm is summed in another order: equal up to the last bits of a float32.
        assert np.allclose(got.data, want.data, rtol=1e-6, atol=0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["Hafenlicht ist toll", "the app is down again", "", "ok ?", "@user help"]),
                min_size=1, max_size=10))
def test_repeated_texts_are_tagged_once_but_answered_each(texts: list[str]) -> None:
    together = TAGGER.tag(texts)
    for i, text in enumerate(texts):
        alone = TAGGER.tag([text])
        for col, values in together.items():
            assert values[i] == alone[col][0]
    if len(texts) > 1 and texts[0] == texts[1]:
        assert together["topics"][0] is not together["topics"][1]  # lists are not shared between rows


@SETTINGS
@given(st.one_of(TEXTS, WORDY, st.text("ab²½'’#@:;p-1 ", max_size=30)))
@example("x ² :pizza")
@example("x ² y")
def test_language_words_read_off_the_feature_tokens(text: str) -> None:
    from collections import Counter

    from analysis import language

    want = Counter(language._WORD.findall(text.lower()))
    with features.shared_tokens():
        assert Counter(language._words(text)) == want



_OLD_HANDLE = re.compile(r"(?<![\w@])@\w[\w.]*")
_OLD_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


def _plain_mask(masker, text: str) -> str:  # noqa: ANN001
    text = text.lower()
    if masker.own is not None and any(w in text for w in masker.own_words):
        text = masker.own.sub("xbrandx", text)
    if masker.rivals is not None and any(w in text for w in masker.rival_words):
        text = masker.rivals.sub("xrivalx", text)
    if "http" in text or "www." in text:
        text = _OLD_URL.sub("http", text)
    return _OLD_HANDLE.sub("@user", text) if "@" in text else text


@SETTINGS
@given(st.one_of(TEXTS, st.text("@a_.b# \n@@x1", max_size=25)))
@example("@@user a@b.c @hafenlicht_hilft Hafenlicht-App hafenlicht energie Stromwerk  Nord #LichtBox")
def test_masking_answers_like_the_plain_substitutions(text: str) -> None:
    assert TAGGER.masker.mask(text) == _plain_mask(TAGGER.masker, text)


def _plain_summary(lex: lexicon.Lexicon, toks: list[str]) -> tuple[float, float, float, int, int]:
    """``Lexicon.summary`` as one plain walk over every token."""
    total = pos = neg = 0.0
    pe = ne = 0
    weight = 1.0
    skip = False
    vals = [lex.valence(t) for t in toks]
    for i, tok in enumerate(toks):
        if skip:
            skip = False
            continue
        if tok in lexicon.CONTRAST:
            total *= 0.5
            weight = 1.5
            continue
        if lex.phrases and i + 1 < len(toks) and (tok, toks[i + 1]) in lex.phrases:
            v = lex.phrases[(tok, toks[i + 1])]
            skip = True
        else:
            v = vals[i]
        if not v:
            continue
        if v > 0:
            pos += v
            pe += tok in lexicon.EMOJI
        else:
            neg -= v
            ne += tok in lexicon.EMOJI
        for back in range(1, 4):
            if i - back < 0:
                break
            prev = toks[i - back]
            if prev in lexicon.NEGATORS:
                v *= -0.6
                break
            if back == 1 and prev in lexicon.INTENSIFIERS:
                v *= lexicon.INTENSIFIERS[prev]
            elif vals[i - back]:
                break
        total += v * weight
    if total and "!" in toks:
        total *= 1.0 + min(toks.count("!"), 3) * 0.08
    return total / math.sqrt(total * total + 15.0), pos, neg, pe, ne


LEX = lexicon.Lexicon({"gut": 2.0, "schlecht": -2.0, "great": 3.0, "bad": -2.5, "okay": 0.0},
                      {"super": 2.5, "mies": -2.0}, {("na", "toll"): -2.0, ("not", "bad"): 1.0, ("but", "ok"): 0.5})
LEX_TOKENS = st.lists(st.sampled_from(
    ["gut", "schlecht", "great", "bad", "okay", "superb", "miese", "na", "toll", "not", "nicht", "sehr", "very",
     "but", "aber", "ok", "!", "?", "👍", "😡", "the", "x", "super", "kein"]), max_size=14)


@SETTINGS
@given(LEX_TOKENS)
def test_lexicon_summary_answers_like_the_plain_walk(toks: list[str]) -> None:
    assert LEX.summary(toks) == _plain_summary(LEX, toks)
