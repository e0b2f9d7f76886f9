"""Threads from mentions (conversation_id, parent chains, standalone), summaries and response tracking.

Also holds the small lake builders the other test_engage_* files import.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from analysis import conversations, response
from analysis.version import ANALYZER_VERSION
from storage.lake import Lake
from storage.schema import MENTIONS, TAGS, empty_row
from storage.workflow import WorkflowStore

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def post(pid: str, text: str, *, hours_ago: float = 1.0, source: str = "x", author: str = "alice",
         parent: str | None = None, conv: str | None = None, own: bool = False, followers: int = 100,
         likes: int = 0, replies: int = 0, sentiment: float = 0.0, criticism: bool = False,
         topics: tuple[str, ...] = (), intent: str = "other") -> dict:
    """One mention row plus its tag fields (split apart by ``build_lake``)."""
    row = empty_row()
    row.update(source=source, id=pid, url=f"https://example.test/{pid}", text=text, author=author,
               author_id=author, author_followers=followers, created_at=NOW - timedelta(hours=hours_ago),
               collected_at=NOW, parent_id=parent, conversation_id=conv, is_own=own, likes=likes,
               replies=replies, reposts=0, entity="Hafenlicht", entities=["Hafenlicht"])
    row["_tag"] = {"sentiment": sentiment, "criticism": criticism, "topics": list(topics), "intent": intent,
                   "sentiment_label": "negative" if sentiment < -0.05 else "positive" if sentiment > 0.05
                   else "neutral"}
    return row


def build_lake(data_dir: Path, rows: list[dict], version: str = ANALYZER_VERSION) -> Lake:
    """Write the rows to a fresh lake as mentions and tags of ``version``."""
    lake = Lake(data_dir)
    mentions, tags = [], []
    for r in rows:
        r = dict(r)
        tag = r.pop("_tag")
        mentions.append(r)
        tags.append({"source": r["source"], "id": r["id"], "created_at": r["created_at"],
                     "analyzer_version": version, "tagged_at": NOW, "lang": "de", "criticism_reasons": [],
                     **tag})
    lake.append(MENTIONS, mentions)
    lake.append(TAGS, tags)
    return lake


def frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as ``load_mentions`` would return them, without a lake."""
    flat = [{**{k: v for k, v in r.items() if k != "_tag"}, **r["_tag"]} for r in rows]
    return conversations.normalise(pd.DataFrame(flat))


THREAD = [
    post("1", "Hafenlicht Rechnung doppelt abgebucht?", hours_ago=10, author="kim", followers=3200,
         criticism=True, topics=("billing",), intent="question", sentiment=-0.6),
    post("2", "Bei mir auch!", hours_ago=9, author="lea", parent="1", conv="1", criticism=True,
         topics=("billing",), intent="complaint", sentiment=-0.5),
    post("3", "Wir schauen uns das an, bitte DM", hours_ago=8, author="hafenlicht", parent="1", conv="1",
         own=True),
    post("4", "Danke, jetzt passt es", hours_ago=6, author="kim", parent="3", conv="1", sentiment=0.6,
         intent="praise"),
]


def test_thread_keys_follow_conversation_id_and_parent_chains() -> None:
    rows = [
        *THREAD,
        post("r1", "root without conversation ids", source="reddit"),
        post("r2", "reply", source="reddit", parent="r1"),
        post("r3", "reply to reply", source="reddit", parent="r2"),
        post("o1", "reply to a post we never saw", source="reddit", parent="missing"),
        post("o2", "its sibling", source="reddit", parent="missing"),
        post("s1", "standalone", source="mastodon"),
        post("1", "same id on another source is another thread", source="bluesky"),
    ]
    keys = conversations.thread_keys(frame(rows)).tolist()
    assert keys == ["x:1"] * 4 + ["reddit:r1"] * 3 + ["reddit:missing"] * 2 + ["mastodon:s1", "bluesky:1"]


def test_parent_cycles_do_not_hang() -> None:
    rows = [post("a", "a", parent="b"), post("b", "b", parent="a")]
    assert len(set(conversations.thread_keys(frame(rows)))) <= 2


