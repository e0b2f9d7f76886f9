"""Property tests: scores in range, tags within the vocabulary, whatever the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.intent import INTENTS
from analysis.model import CLASSES
from analysis.tagger import Tagger
from analysis.themes import discover
from earshot.config import EXAMPLE_CONFIG, load_config

TAGGER = Tagger(load_config(EXAMPLE_CONFIG))
TOPICS = {t.name for t in TAGGER.config.topics}
LANGS = {*TAGGER.config.languages, "other"}
WORDS = st.sampled_from(
    "Hafenlicht LichtBox Stromwerk die war nicht gut super kaputt Rechnung never arrived please help thanks "
    "the app is down ? ! 😡 👍 :) @user http://x.example #fail Störung price data GDPR".split()
)
TEXTS = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=40).map(" ".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, min_size=1, max_size=8))
def test_tags_stay_in_range_and_vocabulary(texts: list[str]) -> None:
    out = TAGGER.tag(texts)
    assert all(len(col) == len(texts) for col in out.values())
    for i in range(len(texts)):
        assert -1.0 <= out["sentiment"][i] <= 1.0
        assert out["sentiment_label"][i] in CLASSES
        assert out["lang"][i] in LANGS
        assert out["intent"][i] in INTENTS
        assert set(out["topics"][i]) <= TOPICS
        assert isinstance(out["criticism"][i], bool)
        assert all(isinstance(r, str) and r for r in out["criticism_reasons"][i])
        assert out["intent"][i] == "complaint" or not out["criticism"][i]


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_tagging_is_deterministic_and_per_text(texts: list[str]) -> None:
    together = TAGGER.tag(texts)
    alone = [TAGGER.tag([t]) for t in texts]
    for i in range(len(texts)):
        for col, values in together.items():
            assert values[i] == alone[i][col][0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), max_size=30))
def test_themes_partition_posts(texts: list[str]) -> None:
    keys = [f"x:{i}" for i in range(len(texts))]
    themes = discover(keys, texts, min_size=2)
    assert sum(t.size for t in themes) <= len(texts)
    assert all(t.size >= 2 and t.label for t in themes)
    assert discover(keys, texts, min_size=2) == themes  # same input, same themes


CUE_WORDS = st.sampled_from(
    "never arrived still waiting not working is down broken charged twice refund delayed lost my bag "
    "worst please help fix this no longer work ordered 3 days ago issue with came missing wait on a reply "
    "what is going on help! thanks for the 3h delay great job again yeah right why is it still down "
    "when will it be fixed how long geht nicht seit 3 tagen keine antwort doppelt abgebucht frechheit "
    "danke für nichts mal wieder warum geht das nicht wann behoben wie lange noch problem mit bitte helfen "
    "the a und die , . ? ! xbrandx @user".split()
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CUE_WORDS, max_size=25).map(" ".join))
def test_cue_gates_never_hide_a_cue(text: str) -> None:
    from analysis import cues

    for table in (cues.COMPLAINT, cues.SARCASM, cues.FAILURE_QUESTION):
        for items in table.values():
            assert cues.found(items, text) == [c.name for c in items if c.pattern.search(text)]
