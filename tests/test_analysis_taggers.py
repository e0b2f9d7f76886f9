"""Fixed-answer tests of the taggers on clear cases we wrote, in German and English."""

from __future__ import annotations

import pytest

from analysis import criticism as crit
from analysis import litotes
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


# Complaint wording (issue 7, second pass) and the rule for negativity without a speaker.


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("@user opened a ticket on monday and haven't heard back since", "complaint: no word back"),
        ("@user my speaker is not powering on even when it is plugged in", "complaint: device fault"),
        ("@user I keep getting an error when I open the invoice page", "complaint: error message"),
        ("@user the parcel arrived three days late and the box was smashed", "complaint: late or damaged delivery"),
        ("@user I was told it would be 2 days but now it says next month", "complaint: not as promised"),
        ("we pay for the paper every month and never get it @user", "complaint: never received"),
        ("@user the broadband has gone off again this evening", "complaint: again"),
        ("@user what gives, the lunch menu changed overnight", "complaint: disappointed question"),
        ("@user I can't order on the website with any of my cards", "complaint: unable"),
        ("@user you sent me a ripped jacket, the second one this year", "complaint: wrong item"),
        ("@user the chat support is painfully slow today", "complaint: service criticism"),
        ("@user my order is still stuck in processing", "complaint: account trouble"),
        ("@user thanks for ruining my Saturday morning", "sarcasm: thanks for ruining"),
        ("Nice work @user. Two days late and the lid broken", "sarcasm: nice work, broken"),
    ],
)
def test_complaint_wording_flags_with_its_reason(tagger: Tagger, text: str, cue: str) -> None:
    tags = one(tagger, text)
    assert tags["criticism"] is True, tags["criticism_reasons"]
    assert cue in tags["criticism_reasons"]


@pytest.mark.parametrize(
    "text",
    [
        "@user nice work on the new timetable, the trains are on time",  # praise: nothing broken or late
        "I was told the concert starts at eight",  # no failure after the promise
        "Can I order the new tariff online?",  # a plain question, no "can't"
    ],
)
def test_complaint_wording_does_not_fire_on_plain_posts(tagger: Tagger, text: str) -> None:
    reasons = one(tagger, text)["criticism_reasons"]
    assert not any(r.startswith(("complaint:", "sarcasm:")) for r in reasons), reasons


def test_negativity_without_speaker_or_name_is_not_criticism(tagger: Tagger) -> None:
    # Reads like a news line: very negative, but nobody speaks as a customer or to the company.
    text = "Tragic floods after the storm: dozens dead, whole villages destroyed overnight"
    tags = one(tagger, text)
    assert tags["sentiment_label"] == "negative"
    assert tags["criticism"] is False
    assert tags["criticism_reasons"][0] == "negative, but no one speaks as a customer or to the company"


def test_negativity_naming_the_company_stays_criticism(tagger: Tagger) -> None:
    text = "Tragic night for Hafenlicht: dozens dead in the storm, whole villages destroyed"
    tags = one(tagger, text)
    assert tags["sentiment_label"] == "negative"
    assert tags["criticism"] is True
    assert "target: Hafenlicht" in tags["criticism_reasons"]


def test_negativity_with_a_speaker_stays_criticism(tagger: Tagger) -> None:
    text = "My whole street has been dark for hours, this is miserable and sad"
    tags = one(tagger, text)
    assert tags["sentiment_label"] == "negative"
    assert tags["criticism"] is True


@pytest.mark.parametrize(
    "text",
    [
        "Moving abroad, how do I cancel Hafenlicht properly?",  # negative words, but a question of how to
        "How do I cancel my Hafenlicht contract?",  # the words of leaving alone
        "Wie kann ich meinen Vertrag bei Hafenlicht kündigen?",
        "Ich ziehe um, wie kündige ich Hafenlicht richtig?",
    ],
)
def test_how_to_question_is_a_question_not_criticism(tagger: Tagger, text: str) -> None:
    tags = one(tagger, text)
    assert tags["criticism"] is False
    assert tags["intent"] == "question"
    assert tags["criticism_reasons"][0] == "a how-to question without a complaint in it"