def test_summary_counts_and_response(tmp_path: Path) -> None:
    lake = build_lake(tmp_path, [*THREAD, post("s1", "Tolle LichtBox", source="mastodon", intent="praise",
                                                 sentiment=0.8, hours_ago=2)])
    posts = conversations.load_mentions(lake)
    assert len(posts) == 5 and posts["criticism"].sum() == 2
    threads = conversations.summarize(posts, now=NOW).set_index("thread")
    t = threads.loc["x:1"]
    assert (t["size"], t["participants"], t["own_replies"], t["criticism"], t["questions"]) == (4, 2, 1, 2, 1)
    assert t["max_followers"] == 3200 and t["topics"] == ["billing"] and t["text"].startswith("Hafenlicht Rechnung")
    assert t["answered"] and not t["open_question"]
    assert t["first_response_s"] == 2 * 3600  # first post 10 h ago, our reply 8 h ago
    assert t["sentiment_before"] < 0 < t["sentiment_after"] and t["outcome"] == "improved"
    s = threads.loc["mastodon:s1"]
    assert s["size"] == 1 and not s["answered"] and s["outcome"] == ""


def test_question_after_our_reply_is_open_again() -> None:
    rows = [*THREAD, post("5", "Und wann kommt die Gutschrift?", hours_ago=1, author="kim", parent="3", conv="1",
                          intent="question", topics=("billing",))]
    t = conversations.summarize(frame(rows), now=NOW).iloc[0]
    assert t["answered"] and t["open_question"]


def test_own_root_post_is_not_an_answer() -> None:
    rows = [post("p", "Unsere neue App ist da", own=True, author="hafenlicht", hours_ago=5),
            post("q", "Geht die auch ohne Konto?", parent="p", conv="p", intent="question", hours_ago=4)]
    t = conversations.summarize(frame(rows), now=NOW).iloc[0]
    assert not t["answered"] and t["open_question"] and pd.isna(t["first_response_s"])


def test_untagged_and_old_version_tags_are_ignored(tmp_path: Path) -> None:
    lake = build_lake(tmp_path, THREAD, version="0.0.0-old")
    posts = conversations.load_mentions(lake)
    assert len(posts) == 4 and not posts["criticism"].any() and posts["topics"].map(len).sum() == 0


def test_empty_lake(tmp_path: Path) -> None:
    posts = conversations.load_mentions(Lake(tmp_path))
    assert posts.empty and "criticism" in posts
    assert conversations.summarize(posts, now=NOW).empty


def test_since_filters(tmp_path: Path) -> None:
    lake = build_lake(tmp_path, THREAD)
    assert len(conversations.load_mentions(lake, since=NOW - timedelta(hours=7))) == 1


def test_auto_answered_is_recorded_once_and_respects_decisions(tmp_path: Path) -> None:
    rows = [*THREAD, post("z", "Preise zu hoch", source="mastodon", criticism=True),
            post("z2", "Wir erklären es gern", source="mastodon", parent="z", own=True, author="hafenlicht")]
    threads = conversations.summarize(frame(rows), now=NOW)
    store = WorkflowStore(tmp_path)
    store.decide("mastodon:z", "anna", status="escalated", team="legal")
    assert response.apply(store, threads) == 1
    assert response.apply(store, threads) == 0  # already answered: nothing new
    current = store.current()
    assert current["x:1"]["status"] == "answered" and current["x:1"]["who"] == response.AUTO_WHO
    assert current["mastodon:z"]["status"] == "escalated"  # a human decision stays
    status = response.effective_status(threads, current)
    assert dict(zip(threads["thread"], status, strict=True)) == {"x:1": "answered", "mastodon:z": "escalated"}


def test_transparency_metrics_per_team_topic_and_period() -> None:
    from analysis.metrics import transparency
    from earshot.config import EXAMPLE_CONFIG, load_config

    config = load_config(EXAMPLE_CONFIG)
    rows = [
        *THREAD,  # billing, critical, answered after 2 h
        post("b2", "Abschlag falsch", source="mastodon", criticism=True, topics=("billing",), hours_ago=30),
        post("b3", "Rechnung falsch", source="mastodon", criticism=True, topics=("billing",), hours_ago=20),
        post("b3r", "Wir melden uns", source="mastodon", parent="b3", own=True, hours_ago=16),
        post("o1", "Störung", source="bluesky", criticism=True, topics=("outage", "billing"), hours_ago=3),
        post("n1", "Nur Lob", source="bluesky", hours_ago=3),  # not critical: not counted
        post("z1", "Meh", source="reddit", criticism=True, hours_ago=3),  # no topic: the fallback team
    ]
    threads = conversations.summarize(frame(rows), now=NOW)
    team = transparency(threads, config, by="team", freq=None).set_index("team")
    assert team.loc["customer-service"].to_dict() == {  # x:1, b2, b3 and the topic-less z1
        "critical_threads": 4, "answered": 2, "share_answered": 0.5, "median_first_response_h": 3.0}
    assert team.loc["it", "critical_threads"] == 1  # outage comes first in o1's topics
    topic = transparency(threads, config, by="topic", freq=None).set_index("topic")
    assert topic.loc["billing", "critical_threads"] == 4 and topic.loc["outage", "answered"] == 0
    assert topic.loc["(none)", "critical_threads"] == 1
    daily = transparency(threads, config, by=None, freq="D")
    assert daily["critical_threads"].tolist() == [2, 3] and daily["answered"].tolist() == [1, 1]  # b2, b3 | x:1, o1, z1
    assert transparency(threads.iloc[0:0], config).empty


