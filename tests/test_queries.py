"""Query functions over a small hand-made lake, without Streamlit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.version import ANALYZER_VERSION
from storage import queries_coverage as qc
from storage import queries_metrics as qm
from storage import queries_rows as qr
from storage.lake import Lake
from storage.queries import Filters, Store
from storage.schema import MENTIONS, RUNS, TAGS, empty_row

DAY = datetime(2026, 3, 10, 12, tzinfo=UTC)


def mention(i: str, when: datetime, **kw) -> dict:
    row = empty_row()
    row.update(source=kw.pop("source", "x"), id=i, created_at=when, collected_at=when, text=f"post {i}",
               url=f"https://x.example/{i}", entity=kw.get("entity", "Acme"), entities=[kw.pop("entity", "Acme")],
               likes=0, replies=0, reposts=0, lang="en")
    row.update(kw)
    return row


def tag(i: str, when: datetime, label: str | None, criticism: bool, topics: list[str] | None = None,
        intent: str = "other", source: str = "x", version: str = ANALYZER_VERSION, lang: str = "en") -> dict:
    score = {"positive": 0.6, "negative": -0.6, "neutral": 0.0}[label or "neutral"]
    return {"source": source, "id": i, "created_at": when, "analyzer_version": version, "tagged_at": when,
            "lang": lang, "sentiment": score, "sentiment_label": label, "criticism": criticism,
            "criticism_reasons": [], "topics": topics or [], "intent": intent}


@pytest.fixture
def lake_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    lake = Lake(d)
    ms = [
        mention("1", DAY, likes=5, author_followers=100),
        mention("2", DAY + timedelta(hours=1), likes=50, author_followers=10, text="Price =HYPERLINK bad"),
        mention("3", DAY + timedelta(days=1), entity="Rival", author_followers=5000),
        mention("4", DAY + timedelta(days=1), source="reddit", lang="de", text="Frage zur Rechnung?"),
        mention("5", DAY + timedelta(days=2)),  # untagged
        # our own reply to 1, two hours later
        mention("6", DAY + timedelta(hours=2), parent_id="1", conversation_id="1", is_own=True),
        mention("7", DAY - timedelta(days=3)),  # previous period
    ]
    ms[0]["conversation_id"] = "1"
    lake.append(MENTIONS, ms)
    lake.append(TAGS, [
        tag("1", DAY, "negative", True, ["pricing"]),
        tag("2", DAY, "negative", True, ["pricing", "billing"]),
        tag("3", DAY, "positive", False),
        tag("4", DAY, "neutral", False, ["billing"], intent="question", source="reddit", lang="de"),
        tag("6", DAY, "neutral", False),
        tag("7", DAY, "positive", False),
        tag("5", DAY, "negative", True, version="0.0.old"),  # an older analyzer: must be ignored
    ])
    lake.append(RUNS, [{
        "run_id": "r1", "collector": "x", "query": "acme", "started_at": DAY + timedelta(days=1, hours=1),
        "finished_at": DAY + timedelta(days=1, hours=2), "window_start": DAY - timedelta(days=5),
        "window_end": DAY + timedelta(days=1), "pages": 1, "fetched": 7, "matched": 7, "new": 7, "duplicates": 0,
        "bad": 0, "errors": [], "rate_limit_waits": 0, "rate_limit_wait_seconds": 0.0, "status": "ok",
        "duration_s": 1.0,
    }])
    return d


PERIOD = Filters(since=date(2026, 3, 10), until=date(2026, 3, 13))


def test_empty_lake_gives_empty_typed_results(tmp_path: Path) -> None:
    s = Store(tmp_path / "nothing")
    assert s.mention_count() == 0 and s.bounds() == (None, None) and s.distinct("source") == []
    assert qm.volume_by_day(s, Filters()).empty
    assert qm.kpis(s, Filters(), ["Acme"], ["Rival"]).mentions == 0
    assert qr.mentions_page(s, Filters(search="x")).empty and qr.simple_queue(s, Filters()).empty
    assert qc.gaps(s, Filters()) == [] and qc.per_collector(s).empty
    assert not s.has_demo()


def test_refresh_picks_up_the_first_files(tmp_path: Path) -> None:
    d = tmp_path / "data"
    s = Store(d)
    assert s.mention_count() == 0
    Lake(d).append(MENTIONS, [mention("a", DAY)])
    assert s.refresh() is True and s.mention_count() == 1
    assert s.refresh() is False  # nothing changed: views and facts are kept


def test_untagged_mentions_appear_with_null_tags_and_old_versions_are_ignored(lake_dir: Path) -> None:
    s = Store(lake_dir)
    rows = qr.mentions_page(s, Filters(), limit=50).set_index("id")
    assert len(rows) == 7
    assert pd.isna(rows.loc["5", "sentiment_label"]) and rows.loc["5", "text"] == "post 5"
    share = qm.sentiment_share(s, Filters()).set_index("sentiment")["mentions"]
    assert share["untagged"] == 1 and share["negative"] == 2


def test_filters_combine(lake_dir: Path) -> None:
    s = Store(lake_dir)
    assert qr.count(s, Filters(sources=("reddit",))) == 1
    assert qr.count(s, Filters(langs=("de",))) == 1
    assert qr.count(s, Filters(entities=("Rival",))) == 1
    assert qr.count(s, Filters(topics=("billing",))) == 2
    assert qr.count(s, Filters(topics=("billing",), criticism=True)) == 1
    assert qr.count(s, Filters(criticism=False)) == 5  # untagged counts as not critical
    assert qr.count(s, Filters(since=date(2026, 3, 11), until=date(2026, 3, 11))) == 2
    assert qr.count(s, Filters(include_own=False)) == 6
    assert qr.count(s, Filters(search="hyperlink")) == 1 and qr.count(s, Filters(search="RECHNUNG")) == 1


def test_kpis_and_previous_period(lake_dir: Path) -> None:
    s = Store(lake_dir)
    k = qm.kpis(s, PERIOD, ["Acme"], ["Rival"])
    assert k.mentions == 5 and k.criticism == 2 and k.tagged == 4
    assert k.criticism_share == pytest.approx(2 / 4)
    assert k.brand_health == pytest.approx(1 / 3)  # 1 positive, 2 negative
    assert k.share_of_voice == pytest.approx(4 / 5)
    assert k.criticism_answered == pytest.approx(1 / 2)  # only "1" got an own reply
    assert k.median_first_response_h == pytest.approx(2.0)
    prev = PERIOD.previous()
    assert prev == Filters(since=date(2026, 3, 6), until=date(2026, 3, 9))
    before = qm.kpis(s, prev, ["Acme"], ["Rival"])
    assert before.mentions == 1 and before.brand_health == 1.0
    assert qm.change(5, 1, relative=True) == 4.0 and qm.change(0.5, 0.25, relative=False) == 0.25
    assert qm.change(3, 0, relative=True) is None


def test_volume_topics_and_entities(lake_dir: Path) -> None:
    s = Store(lake_dir)
    vol = qm.volume_by_day(s, PERIOD, "source")
    assert vol["mentions"].sum() == 6 and set(vol["source"]) == {"x", "reddit"}
    with pytest.raises(ValueError):
        qm.volume_by_day(s, PERIOD, "text; DROP TABLE facts")
    topics = qm.top_topics(s, PERIOD).set_index("topic")
    assert topics.loc["pricing", "mentions"] == 2 and topics.loc["pricing", "criticism_share"] == 1.0
    assert topics.loc["billing", "mentions"] == 2
    ent = qm.by_entity(s, PERIOD, ["Acme", "Rival"]).set_index("entity")
    assert ent.loc["Acme", "mentions"] == 4 and ent.loc["Rival", "share_of_voice"] == pytest.approx(0.2)
    themes = qm.entity_topics(s, PERIOD, ["Acme", "Rival"])
    assert set(themes["topic"]) == {"pricing", "billing"} and set(themes["entity"]) == {"Acme"}


def test_mentions_page_sorts_and_links_safely(lake_dir: Path) -> None:
    s = Store(lake_dir)
    by_reach = qr.mentions_page(s, Filters(), "reach", 3)
    assert list(by_reach["id"][:2]) == ["3", "1"]
    by_eng = qr.mentions_page(s, Filters(), "engagement", 1)
    assert list(by_eng["id"]) == ["2"] and by_eng["text"][0] == "Price =HYPERLINK bad"
    recent = qr.mentions_page(s, Filters(), "recency", 2)
    assert recent["created_at"].is_monotonic_decreasing
    assert qr.safe_url("https://x.example/1") == "https://x.example/1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil", "https://a b", None, 3, "ftp://x/y"):
        assert qr.safe_url(bad) is None


def test_simple_queue_ranks_open_criticism_and_questions(lake_dir: Path) -> None:
    s = Store(lake_dir)
    q = qr.simple_queue(s, Filters())
    assert list(q["id"]) == ["2", "4"]  # "1" was answered by an own post; "5" is untagged
    assert q["score"].is_monotonic_decreasing
    assert "criticism" in q["reasons"][0] and "open question" in q["reasons"][1]


def test_coverage_gaps_and_ledger(lake_dir: Path) -> None:
    s = Store(lake_dir)
    lines = qc.gaps(s, PERIOD)
    assert lines == ["x: 2 days not covered"]  # the only run ended on 2026-03-11
    assert qc.gap_note(s, Filters(since=date(2026, 3, 6), until=date(2026, 3, 11))) is None
    per = qc.per_collector(s)
    assert list(per["collector"]) == ["x"] and int(per["new"][0]) == 7


def test_a_query_is_retried_once_when_a_file_vanishes(lake_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Store(lake_dir)
    calls = {"n": 0}
    con = s.con
    real = con.execute

    class Flaky:
        def __getattr__(self, name):
            return getattr(con, name)

        def execute(self, sql, params=None):
            calls["n"] += 1
            if calls["n"] == 1:
                raise duckdb.IOException("No files found that match the pattern")
            return real(sql, params) if params is not None else real(sql)

    monkeypatch.setattr(s, "con", Flaky())
    assert qr.count(s, Filters()) == 7
    assert calls["n"] >= 2


def test_filter_parameters_are_not_sql(lake_dir: Path) -> None:
    s = Store(lake_dir)
    hostile = "x' OR '1'='1"
    assert qr.count(s, Filters(sources=(hostile,))) == 0
    assert qr.count(s, Filters(search=hostile)) == 0
    with pytest.raises(ValueError):
        s.distinct("text")


def test_by_keys_returns_only_the_named_mentions(lake_dir: Path) -> None:
    s = Store(lake_dir)
    rows = qr.by_keys(s, ["x:2", "reddit:4", "reddit:2", "bad-key"])
    assert sorted(rows["id"]) == ["2", "4"] and set(rows["source"]) == {"x", "reddit"}
    assert qr.by_keys(s, []).empty


def test_a_compaction_cut_short_is_not_counted_twice(tmp_path: Path) -> None:
    """A compaction that crashed after its merged file was in place, before the originals were deleted:
    until the next writer cleans up, the dashboard counts each mention once (a glob would count both)."""
    import json

    import pyarrow.parquet as pq

    from storage.lake import JOURNAL

    lake = Lake(tmp_path)
    for k in range(3):
        rows = []
        for i in range(k * 4, k * 4 + 4):
            row = empty_row()
            row.update(source="x", id=f"c{i}", created_at=datetime(2026, 5, 3, tzinfo=UTC) + timedelta(hours=i),
                       text=f"t{i}", entity="Acme", entities=["Acme"])
            rows.append(row)
        lake.append(MENTIONS, rows)
    old = lake.files(MENTIONS)
    merged = old[0].parent / "part-99999999T000000000000-c000-deadbeef.parquet"
    pq.write_table(lake.read(MENTIONS), merged)
    (old[0].parent / JOURNAL).write_text(json.dumps({"new": [merged.name], "old": [p.name for p in old]}))
    store = Store(tmp_path)
    assert store.mention_count() == 12
    assert qr.count(store, Filters()) == 12


def test_the_fact_table_is_built_month_by_month_with_every_months_tags(tmp_path: Path) -> None:
    """``facts`` is materialised one month partition at a time: every mention still gets its tags."""
    d = tmp_path / "data"
    lake = Lake(d)
    when = [datetime(2026, m, 28, 23, 30, tzinfo=UTC) for m in (1, 2, 3)] + [datetime(2026, 4, 1, 0, 5, tzinfo=UTC)]
    lake.append(MENTIONS, [mention(f"m{k}", w, source=s) for k, w in enumerate(when) for s in ("x", "reddit")])
    lake.append(TAGS, [tag(f"m{k}", w, label, k % 2 == 0, [f"t{k}"], source=s)
                       for k, (w, label) in enumerate(zip(when, ["negative", "positive", "neutral", None], strict=True))
                       for s in ("x", "reddit") if not (k == 3 and s == "x")])  # one mention left untagged
    store = Store(d)
    assert store.facts_ready() and len(Lake(d).months(MENTIONS)) == 4
    cols = "source, id, sentiment_label, criticism, topics, created_at"
    built = store.df(f"SELECT {cols} FROM facts ORDER BY id, source")  # noqa: S608
    plain = store.df(f"SELECT {cols} FROM joined ORDER BY id, source")  # noqa: S608
    pd.testing.assert_frame_equal(built, plain)
    assert len(built) == 8 and built["criticism"].notna().sum() == 7
    assert list(built.loc[built["id"] == "m1", "sentiment_label"]) == ["positive", "positive"]
    # the page's texts are read from the month partitions of the rows' UTC times (the fact table has no month)
    page = qr.mentions_page(store, Filters(), limit=10)
    assert len(page) == 8 and page["text"].tolist() == [f"post {i}" for i in page["id"]]


def test_a_mention_stored_again_in_a_later_month_keeps_its_tags(tmp_path: Path) -> None:
    """An item dated by its collection is stored again when fetched in a later month; its tag rows are in the
    first month only. The month-by-month build must still give both copies their tags, as ``joined`` does."""
    d = tmp_path / "data"
    lake = Lake(d)
    jan, feb = datetime(2026, 1, 20, tzinfo=UTC), datetime(2026, 2, 3, tzinfo=UTC)
    lake.append(MENTIONS, [mention("dup", jan), mention("other", feb), mention("new", feb)])
    lake.append(MENTIONS, [mention("dup", feb)])  # the same key again, in February
    lake.append(TAGS, [tag("dup", jan, "negative", True, ["billing"]), tag("other", feb, "positive", False)])
    store = Store(d)
    assert store.facts_ready()
    cols = "id, created_at, sentiment_label, criticism, topics, intent"
    built = store.df(f"SELECT {cols} FROM facts ORDER BY id, created_at")  # noqa: S608
    plain = store.df(f"SELECT {cols} FROM joined ORDER BY id, created_at")  # noqa: S608
    pd.testing.assert_frame_equal(built, plain)
    assert built["sentiment_label"].fillna("-").tolist() == ["negative", "negative", "-", "positive"]
    assert built["criticism"].tolist()[:2] == [True, True] and pd.isna(built["criticism"].iloc[2])  # "new": untagged
    # the same before the fact table is built (the page read from parquet)
    early = qr._page_from_parquet(store, Filters(), qr.SORTS["recency"], 10).sort_values(["id", "created_at"])
    assert early["sentiment_label"].fillna("-").tolist() == ["negative", "negative", "-", "positive"]
