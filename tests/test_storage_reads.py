"""Readers take no lock: a DuckDB read that loses the race with a compaction reads again.

The race that broke a CI run: ``python -m analysis run`` released the write lock, listed the
lake's files for its themes, and a waiting ``collectors compact`` deleted the small files it had
merged before DuckDB opened them ("No files found"). Here the compaction is made to happen
exactly between a reader's listing and its read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from analysis import conversations, pipeline, themes
from earshot.config import EXAMPLE_CONFIG, load_config
from earshot.context import Context
from earshot.errors import LakeError
from storage import reads
from storage.lake import Lake
from storage.reads import retry_read
from storage.schema import MENTIONS, empty_row

NOW = datetime.now(UTC).replace(microsecond=0)
COMPLAINTS = [
    "Stadtwerke Elbe billing portal is down again, I cannot pay my bill",
    "my Stadtwerke Elbe bill doubled and nobody answers the hotline",
    "Stadtwerke Elbe still no refund after six weeks, terrible service",
    "the Stadtwerke Elbe app keeps logging me out, billing page broken",
]


def _rows(start: int, n: int) -> list[dict]:
    out = []
    for i in range(start, start + n):
        row = empty_row()
        row.update(source="reddit", id=f"r{i}", created_at=NOW - timedelta(hours=i), text=COMPLAINTS[i % 4],
                   entity="Stadtwerke Elbe", entities=["Stadtwerke Elbe"], url=f"https://reddit.example/{i}")
        out.append(row)
    return out


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    data = tmp_path / "data"
    lake = Lake(data)
    for start in range(0, 40, 8):  # five small files in one month: a compaction merges and deletes them
        lake.append(MENTIONS, _rows(start, 8))
    context = Context(load_config(EXAMPLE_CONFIG), data)
    pipeline.run(context, workers=1)
    return context


@pytest.fixture
def compaction_after_listing(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first listing of the mentions is followed by a compaction (another process, in effect)."""
    listed = Lake.files
    merged: list[int] = []

    def files(self: Lake, table, months=None):  # noqa: ANN001, ANN202 - Lake.files' signature
        out = listed(self, table, months)
        if table is MENTIONS and not merged:
            merged.append(0)  # before compacting: the compaction lists the files, too
            merged[0] = Lake(ctx.data_dir).compact(MENTIONS)
        return out

    monkeypatch.setattr(Lake, "files", files)
    return merged


def test_mentions_are_read_again_after_a_compaction_under_the_reader(
    ctx: Context, compaction_after_listing: list[int]
) -> None:
    frame = conversations.load_mentions(ctx.lake)
    assert compaction_after_listing and compaction_after_listing[0] > 0  # the files listed first were gone
    assert sorted(frame["id"]) == sorted(f"r{i}" for i in range(40))
    assert frame["criticism"].any()  # tags joined as before


def test_lake_read_lists_again_after_a_compaction_under_the_reader(
    ctx: Context, compaction_after_listing: list[int]
) -> None:
    ids = ctx.lake.read(MENTIONS, ["id"]).column("id").to_pylist()
    assert compaction_after_listing and compaction_after_listing[0] > 0  # the files listed first were gone
    assert sorted(ids) == sorted(f"r{i}" for i in range(40))  # read from the merged file, none left out


def test_themes_are_discovered_after_a_compaction_under_the_reader(
    ctx: Context, compaction_after_listing: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    discover = themes.discover
    seen: list[int] = []

    def counting(keys, texts):  # noqa: ANN001, ANN202 - themes.discover's signature
        seen.append(len(keys))
        return discover(keys, texts)

    monkeypatch.setattr(themes, "discover", counting)
    themes.run(ctx)
    assert compaction_after_listing and compaction_after_listing[0] > 0
    assert seen and seen[0] > 0  # the recent criticism reached discovery


def test_a_read_that_keeps_failing_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads.time, "sleep", lambda s: None)
    calls: list[int] = []

    def gone() -> None:
        calls.append(1)
        raise duckdb.IOException('No files found that match the pattern "part-x.parquet"')

    with pytest.raises(LakeError, match="Run the command again"):
        retry_read(gone, "the mentions", attempts=3)
    assert len(calls) == 3


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def wrong() -> None:
        calls.append(1)
        raise duckdb.BinderException("no such column")

    with pytest.raises(duckdb.BinderException):
        retry_read(wrong, "the mentions")
    assert calls == [1]