def test_vectorised_tracking_matches_per_thread_tracking() -> None:
    rows = [
        *THREAD,
        post("5", "Und wann kommt die Gutschrift?", hours_ago=1, author="kim", parent="3", conv="1",
             intent="question", criticism=True),
        post("p", "Unsere neue App", own=True, author="hafenlicht", hours_ago=5, source="mastodon"),
        post("q", "Ohne Konto?", parent="p", conv="p", intent="question", hours_ago=4, source="mastodon"),
        post("r", "Ja, geht", parent="q", conv="p", own=True, hours_ago=3, source="mastodon"),
        post("s1", "standalone", source="bluesky", criticism=True),
        post("w1", "Preise!", source="reddit", criticism=True, sentiment=-0.5, hours_ago=9),
        post("w2", "Wir erklären es", source="reddit", parent="w1", own=True, hours_ago=8),
        post("w3", "Immer noch schlecht", source="reddit", parent="w2", sentiment=-0.9, hours_ago=7),
    ]
    posts = frame(rows)
    posts["thread"] = conversations.thread_keys(posts)
    together = response.track_all(posts.sort_values("created_at"))
    for key, group in posts.groupby("thread"):
        single = response.track(group)
        for field, value in single.items():
            other = together.loc[key, field]
            assert (pd.isna(value) and pd.isna(other)) or value == other, (key, field, value, other)
    assert together.loc["reddit:w1", "outcome"] == "worse" and together.loc["mastodon:p", "answered"]


def test_open_text_is_the_latest_unanswered_question() -> None:
    rows = [*THREAD, post("5", "Und wann kommt die Gutschrift?", hours_ago=1, author="kim", parent="3", conv="1",
                          intent="question"),
            post("6", "Unverschämt", hours_ago=0.5, author="lea", parent="3", conv="1", criticism=True)]
    threads = conversations.summarize(frame(rows), now=NOW)
    assert threads.iloc[0]["open_text"] == "Und wann kommt die Gutschrift?"
    assert conversations.summarize(frame(THREAD), now=NOW).iloc[0]["open_text"] == ""


def test_response_detection_on_the_demo_threads(tmp_path: Path) -> None:
    """The demo's own replies (is_own with parent_id/conversation_id) mark exactly their threads answered."""
    from collectors.demo import DemoCollector
    from collectors.runner import run_collector
    from earshot.config import EXAMPLE_CONFIG, Source, load_config
    from earshot.context import Context

    ctx = Context(load_config(EXAMPLE_CONFIG), tmp_path / "data")
    collector = DemoCollector(ctx.config, Source(enabled=True, days=14, seed=7, anchor="2026-11-27T14:00:00+00:00"))
    run_collector(ctx, collector)
    posts = conversations.load_mentions(ctx.lake)
    posts["thread"] = conversations.thread_keys(posts)
    threads = conversations.summarize(posts, now=datetime(2026, 11, 27, 14, tzinfo=UTC)).set_index("thread")
    replies = posts[posts["is_own"] & posts["parent_id"].notna()]
    assert len(replies) >= 20
    by_key = posts.set_index(["source", "id"])
    expected = {t for t, r in zip(replies["thread"], replies.itertuples(), strict=True)
                if not by_key.loc[(r.source, r.parent_id), "is_own"]}
    assert set(threads.index[threads["answered"]]) == expected
    answered = threads.loc[sorted(expected)]
    assert (answered["first_response_s"] > 0).all() and answered["first_response_at"].notna().all()
    waiting = threads[~threads["answered"] & threads["text"].str.contains("?", regex=False, na=False)]
    assert len(waiting) > 10  # questions still waiting for an answer
