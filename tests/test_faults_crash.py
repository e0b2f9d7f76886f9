"""Crashes and concurrency with real processes: SIGKILL mid-write, and runs that overlap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from earshot.config import EXAMPLE_CONFIG, load_config
from earshot.context import Context
from storage.lake import Lake
from storage.schema import MENTIONS, TAGS

ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "tests" / "crash_helper.py"
N = 60  # items per run, 10 per page


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["EARSHOT_PSEUDONYM_KEY"] = "crash-test-key-0123456789"
    e["PYTHONPATH"] = str(ROOT)
    return e


def helper(data: Path, name: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HELPER), str(data), str(EXAMPLE_CONFIG), name, str(N), *extra],
        env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"helper ended early: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("helper never reached the crash point")
        time.sleep(0.05)


def visible_ids(data: Path) -> list[str]:
    """Ids as a fresh reader sees them, with pyarrow and with DuckDB over the lake's visible files.

    (A bare ``part-*.parquet`` glob would also list the originals of a compaction that crashed
    before deleting them; ``Lake.files`` hides them using the compaction journal.)
    """
    lake = Lake(data)
    ids = lake.read(MENTIONS, ["id"]).column("id").to_pylist()
    files = [str(p) for p in lake.files(MENTIONS)]
    con = duckdb.connect()
    duck = [r[0] for r in con.execute("SELECT id FROM read_parquet(?)", [files]).fetchall()] if files else []
    assert sorted(duck) == sorted(ids)
    return ids


@pytest.mark.parametrize("where", ["parquet", "cursor", "compact"])
def test_sigkill_mid_write_then_next_run_completes_exactly_once(tmp_path: Path, where: str) -> None:
    data = tmp_path / "data"
    proc = helper(data, "crashy", "--hang", where)
    wait_for(tmp_path / f"hang-{where}", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # Right after the crash: readable, no partial file visible, nothing doubled.
    ids = visible_ids(data)
    assert len(ids) == len(set(ids))
    assert not [p for p in Lake(data).files(MENTIONS) if p.name.startswith(".tmp")]
    if where != "compact":
        assert 10 <= len(ids) < N  # the first page is durable, the rest is not there yet
    # The next run finishes the job: every item exactly once.
    again = helper(data, "crashy")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()[-2000:]
    ids = visible_ids(data)
    assert sorted(ids) == sorted(f"crashy-{i}" for i in range(N))
    lake = Lake(data)
    lake.recover(MENTIONS)  # what the next writer does: stray temp files of the killed run are gone
    assert not list((data / "lake").rglob(".tmp-*"))
    assert sorted(visible_ids(data)) == sorted(f"crashy-{i}" for i in range(N))


def test_two_collections_an_analysis_and_a_compaction_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cfg = load_config(EXAMPLE_CONFIG)
    e = env()
    e["EARSHOT_DATA_DIR"] = str(data)
    procs = [
        helper(data, "alpha", "--page", "5"),
        helper(data, "beta", "--page", "5"),
        subprocess.Popen([sys.executable, "-m", "analysis", "--wait", "120", "run"], env=e, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen([sys.executable, "-m", "collectors", "--wait", "120", "compact"], env=e, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE),
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        if p.returncode != 0:  # pytest.fail prints the whole message; an assert's repr would be cut short
            pytest.fail(f"{' '.join(map(str, p.args[1:]))} exited {p.returncode}:\n{err.decode()[-4000:]}")
    ids = visible_ids(data)
    assert sorted(ids) == sorted([f"alpha-{i}" for i in range(N)] + [f"beta-{i}" for i in range(N)])
    ctx = Context(cfg, data)
    tags = ctx.lake.read(TAGS, ["source", "id", "analyzer_version"]).to_pylist()
    keys = [(t["source"], t["id"], t["analyzer_version"]) for t in tags]
    assert len(keys) == len(set(keys))  # the analysis may have run before or after; never twice
    # A second analysis run catches up with whatever arrived after the first.
    subprocess.run([sys.executable, "-m", "analysis", "run"], env=e, cwd=ROOT, check=True, capture_output=True)
    tagged = {(t["source"], t["id"]) for t in ctx.lake.read(TAGS, ["source", "id"]).to_pylist()}
    assert tagged == {(s, i) for s, i in zip(*[ctx.lake.read(MENTIONS, ["source", "id"]).column(c).to_pylist()
                                              for c in ("source", "id")], strict=True)}
