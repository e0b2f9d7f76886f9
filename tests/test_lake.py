"""The lake: append with dedup, compaction (and its crash recovery), rewrite, quarantine, the lock."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from earshot.errors import LockBusy
from storage.lake import JOURNAL, Lake
from storage.lock import write_lock
from storage.schema import MENTIONS, RUNS, empty_row
from storage.state import StateStore

T0 = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)


def rows(ids, source="x", start=T0, step=timedelta(minutes=30)):
    out = []
    for n, i in enumerate(ids):
        r = empty_row()
        r.update(source=source, id=str(i), text=f"post {i}", created_at=start + n * step, collected_at=start)
        out.append(r)
    return out


def keys(lake: Lake) -> list[tuple[str, str]]:
    t = lake.read(MENTIONS, ["source", "id"])
    return sorted(zip(t.column("source").to_pylist(), t.column("id").to_pylist(), strict=True))


def test_append_partitions_by_month_and_dedups(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    res = lake.append(MENTIONS, rows(range(4)))  # 23:00 Sep 30 .. 00:30 Oct 1
    assert (res.new, res.duplicates, res.files) == (4, 0, 2)
    assert lake.months(MENTIONS) == ["2026-09", "2026-10"]
    again = lake.append(MENTIONS, rows(range(6)))
    assert (again.new, again.duplicates) == (2, 4)
    assert len(keys(Lake(tmp_path))) == 6  # a fresh instance reads keys from disk
    assert Lake(tmp_path).append(MENTIONS, rows(range(6))).new == 0


def test_same_id_other_source_is_not_a_duplicate(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    lake.append(MENTIONS, rows([1], "x"))
    assert lake.append(MENTIONS, rows([1], "reddit")).new == 1


def test_duplicates_within_one_batch(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    res = lake.append(MENTIONS, rows([1, 1, 2]))
    assert (res.new, res.duplicates) == (2, 1)


def test_no_temp_files_visible_after_append(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    lake.append(MENTIONS, rows(range(3)))
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert names and all(n.startswith("part-") and n.endswith(".parquet") for n in names)
    meta = pq.ParquetFile(lake.files(MENTIONS)[0]).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_compaction_merges_and_keeps_every_row(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    for k in range(10):
        lake.append(MENTIONS, rows(range(k * 5, k * 5 + 5), start=T0 + timedelta(days=1)))
    before = keys(lake)
    assert len(lake.files(MENTIONS)) == 10
    assert lake.compact(MENTIONS) == 10
    assert len(lake.files(MENTIONS)) == 1
    assert keys(lake) == before
    assert lake.append(MENTIONS, rows(range(50), start=T0 + timedelta(days=1))).new == 0


@pytest.mark.parametrize("complete", [True, False])
def test_interrupted_compaction_recovers_without_doubles(tmp_path: Path, complete: bool) -> None:
    lake = Lake(tmp_path)
    for k in range(3):
        lake.append(MENTIONS, rows(range(k * 3, k * 3 + 3), start=T0 + timedelta(days=2)))
    month_dir = lake.files(MENTIONS)[0].parent
    old = [p.name for p in lake.files(MENTIONS)]
    # Simulate a crash after the journal was written: the merged file exists (complete) or not.
    merged = month_dir / "part-99999999T000000000000-c000-deadbeef.parquet"
    if complete:
        pq.write_table(lake.read(MENTIONS), merged)
    (month_dir / JOURNAL).write_text(json.dumps({"new": [merged.name], "old": old}))
    Lake(tmp_path).recover(MENTIONS)
    assert not (month_dir / JOURNAL).exists()
    assert len(keys(lake)) == 9 and len(set(keys(lake))) == 9
    assert len(lake.files(MENTIONS)) == (1 if complete else 3)


def test_rewrite_removes_rows_everywhere(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    lake = Lake(tmp_path)
    lake.append(MENTIONS, rows(range(6)))
    gone = pa.array(["1", "4"])
    removed = lake.rewrite(MENTIONS, lambda t: pc.invert(pc.is_in(t["id"], value_set=gone)))
    assert removed == 2
    assert [i for _, i in keys(lake)] == ["0", "2", "3", "5"]


def test_corrupt_file_is_quarantined_and_rest_readable(tmp_path: Path, caplog) -> None:
    lake = Lake(tmp_path)
    lake.append(MENTIONS, rows(range(4)))  # two files, two months
    victim = lake.files(MENTIONS)[0]
    victim.write_bytes(victim.read_bytes()[: len(victim.read_bytes()) // 2])
    t = lake.read(MENTIONS)
    assert t.num_rows == 2
    assert not victim.exists()
    assert list((tmp_path / "quarantine").rglob("*.parquet"))
    assert "moved unreadable file" in caplog.text


def test_ledger_table_has_no_dedup(tmp_path: Path) -> None:
    lake = Lake(tmp_path)
    row = {f.name: None for f in RUNS.schema}
    row.update(run_id="a", collector="demo", started_at=T0, errors=[])
    lake.append(RUNS, [row])
    lake.append(RUNS, [row])
    assert lake.read(RUNS).num_rows == 2


def _hold_lock(path: str, ready, release) -> None:
    with write_lock(Path(path)):
        ready.set()
        release.wait(10)


def test_lock_blocks_second_writer_then_lets_it_in(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    proc.start()
    try:
        assert ready.wait(30)
        with pytest.raises(LockBusy, match="another Earshot run"):
            with write_lock(tmp_path, wait=0.3):
                pass
        release.set()
        t0 = time.monotonic()
        with write_lock(tmp_path, wait=10):
            assert time.monotonic() - t0 < 10
    finally:
        release.set()
        proc.join(10)


def test_lock_released_when_holder_dies(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    proc.start()
    assert ready.wait(30)
    os.kill(proc.pid, 9)
    proc.join(10)
    with write_lock(tmp_path, wait=2):
        pass


def test_state_round_trip_and_corrupt_state(tmp_path: Path) -> None:
    from earshot.errors import LakeError

    store = StateStore(tmp_path)
    assert store.load("x") == {}
    store.save("x", {"since_id": "123"})
    assert store.load("x") == {"since_id": "123"}
    store.path("x").write_text("{not json")
    with pytest.raises(LakeError, match="Delete it"):
        store.load("x")


def test_compaction_streams_small_files_and_leaves_full_ones(tmp_path: Path, monkeypatch) -> None:
    import storage.lake as lake_mod

    monkeypatch.setattr(lake_mod, "ROW_GROUP", 10)
    lake = Lake(tmp_path)
    day = T0 + timedelta(days=3)
    lake.append(MENTIONS, rows(range(0, 12), start=day, step=timedelta(minutes=1)))  # a full file: kept as is
    full = lake.files(MENTIONS)
    for k in range(7):  # seven small files, 25 rows in all
        lake.append(MENTIONS, rows(range(100 + 4 * k, 100 + 4 * k + 4), start=day, step=timedelta(minutes=1)))
    lake.append(MENTIONS, rows([200], start=day))
    before = keys(lake)
    assert lake.compact(MENTIONS) == 8
    after = lake.files(MENTIONS)
    assert full[0] in after and len(after) == 2
    merged = pq.ParquetFile([p for p in after if p != full[0]][0])
    assert merged.metadata.num_rows == 29
    assert [merged.metadata.row_group(i).num_rows for i in range(merged.num_row_groups)] == [10, 10, 9]
    assert keys(lake) == before
    assert lake.compact(MENTIONS) == 0  # nothing small left to merge
