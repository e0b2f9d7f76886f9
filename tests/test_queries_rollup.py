"""The saved rollup: written by analysis.rollups.refresh, used for a fast start only while it is current."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analysis import rollups
from analysis.version import ANALYZER_VERSION
from earshot.config import EXAMPLE_CONFIG, load_config
from earshot.context import Context
from storage import queries
from storage import queries_metrics as qm
from storage import queries_rows as qr
from storage.lake import Lake
from storage.queries import Filters, Store
from storage.schema import MENTIONS, TAGS, empty_row

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def _rows(n: int, start: int = 0) -> list[dict]:
    out = []
    for i in range(start, start + n):
        row = empty_row()
        row.update(source=("x", "reddit")[i % 2], id=str(i), created_at=T0 + timedelta(hours=i), text=f"t{i}",
                   entity="Acme", entities=["Acme"], likes=i % 7, url=f"https://x.example/{i}")
        out.append(row)
    return out


def test_fast_start_matches_a_full_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "data"
    Lake(d).append(MENTIONS, _rows(300))
    Lake(d).append(TAGS, [  # every third mention untagged
        {"source": r["source"], "id": r["id"], "created_at": r["created_at"], "analyzer_version": ANALYZER_VERSION,
         "tagged_at": T0, "lang": "en", "sentiment": -0.5, "sentiment_label": ("negative", "neutral")[i % 2],
         "criticism": i % 2 == 0, "criticism_reasons": [], "topics": ["billing"], "intent": "other"}
        for i, r in enumerate(_rows(300)) if i % 3
    ])
    ctx = Context(load_config(EXAMPLE_CONFIG), d)
    result = rollups.refresh(ctx)
    assert result.mentions == 300 and (d / "rollups" / "daily.parquet").exists()

    full = Store(d)  # below FAST_START_ROWS: builds everything itself
    assert full.facts_ready()
    monkeypatch.setattr(queries, "FAST_START_ROWS", 100)
    fast = Store(d)
    assert not fast.facts_ready()  # started from the saved rollup
    f = Filters(since=(T0 + timedelta(days=2)).date(), until=(T0 + timedelta(days=6)).date())
    assert fast.mention_count() == full.mention_count() == 300
    assert qm.volume_by_day(fast, f).equals(qm.volume_by_day(full, f))
    assert qr.count(fast, f) == qr.count(full, f)
    before = qr.mentions_page(fast, f, "engagement", 20)  # read from parquet while facts are pending
    expected = qr.mentions_page(full, f, "engagement", 20)
    assert list(before["id"]) == list(expected["id"]) and list(before["text"]) == list(expected["text"])
    tagged = ["sentiment_label", "criticism", "topics"]
    assert before[tagged].astype(str).equals(expected[tagged].astype(str))
    assert expected["sentiment_label"].notna().sum() > 5 and expected["sentiment_label"].isna().sum() > 2
    fast.warm()
    deadline = time.monotonic() + 30
    while not fast.facts_ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fast.facts_ready()
    assert list(qr.mentions_page(fast, f, "engagement", 20)["id"]) == list(expected["id"])


def test_a_stale_rollup_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "data"
    lake = Lake(d)
    lake.append(MENTIONS, _rows(200))
    rollups.refresh(Context(load_config(EXAMPLE_CONFIG), d))
    lake.append(MENTIONS, _rows(50, start=200))  # new files after the rollup
    monkeypatch.setattr(queries, "FAST_START_ROWS", 10)
    s = Store(d)
    assert s.facts_ready() and s.mention_count() == 250
