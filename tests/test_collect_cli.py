"""The cron story, end to end against a local fake API: pagination, a 429 with a reset header,
an interruption mid-run (error and SIGKILL) and its rerun, the lock, exit codes, --since, --dry-run.

The fake Bluesky PDS and Algolia endpoint serve posts generated here (fictional, written by us,
in the shape of the recordings under tests/fixtures/*/earshot/).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from collectors import http
from collectors.__main__ import EXIT_BUSY, main
from collectors.bluesky import BlueskyCollector
from collectors.runner import run_collector
from earshot.config import EXAMPLE_CONFIG, ROOT, Source, load_config
from earshot.context import Context
from storage.lock import write_lock
from storage.schema import MENTIONS, RUNS
from tests.fakeapi import Answer, FakeAPI
from tests.replay import FIXTURES

LOGIN = "/xrpc/com.atproto.server.createSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
SESSION = json.loads((FIXTURES / "bluesky/earshot/createSession.json").read_text())
N_POSTS, PAGE = 250, 100
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def post(i: int) -> dict:
    at = (T0 - timedelta(minutes=i)).isoformat().replace("+00:00", "Z")
    did = f"did:plc:user{i % 17:021d}"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3lc{i:010d}", "cid": f"bafyrei{i:010d}",
        "author": {"did": did, "handle": f"user{i % 17}.bsky.social", "displayName": f"User {i % 17}", "labels": []},
        "record": {"$type": "app.bsky.feed.post", "createdAt": at, "langs": ["de"],
                   "text": f"Frage {i} an Hafenlicht: wann kommt die neue LichtBox?"},
        "replyCount": i % 3, "repostCount": 0, "likeCount": i % 5, "quoteCount": 0, "indexedAt": at, "labels": [],
    }


POSTS = [post(i) for i in range(N_POSTS)]


class PDS:
    """A fake PDS: newest first, PAGE posts per page, cursor = page number."""

    def __init__(self, api: FakeAPI) -> None:
        self.api = api
        self.hold_page: int | None = None  # block this page until released (for the SIGKILL test)
        self.release = threading.Event()
        self.held = threading.Event()
        self.fail_page: int | None = None  # answer this page with a 500 (for the error test)
        self.limit_once_page: int | None = None  # answer this page once with a 429
        api.route("POST", LOGIN, Answer(200, SESSION))
        api.route("GET", SEARCH, self.search)

    def search(self, seen) -> Answer:
        page = int(seen.query.get("cursor", ["0"])[0])
        since = seen.query.get("since", [None])[0]
        if page == self.limit_once_page:
            self.limit_once_page = None
            return Answer(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                          {"ratelimit-reset": "1795600045", "ratelimit-remaining": "0"})
        if page == self.fail_page:
            return Answer(500, {"error": "InternalServerError", "message": "Internal Server Error"})
        if page == self.hold_page:
            self.held.set()
            self.release.wait(30)
        posts = [p for p in POSTS if since is None or p["indexedAt"] >= since]
        chunk = posts[page * PAGE:(page + 1) * PAGE]
        more = (page + 1) * PAGE < len(posts)
        return Answer(200, {"posts": chunk, **({"cursor": str(page + 1)} if more else {})})


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("BLUESKY_HANDLE", "earshot-test.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")


def write_config(tmp_path: Path, sources: dict) -> Path:
    cfg = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    cfg["sources"] = sources
    path = tmp_path / "earshot.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def bsky(api: FakeAPI) -> dict:
    return {"enabled": True, "service": api.url, "queries": ["Hafenlicht"]}


def hn(api: FakeAPI) -> dict:
    return {"enabled": True, "api_url": api.url + "/api/v1", "queries": ["Hafenlicht"]}


def lake_ids(data: Path) -> list[str]:
    return Context(load_config(EXAMPLE_CONFIG), data).lake.read(MENTIONS, columns=["id"]).column("id").to_pylist()


def route_hn(api: FakeAPI) -> None:
    body = json.loads((FIXTURES / "hackernews/earshot/search_by_date_page0.json").read_text())
    api.route("GET", "/api/v1/search_by_date", Answer(200, {**body, "nbPages": 1}))


# -- the fake server: pagination, 429 with reset, interruption and rerun ------------------------


def test_pagination_429_and_interrupted_run_rerun_stores_every_item_once(ctx, creds):
    with FakeAPI() as api:
        pds = PDS(api)
        pds.limit_once_page, pds.fail_page = 1, 2

        def collector():
            col = BlueskyCollector(ctx.config, Source(**bsky(api)))
            col.sleeps = []
            col.retrier = http.Retrier("bluesky", col.policy, sleep=col.sleeps.append, clock=lambda: 1795600000.0,
                                       jitter=lambda: 0.0)
            return col

        first = collector()
        report = run_collector(ctx, first)
        assert first.sleeps[0] == 45.0  # waited for ratelimit-reset (epoch) on page 1
        assert report.status == "partial" and report.new == 200 and report.rate_limit_waits >= 1
        assert "HTTP 500" in report.errors[0]
        assert ctx.state.load("bluesky") == {}  # the query never completed: its cursor did not move
        pds.fail_page = None
        second = run_collector(ctx, collector())
    assert second.status == "ok" and second.new == 50 and second.duplicates == 200
    ids = ctx.lake.read(MENTIONS, columns=["id"]).column("id").to_pylist()
    assert len(ids) == len(set(ids)) == N_POSTS  # every item exactly once
    assert ctx.state.load("bluesky")["queries"]["Hafenlicht"]["newest"] == POSTS[0]["indexedAt"]


def test_killed_run_then_rerun_stores_every_item_once(tmp_path, creds):
    data = tmp_path / "data"
    with FakeAPI() as api:
        pds = PDS(api)
        pds.hold_page = 2
        env = {**os.environ, "EARSHOT_CONFIG": str(write_config(tmp_path, {"bluesky": bsky(api)})),
               "EARSHOT_DATA_DIR": str(data)}
        cmd = [sys.executable, "-m", "collectors", "--source", "bluesky"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert pds.held.wait(120), "the run never reached page 3"
        proc.send_signal(signal.SIGKILL)  # a crash in the middle of the run
        proc.wait(30)
        pds.hold_page = None
        pds.release.set()
        rerun = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == -signal.SIGKILL
    assert rerun.returncode == 0, rerun.stderr
    ids = lake_ids(data)
    assert len(ids) == len(set(ids)) == N_POSTS


# -- the command line: lock, exit codes, --since, --dry-run, status -------------------------------


def test_second_concurrent_run_exits_cleanly_or_waits(tmp_path, monkeypatch):
    data = tmp_path / "data"
    with FakeAPI() as api:
        route_hn(api)
        monkeypatch.setenv("EARSHOT_CONFIG", str(write_config(tmp_path, {"hackernews": hn(api)})))
        monkeypatch.setenv("EARSHOT_DATA_DIR", str(data))
        with write_lock(data):  # another run holds the lock
            assert main(["--wait", "0"]) == EXIT_BUSY
            assert api.seen == [] and not (data / "lake").exists()  # nothing fetched, nothing written
        held = threading.Event()
        holder = threading.Thread(target=_hold_lock, args=(data, held, 0.5))
        holder.start()
        assert held.wait(30)  # the other run has the lock (a fixed sleep could start this run first)
        assert main(["--wait", "10"]) == 0  # waits for the other run, then collects
        holder.join()
    assert len(api.seen) == 1


def _hold_lock(data: Path, held: threading.Event, seconds: float) -> None:
    with write_lock(data):
        held.set()
        time.sleep(seconds)


def test_exit_codes_and_failed_source_keeps_the_others(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    monkeypatch.delenv("BLUESKY_HANDLE", raising=False)
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(data))
    with FakeAPI() as api:
        route_hn(api)
        monkeypatch.setenv("EARSHOT_CONFIG", str(write_config(tmp_path, {"hackernews": hn(api)})))
        assert main([]) == 0
        both = {"hackernews": hn(api), "bluesky": bsky(api)}
        monkeypatch.setenv("EARSHOT_CONFIG", str(write_config(tmp_path, both)))
        assert main([]) == 1  # bluesky has no credentials; hackernews still ran
    err = capsys.readouterr().err
    assert "BLUESKY_HANDLE is not set" in err
    ctx = Context.load(None, data)
    runs = ctx.lake.read(RUNS).to_pylist()
    runs.sort(key=lambda r: r["started_at"])
    assert {(r["collector"], r["status"]) for r in runs[-2:]} == {("hackernews", "ok"), ("bluesky", "failed")}
    assert len(ctx.lake.read(MENTIONS)) == 2
    typo = {"hackernews": {"enabled": True, "max_pagez": 3}}
    monkeypatch.setenv("EARSHOT_CONFIG", str(write_config(tmp_path, typo)))
    assert main([]) == 2  # a config error: nothing fetched
    assert "sources.hackernews.max_pagez" in capsys.readouterr().err
    assert main(["--source", "myspace"]) == 2


def test_since_backfill_and_dry_run(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(data))
    with FakeAPI() as api:
        route_hn(api)
        monkeypatch.setenv("EARSHOT_CONFIG", str(write_config(tmp_path, {"hackernews": hn(api)})))
        assert main(["--dry-run", "--since", "2026-11-01"]) == 0
        assert api.seen == [] and not (data / "lake").exists()
        out = capsys.readouterr().out
        assert "hackernews: GET " in out and "created_at_i>=1793491200" in out
        assert main(["--since", "2026-11-01"]) == 0
        assert api.seen[0].query["numericFilters"] == ["created_at_i>=1793491200"]
        assert main(["--since", "yesterday-ish"]) == 2
    assert main(["status"]) == 0
    assert "hackernews" in capsys.readouterr().out
