"""Storage faults: a corrupt parquet file in the lake, and a disk that fills up while writing."""

from __future__ import annotations

import errno
import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from collectors import registry
from collectors.__main__ import main
from collectors.runner import run_collector
from earshot import privacy
from earshot.context import Context
from earshot.errors import LakeError
from storage.raw import RawStore
from storage.schema import MENTIONS, RUNS
from tests.privacy_helpers import ListCollector, config, post


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(privacy.KEY_ENV, "storage-test-key-0123456789")


def items(n: int = 30) -> list[dict]:
    return [post(f"p{i}", f"Hafenlicht Beitrag {i}", f"user{i}", f"id{i}", source="fake",
                 when=f"2026-{9 + i % 3:02d}-10T10:00:00Z") for i in range(n)]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_file_is_quarantined_and_restored_from_raw(
    tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys,
) -> None:
    cfg = config(tmp_path, keep_raw="pseudonymised")
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items(), page=30))
    files = ctx.lake.files(MENTIONS)
    assert len(files) == 3  # one per month
    victim = files[1]
    blob = victim.read_bytes()
    broken = {"truncate": blob[: len(blob) // 2], "garbage": b"\x00PAR1 not really" * 40, "empty": b""}
    victim.write_bytes(broken[damage])
    with caplog.at_level(logging.WARNING):
        fresh = Context(cfg, ctx.data_dir)
        rows = fresh.lake.read(MENTIONS)
    assert rows.num_rows == 20  # the other months stay readable
    assert not victim.exists()
    moved = ctx.data_dir / "quarantine" / victim.relative_to(ctx.data_dir / "lake")
    assert moved.exists()  # moved aside, not deleted: an operator can still look at it
    assert str(victim) in caplog.text and "python -m collectors remap" in caplog.text
    # Re-collectable from raw: the remap command restores exactly the lost rows, nothing doubled.
    monkeypatch.setitem(registry.REGISTRY, "fake", lambda config, settings: ListCollector([]))
    code = main(["--config", str(cfg.path), "--data", str(ctx.data_dir), "remap", "fake"])
    assert code == 0
    assert "10 rows restored, 20 already present" in capsys.readouterr().out
    ids = Context(cfg, ctx.data_dir).lake.read(MENTIONS, ["id"]).column("id").to_pylist()
    assert sorted(ids) == sorted(f"p{i}" for i in range(30))
    assert ctx.state.load("fake") == {"offset": 30}  # remap never moves a cursor


def test_remap_without_raw_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    cfg = config(tmp_path, keep_raw="none")
    run_collector(Context(cfg, tmp_path / "data"), ListCollector(items(4)))
    monkeypatch.setitem(registry.REGISTRY, "fake", lambda config, settings: ListCollector([]))
    assert main(["--config", str(cfg.path), "--data", str(tmp_path / "data"), "remap", "fake"]) == 2
    assert "keep_raw" in capsys.readouterr().err


@pytest.mark.parametrize("fail_on", ["lake", "raw"])
def test_disk_full_fails_cleanly_without_half_commits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      fail_on: str) -> None:
    cfg = config(tmp_path, keep_raw="clear")
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items(10), page=10))  # a first good run
    before = sorted(p.name for p in (ctx.data_dir).rglob("*") if p.is_file())
    cursor = ctx.state.load("fake")
    real_write = pq.write_table
    calls = {"n": 0}

    def full_disk_write(table, where, **kw):  # writes half a file, then the disk is full
        calls["n"] += 1
        real_write(table.slice(0, max(1, table.num_rows // 2)), where, **kw)
        raise OSError(errno.ENOSPC, "No space left on device")

    if fail_on == "lake":
        monkeypatch.setattr("storage.lake.pq.write_table", full_disk_write)
    else:
        class FullStream:  # the raw file's compressed stream: a few bytes land, then the disk is full
            def __init__(self, path: str, codec: str) -> None:
                Path(path).write_bytes(b"(zstd header)")

            def __enter__(self) -> FullStream:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def write(self, data: bytes) -> None:
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("storage.raw.pa.CompressedOutputStream", FullStream)
    ctx.state.save("fake", {"offset": 0})  # ask again: would re-send the same items
    more = items(10) + [post("new1", "Hafenlicht neu", "u", "i", source="fake")]
    with pytest.raises(LakeError) as err:
        run_collector(Context(cfg, ctx.data_dir), ListCollector(more, page=11))
    assert "disk is full" in str(err.value) and str(ctx.data_dir) in str(err.value)
    new_files = [p for p in ctx.data_dir.rglob("*") if p.is_file() and p.name not in before]
    # No temp or half file left behind. The raw payloads received before the lake write failed may
    # stay (whole files, written before the lake as always): they are what `remap` works from.
    assert all(p.name.endswith(".jsonl.zst") and not p.name.startswith(".tmp") for p in new_files)
    assert all(len(list(RawStore.read(p))) == 11 for p in new_files)
    assert ctx.state.load("fake") == {"offset": 0}  # the cursor did not move
    assert cursor == {"offset": 10}
    assert Context(cfg, ctx.data_dir).lake.count(MENTIONS) == 10
    monkeypatch.undo()
    monkeypatch.setenv(privacy.KEY_ENV, "storage-test-key-0123456789")
    again = run_collector(Context(cfg, ctx.data_dir), ListCollector(more, page=11))
    assert again.new == 1 and again.duplicates == 10


def test_disk_full_cli_exit_code_and_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    cfg = config(tmp_path)
    monkeypatch.setitem(registry.REGISTRY, "fake", lambda config, settings: ListCollector(items(5)))
    import yaml

    data = yaml.safe_load(cfg.path.read_text())
    data["sources"] = {"fake": {"enabled": True}}
    cfg.path.write_text(yaml.safe_dump(data))

    def full(*args, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("storage.lake.pq.write_table", full)
    code = main(["--config", str(cfg.path), "--data", str(tmp_path / "data"), "run"])
    err = capsys.readouterr().err
    assert code == 1
    assert "disk is full" in err and "Traceback" not in err
    assert Context(cfg, tmp_path / "data").lake.count(RUNS) == 0
