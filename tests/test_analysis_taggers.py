"""Fixed-answer tests of the taggers on clear cases we wrote, in German and English."""

from __future__ import annotations

import pytest

from analysis.tagger import Tagger
from earshot.config import EXAMPLE_CONFIG, load_config


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_config(EXAMPLE_CONFIG))


def one(tagger: Tagger, text: str) -> dict:
    out = tagger.tag([text])
    return {k: v[0] for k, v in out.items()}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Die App von Hafenlicht funktioniert seit gestern nicht mehr", "de"),
        ("Why is the Hafenlicht app not working again?", "en"),
        ("die war", "de"),
        ("Ceci n'est pas une pipe, mais un texte en français", "other"),
        ("😀🎉", "other"),
        ("", "other"),
    ],
)
def test_language(tagger: Tagger, text: str, lang: str) -> None:
    assert one(tagger, text)["lang"] == lang


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I love the new LichtBox, works great!", "positive"),
        ("This is not good at all, really disappointing.", "negative"),
        ("Die neue LichtBox ist wirklich toll, danke!", "positive"),
        ("Der Service ist nicht gut, total enttäuschend.", "negative"),
        ("Morgen ab 10 Uhr wird das Netz in Altona gewartet.", "neutral"),
        ("Die Katze war im Garten.", "neutral"),  # "die" and "war" are not English words here
    ],
)
def test_sentiment_clear_cases(tagger: Tagger, text: str, label: str) -> None:
    tags = one(tagger, text)
    assert tags["sentiment_label"] == label
    assert -1.0 <= tags["sentiment"] <= 1.0


def test_brand_names_are_masked_before_scoring(tagger: Tagger) -> None:
    a = one(tagger, "Hafenlicht Energie hat die Preise angepasst.")
    b = one(tagger, "Die Firma hat die Preise angepasst.")
    assert a["sentiment"] == pytest.approx(b["sentiment"], abs=0.05)


@pytest.mark.parametrize(
    "text",
    [
        "@hafenlicht please help, my LichtBox order never arrived",  # polite complaint
        "Thanks for the 3h outage, Hafenlicht. Great job as usual",  # sarcasm
        "Warum geht die Hafenlicht App schon wieder nicht?",  # a question that implies a failure
        "Hafenlicht hat mir doppelt abgebucht, ich warte seit 3 Wochen auf die Erstattung",
    ],
)
def test_criticism_flagged_with_reasons(tagger: Tagger, text: str) -> None:
    tags = one(tagger, text)
    assert tags["criticism"] is True
    assert tags["intent"] == "complaint"
    assert any(r.startswith(("complaint", "Beschwerde", "sarcasm", "Ironie", "question", "Frage"))
               for r in tags["criticism_reasons"])
    assert any(r.startswith("target:") for r in tags["criticism_reasons"])


@pytest.mark.parametrize(
    "text",
    [
        "Hafenlicht informiert über neue Tarife ab Januar.",
        "Danke Hafenlicht, der Techniker war super freundlich!",
        "Stromwerk Nord ist eine Katastrophe, seit Tagen keine Antwort",  # criticism of a competitor only
    ],
)
def test_not_criticism(tagger: Tagger, text: str) -> None:
    assert one(tagger, text)["criticism"] is False


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Does anyone know how Hafenlicht handles smart meter data?", "question"),
        ("Hafenlicht, ihr solltet mal eine Wallbox anbieten", "suggestion"),
        ("Großartiger Service von Hafenlicht, danke!", "praise"),
        ("Hafenlicht eröffnet ein Büro in Kiel.", "other"),
    ],
)
def test_intent(tagger: Tagger, text: str, intent: str) -> None:
    assert one(tagger, text)["intent"] == intent


def test_configured_topics(tagger: Tagger) -> None:
    assert one(tagger, "Meine Rechnung von Hafenlicht ist falsch")["topics"] == ["billing"]
    assert one(tagger, "The Hafenlicht smart meter collects so much data")["topics"] == ["privacy"]