@pytest.mark.parametrize(
    "text",
    [
        "My Hafenlicht order never arrived, how do I get a refund?",  # a complaint inside the question
        "Hafenlicht charged me twice. How do I cancel?",  # a problem told first
        "I'm cancelling my Hafenlicht contract, worst service ever",  # leaving, not asking
        "Der Zähler ist kaputt. Wie kann ich Hafenlicht kündigen?",
    ],
)
def test_how_to_with_a_complaint_stays_criticism(tagger: Tagger, text: str) -> None:
    assert one(tagger, text)["criticism"] is True


@pytest.mark.parametrize(
    "text",
    [
        "Three years of green power from Hafenlicht, zero issues.",
        "My flatmate switched to Hafenlicht too. No complaints so far.",
        "Ein Freund schwört auf Stromwerk Nord, ich bleibe bei Hafenlicht. Bisher keine Probleme.",
        "Hafenlicht läuft bei mir problemlos, null Probleme.",
        "Ich kann mich nicht beschweren, Hafenlicht liefert.",
        "Leute, nicht schlecht, die LichtBox von Hafenlicht. Leise und kompakt.",
        "Die LichtBox von Hafenlicht ist gar nicht so schlecht.",
        "Not bad at all, Hafenlicht. The new app is quick.",
        "Die LichtBox von Hafenlicht läuft seit drei Wochen ohne Probleme.",  # a span of time, then praise: no wait
    ],
)
def test_negated_trouble_reads_as_praise(tagger: Tagger, text: str) -> None:
    tags = one(tagger, text)
    assert tags["criticism"] is False
    assert tags["sentiment_label"] != "negative" and tags["sentiment"] > 0


@pytest.mark.parametrize(
    "text",
    [
        "No problems for years, but since Monday the Hafenlicht app is down and nobody answers",
        "Hafenlicht: you cannot complain to anyone, the chat bot just loops",
        "Es wäre nicht schlecht, wenn Hafenlicht endlich mal zurückrufen würde",
        "Seit drei Wochen warte ich auf eine Antwort von Hafenlicht.",
        "Since the update the Hafenlicht app won't let me log in with Face ID. Any ideas?",
    ],
)
def test_negated_trouble_does_not_hide_a_complaint(tagger: Tagger, text: str) -> None:
    assert one(tagger, text)["criticism"] is True


