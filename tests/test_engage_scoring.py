"""Opportunity score properties, approach, risk and routing on fixed German and English cases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import conversations, opportunity, risk, routing
from analysis.topics import TopicMatcher
from earshot.config import EXAMPLE_CONFIG, load_config, parse_config
from earshot.errors import ConfigError
from storage.lake import Lake
from storage.workflow import WorkflowStore
from tests.test_engage_conversations import NOW, THREAD, build_lake, frame, post

CONFIG = load_config(EXAMPLE_CONFIG)
RISK = CONFIG.engagement.risk


def thread(**over: object) -> dict:
    base = {
        "thread": "x:1", "criticism": 1, "open_question": False, "answered": False, "max_followers": 200,
        "engagement": 10, "velocity": 1.0, "topics": ["billing"], "sentiment": -0.3, "repeat_complainer": 1,
        "texts": ["Die Rechnung ist falsch"], "title": None, "text": "Die Rechnung ist falsch", "praise": 0,
        "first_at": NOW - timedelta(hours=3), "last_at": NOW - timedelta(hours=1), "first_response_s": float("nan"),
    }  # fmt: skip
    base.update(over)
    return base


def full_score(t: dict) -> float:
    """Score as rank() computes it: risk and owner derived from the thread itself."""
    owner = routing.route(t["topics"], CONFIG)
    r = risk.assess(t, RISK)
    approach = opportunity.suggest_approach(t, r, owner.team, CONFIG).kind
    return opportunity.score(t, CONFIG.engagement, owner.topic is not None, r.level, NOW, approach).score


threads = st.fixed_dictionaries({
    "criticism": st.integers(0, 20), "open_question": st.booleans(), "answered": st.booleans(),
    "max_followers": st.integers(0, 5_000_000), "engagement": st.integers(0, 100_000),
    "velocity": st.floats(0, 10_000, allow_nan=False), "sentiment": st.floats(-1, 1, allow_nan=False),
    "repeat_complainer": st.integers(0, 10), "hours_idle": st.floats(0, 24 * 60, allow_nan=False),
    "topics": st.sampled_from([[], ["billing"], ["privacy"], ["unknown"]]),
    "texts": st.sampled_from([["Rechnung falsch"], ["Ich gehe zum Anwalt"], ["press inquiry about outages"]]),
})  # fmt: skip


def _t(d: dict) -> dict:
    d = dict(d)
    return thread(**{k: v for k, v in d.items() if k != "hours_idle"}, last_at=NOW - timedelta(hours=d["hours_idle"]))


@settings(max_examples=200, deadline=None)
@given(threads, st.integers(0, 5_000_000))
def test_more_reach_never_lowers_the_score(d: dict, more: int) -> None:
    t = _t(d)
    bigger = {**t, "max_followers": t["max_followers"] + more}
    assert full_score(bigger) >= full_score(t)


@settings(max_examples=200, deadline=None)
@given(threads)
def test_an_open_question_never_lowers_the_score(d: dict) -> None:
    t = _t(d)
    assert full_score({**t, "open_question": True}) >= full_score({**t, "open_question": False})


@settings(max_examples=200, deadline=None)
@given(threads)
def test_score_in_range_and_unanswered_ranks_higher(d: dict) -> None:
    t = _t(d)
    assert 0 <= full_score(t) <= 100
    assert full_score({**t, "answered": False}) >= full_score({**t, "answered": True})


def test_reasons_in_words() -> None:
    t = thread(open_question=True, max_followers=3200, engagement=40, first_at=NOW - timedelta(hours=2),
               last_at=NOW - timedelta(minutes=10))
    reasons = opportunity.score(t, CONFIG.engagement, True, "low", NOW).reasons
    assert reasons[0] == "unanswered question about billing"
    assert "3.2k followers" in reasons and "40 interactions in 2 h" in reasons


def test_recency_decays_by_half_life() -> None:
    fresh = opportunity.score(thread(last_at=NOW), CONFIG.engagement, True, "low", NOW).score
    old = opportunity.score(thread(last_at=NOW - timedelta(hours=48)), CONFIG.engagement, True, "low", NOW).score
    assert old == pytest.approx(fresh / 2, abs=0.1)


@pytest.mark.parametrize(("over", "kind"), [
    ({"answered": True, "open_question": False, "open_criticism": 0}, "stay_out"),
    ({"answered": True, "open_question": False, "open_criticism": 1}, "acknowledge_private"),
    ({"open_question": True}, "answer"),
    ({"open_question": True, "texts": ["Stimmt es, dass Hafenlicht meine Zählerdaten verkauft?"]}, "correct"),
    ({"criticism": 2, "texts": ["Apparently Hafenlicht doubles prices in May, outrageous"]}, "correct"),
    ({"criticism": 1}, "acknowledge_private"),
    ({"criticism": 0, "praise": 1, "sentiment": 0.7, "texts": ["Danke!"]}, "thank"),
    ({"criticism": 0, "sentiment": 0.0, "texts": ["Hafenlicht sponsert das Hafenfest"]}, "stay_out"),
])  # fmt: skip
def test_suggested_approach(over: dict, kind: str) -> None:
    t = thread(**over)
    r = risk.assess(t, RISK)
    a = opportunity.suggest_approach(t, r, "customer-service", CONFIG)
    assert a.kind == kind and a.label == opportunity.APPROACHES[kind]
    assert a.guideline.startswith("Answer billing questions publicly")


def test_high_risk_approach_names_team_first() -> None:
    t = thread(texts=["Ich habe meinen Anwalt eingeschaltet."], max_followers=20_000)
    r = risk.assess(t, RISK)
    a = opportunity.suggest_approach(t, r, "customer-service", CONFIG)
    assert r.level == "high" and a.why.startswith("high risk: involve legal before anyone answers")


# -- risk: fixed cases in both languages ------------------------------------------------------
@pytest.mark.parametrize(("text", "followers", "level", "impacts", "teams"), [
    ("Ich habe meinen Anwalt eingeschaltet und gehe zur Verbraucherzentrale.", 5000, "high", ["legal"], ["legal"]),
    ("I'm going to sue Hafenlicht, my lawyer is on it.", 50, "medium", ["legal"], ["legal"]),
    ("Meine LichtBox ist überhitzt, es kam Rauch raus. Gefährlich!", 2000, "high", ["safety"], ["legal"]),
    ("The LichtBox battery caught fire in our garage", 80, "medium", ["safety"], ["legal"]),
    ("Hafenlicht hat meine Daten weitergegeben, das ist ein DSGVO-Verstoß", 1500, "high", ["privacy"], ["legal"]),
    ("Hafenlicht leaked my personal data. GDPR complaint filed.", 20, "medium", ["privacy"], ["legal"]),
    ("Der Techniker von Hafenlicht war rassistisch zu meiner Mutter", 1200, "high", ["discrimination"], ["hr"]),
    ("Hafenlicht hotline staff were openly sexist on the phone", 10, "medium", ["discrimination"], ["hr"]),
    ("Hafenlicht hat mir die Gutschrift überwiesen. Kein Grund zur Klage.", 3000, "low", [], []),
    ("Der Mitarbeiter an der Hotline war sehr nett", 300, "low", [], []),
    ("Wir reichen eine Sammelklage gegen Hafenlicht ein", 10, "medium", ["legal"], ["legal"]),
    ("Hafenlicht lays off 200 employees, works council not consulted", 8000, "medium", ["employee"], ["hr"]),
    ("Der Betriebsrat bei Hafenlicht wurde bei den Schichtplänen übergangen", 300, "medium", ["employee"], ["hr"]),
    ("I'm a journalist with the Hamburg Post writing about Hafenlicht's outages, any comments?", 300, "medium",
     ["press"], ["marketing"]),
    ("Die Presse berichtet schon über die Störung bei Hafenlicht", 300, "medium", ["press"], ["marketing"]),
    ("Die Rechnung von Hafenlicht ist viel zu hoch", 300, "low", [], []),
    ("Very courteous support, brand new LichtBox works", 300, "low", [], []),
])  # fmt: skip
def test_risk_fixed_cases(text: str, followers: int, level: str, impacts: list[str], teams: list[str]) -> None:
    r = risk.assess(thread(texts=[text], max_followers=followers, sentiment=-0.2), RISK)
    assert (r.level, r.impacts, r.must_involve) == (level, impacts, teams)
    if impacts:
        assert r.reasons[0].startswith(risk.IMPACT_WORDS[impacts[0]])


def test_risk_likelihood_alone() -> None:
    loud = thread(max_followers=50_000, velocity=40, sentiment=-0.8, repeat_complainer=4)
    r = risk.assess(loud, RISK)
    assert r.level == "high" and r.must_involve == ["marketing"]  # viral_team
    assert r.reasons == ["large reach (50.0k followers)", "spreading fast (40 interactions/h)",
                         "very negative (mean sentiment -0.80)", "repeat complainer (4 critical posts)"]
    assert risk.assess(thread(max_followers=50_000), RISK).level == "medium"
    assert risk.assess(thread(), RISK).level == "low"


# -- routing -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "lang", "team", "topic"), [
    ("Meine Rechnung bei Hafenlicht ist doppelt abgebucht worden", "de", "customer-service", "billing"),
    ("Hafenlicht charged me twice on my last invoice", "en", "customer-service", "billing"),
    ("Schon wieder eine Störung, Hafenlicht ist down", "de", "it", "outage"),
    ("Hafenlicht outage again, nothing is working", "en", "it", "outage"),
    ("Was macht Hafenlicht mit den Daten vom Smart Meter? DSGVO?", "de", "legal", "privacy"),
    ("Does Hafenlicht sell smart meter data? GDPR anyone?", "en", "legal", "privacy"),
    ("Hafenlicht sucht Azubis, wie ist die Ausbildung dort?", "de", "hr", "employer"),
    ("Is Hafenlicht a good employer? Thinking about a job there", "en", "hr", "employer"),
    ("Hafenlicht sponsert das Hafenfest", "de", "customer-service", None),
    ("Saw a Hafenlicht van today", "en", "customer-service", None),
])  # fmt: skip
def test_routing_from_text_in_both_languages(text: str, lang: str, team: str, topic: str | None) -> None:
    topics = TopicMatcher(CONFIG).match(text, lang)
    r = routing.route(topics, CONFIG)
    assert (r.team, r.topic) == (team, topic)
    assert ("fallback" in r.reason) == (topic is None)


def test_routing_order_and_missing_fallback() -> None:
    assert routing.route(["privacy", "billing"], CONFIG).team == "legal"
    assert routing.route(["nope", "billing"], CONFIG).team == "customer-service"
    bare = CONFIG.model_copy(update={"fallback_team": ""})
    assert routing.route([], bare).team == ""


def test_rank_puts_the_open_critical_thread_first() -> None:
    rows = [
        *THREAD,  # answered billing thread
        post("q1", "Hafenlicht Störung seit 3 Stunden, wann geht es wieder?", source="mastodon", author="max",
             followers=4000, likes=30, replies=12, criticism=True, topics=("outage",), intent="question",
             sentiment=-0.6, hours_ago=2),
        post("p1", "Danke Hafenlicht, super Service", source="bluesky", intent="praise", sentiment=0.8,
             hours_ago=5),
        post("o1", "Wir haben neue Tarife", source="x", own=True, author="hafenlicht", hours_ago=1),
        post("old", "Uralte Beschwerde", source="reddit", criticism=True, hours_ago=24 * 30),
    ]
    queue = opportunity.rank(conversations.summarize(frame(rows), now=NOW), CONFIG, NOW)
    assert queue["thread"].tolist() == ["mastodon:q1", "bluesky:p1", "x:1"]  # own-only and old threads dropped
    top = queue.iloc[0]
    assert top["team"] == "it" and top["approach"] == "answer"
    assert top["reasons"][0] == "unanswered question about outage"
    assert queue.set_index("thread").loc["x:1", "approach"] == "stay_out"
    assert queue.set_index("thread").loc["bluesky:p1", "approach"] == "thank"
    assert opportunity.rank(conversations.summarize(frame([]), now=NOW), CONFIG, NOW).empty


def test_opportunities_over_a_lake(tmp_path: Path) -> None:
    rows = [
        *THREAD,
        post("q1", "Hafenlicht Störung, wann geht es wieder?", source="mastodon", followers=4000, likes=30,
             criticism=True, topics=("outage",), intent="question", sentiment=-0.6, hours_ago=2),
    ]
    lake = build_lake(tmp_path, rows)
    queue = opportunity.opportunities(lake, CONFIG, now=NOW)
    assert queue["thread"].tolist() == ["mastodon:q1", "x:1"]
    assert queue.iloc[0]["open_text"] == "Hafenlicht Störung, wann geht es wieder?"
    assert opportunity.opportunities(Lake(tmp_path / "empty"), CONFIG, now=NOW).empty
    store = WorkflowStore(tmp_path)
    store.decide("mastodon:q1", "anna", status="escalated", team="it")
    queue = opportunity.opportunities(lake, CONFIG, now=NOW, store=store).set_index("thread")
    assert queue.loc["mastodon:q1", ["status", "version"]].tolist() == ["escalated", 1]
    assert queue.loc["x:1", ["status", "version"]].tolist() == ["answered", 0]  # an own reply, no decision yet


def test_engagement_config_is_validated() -> None:
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["engagement"]["risk"]["impact_teams"]["press"] = "pr"
    with pytest.raises(ConfigError, match="impact_teams.press names team 'pr'"):
        parse_config(data)
    data["engagement"]["risk"]["impact_teams"] = {"lawsuits": "legal"}
    with pytest.raises(ConfigError, match="not an impact kind"):
        parse_config(data)
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["engagement"]["weights"]["reach"] = -1
    with pytest.raises(ConfigError, match=r"engagement\.weights\.reach"):
        parse_config(data)
    data["engagement"]["weights"]["reach"] = 40
    assert parse_config(data).engagement.weights.reach == 40