@pytest.mark.parametrize(
    ("text", "lang", "settled"),
    [
        ("zero issues so far", "en", "fine so far"),
        ("never had any problems with xbrandx", "en", "fine with xbrandx"),
        ("hassle-free switch", "en", "fine switch"),
        ("not a single problem was solved", "en", "not a single problem was solved"),  # left alone
        ("bisher keine größeren probleme", "de", "bisher gut"),
        ("läuft problemlos", "de", "läuft gut"),
        ("keine probleme", "fr", "keine probleme"),  # only languages with a rule
        ("can't complain, xbrandx just works", "en", "fine, xbrandx just works"),
        ("came back to xbrandx. the grass wasn’t greener.", "en", "came back to xbrandx. fine."),
        ("ich kann mich echt nicht beschweren", "de", "ich gut"),
        ("gar nicht so schlecht, die app", "de", "gut, die app"),
        ("ich staunte nicht schlecht über die rechnung", "de", "ich staunte nicht schlecht über die rechnung"),
        ("da habe ich nicht schlecht gestaunt", "de", "da habe ich nicht schlecht gestaunt"),
        ("nicht schlechter als vorher", "de", "nicht schlechter als vorher"),
        ("ich kann mich über xbrandx nicht beschweren", "de", "ich gut"),
        # left alone: trouble told about, unable to complain, requests, other idioms
        ("no complaint was ever answered", "en", "no complaint was ever answered"),
        ("you cannot complain to anyone, the bot loops", "en", "you cannot complain to anyone, the bot loops"),
        ("i would not bad-mouth them", "en", "i would not bad-mouth them"),
        ("the grass is greener over there", "en", "the grass is greener over there"),
        ("keine beschwerde wurde bearbeitet", "de", "keine beschwerde wurde bearbeitet"),
        ("ich kann mich nicht beschweren, weil niemand rangeht", "de",
         "ich kann mich nicht beschweren, weil niemand rangeht"),
        ("es wäre nicht schlecht, wenn ihr zurückruft", "de", "es wäre nicht schlecht, wenn ihr zurückruft"),
        ("da hab ich nicht schlecht geschaut", "de", "da hab ich nicht schlecht geschaut"),
        ("nehmt es mir nicht übel", "de", "nehmt es mir nicht übel"),
    ],
)
def test_litotes_rewrites_only_negated_trouble(text: str, lang: str, settled: str) -> None:
    assert litotes.settle(text, lang) == settled


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Got the letter from Hafenlicht: prices up 11% from January. Brilliant.", True),
        ("Hafenlicht erhöht die Preise um 14%. Toll.", True),
        ("New feature in the Hafenlicht app: daily usage graph. Nice.", False),  # no bad news before the praise
        ("Hafenlicht sponsors the youth football team now. Brilliant.", False),
    ],
)
def test_one_word_praise_after_bad_news_is_sarcasm(tagger: Tagger, text: str, flag: bool) -> None:
    tags = one(tagger, text)
    assert tags["criticism"] is flag
    assert any(r.startswith(("sarcasm", "Ironie")) for r in tags["criticism_reasons"]) is flag


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for the 3h outage, Hafenlicht. Great job as usual",
        "Danke für nichts, Hafenlicht! Super gemacht, wieder keine Antwort 👍",
        "Got the letter from Hafenlicht: prices up 11% from January. Brilliant.",
    ],
)
def test_sarcastic_praise_reads_as_negative(tagger: Tagger, text: str) -> None:
    """The models read the praise words; a post flagged for sarcasm means the opposite."""
    tags = one(tagger, text)
    assert tags["criticism"] is True and tags["sentiment_label"] == "negative" and tags["sentiment"] < 0
    assert tags["criticism_reasons"][-1] == crit.SARCASM_FLIP


def test_sincere_praise_stays_positive(tagger: Tagger) -> None:
    tags = one(tagger, "Thanks for the quick fix Hafenlicht, great job!")
    assert (tags["criticism"], tags["sentiment_label"]) == (False, "positive")


@pytest.mark.parametrize(
    "text",
    [
        "Warum fragt die Hafenlicht-App bei jedem Start nach Zugriff auf meine Kontakte? Datenschutz geht anders.",
        "Why does the Hafenlicht app need access to my contacts?",
    ],
)
def test_why_questions_about_my_data_are_criticism(tagger: Tagger, text: str) -> None:
    tags = one(tagger, text)
    assert tags["criticism"] is True
    assert any(r.startswith(("question implying", "Frage mit")) for r in tags["criticism_reasons"])


def test_split_verb_crash_is_a_complaint_and_a_spam_folder_is_not(tagger: Tagger) -> None:
    crash = one(tagger, "Die Hafenlicht-App stürzt beim Öffnen sofort ab. Neu installiert, hilft nicht ...")
    assert crash["criticism"] is True and "Beschwerde: Störung/Ausfall" in crash["criticism_reasons"]
    reply = one(tagger, "@nina2000 Hello, please check your spam folder. If nothing's there, DM us. ^LB")
    assert reply["criticism"] is False
    assert one(tagger, "Hafenlicht keeps spamming me with offers")["criticism"] is True
