"""API faults against a local fake API: retried within a budget, in the ledger, other sources unaffected."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from collectors import registry
from collectors.__main__ import main
from collectors.runner import run_collector
from earshot.config import Source
from earshot.context import Context
from storage.schema import MENTIONS, RUNS
from tests.fakeapi import Answer, FakeAPI, Seen
from tests.fault_collectors import TOKEN_ENV, JsonApiCollector, pages
from tests.privacy_helpers import config

TOKEN = "tok-SECRET-abcdef123456"
HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    monkeypatch.setenv("EARSHOT_PSEUDONYM_KEY", "fault-test-key-0123456789")


def serve(docs: dict[int, dict], faults: dict[int, list[Answer | Callable[[Seen], Answer]]]) -> Callable:
    """A responder: for page N, first the scripted faults, then the page; 401 for a wrong token."""

    def respond(seen: Seen) -> Answer:
        if seen.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Answer(401, {"title": "Unauthorized", "detail": "token expired"})
        page = int(seen.query.get("page", ["1"])[0])
        queue = faults.get(page, [])
        if queue:
            fault = queue.pop(0)
            return fault(seen) if callable(fault) else fault
        return Answer(200, docs[page])

    return respond


def slow(seconds: float) -> Callable[[Seen], Answer]:
    def answer(seen: Seen) -> Answer:
        time.sleep(seconds)
        return Answer(200, {"items": [], "next": None})

    return answer


def run(tmp_path: Path, api: FakeAPI) -> tuple[Context, JsonApiCollector, object]:
    ctx = Context(config(tmp_path), tmp_path / "data")
    col = JsonApiCollector(ctx.config, Source(enabled=True, base_url=api.url))
    return ctx, col, run_collector(ctx, col)


def ledger(ctx: Context) -> dict:
    rows = ctx.lake.read(RUNS).to_pylist()
    return sorted(rows, key=lambda r: r["started_at"])[-1]


def limited_until_five_seconds_on(seen: Seen) -> Answer:
    """A 429 whose reset header (Unix seconds, as X writes it) lies about five seconds after this answer.

    Computed when the request arrives, not when the script is built: page 1 (and its lake write)
    comes first, which on a loaded machine takes long enough to eat into a reset fixed in advance.
    """
    return Answer(429, {"error": "slow down"}, {"x-rate-limit-reset": str(round(time.time()) + 5)})


FAULTS = {
    "429 with reset header": ([limited_until_five_seconds_on], 1),
    "429 with Retry-After": ([Answer(429, "Too Many Requests", {"Retry-After": "3"})], 1),
    "429 without headers": ([Answer(429, {"error": "slow down"})], 1),
    "500": ([Answer(500, {"error": "internal"})], 1),
    "502 html": ([Answer(502, HTML, {"Content-Type": "text/html"})], 1),
    "503 twice": ([Answer(503, ""), Answer(503, "")], 2),
    "504": ([Answer(504, "Gateway Timeout")], 1),
    "timeout": ([slow(JsonApiCollector.policy.timeout_s + 1)], 1),
    "truncated json": ([Answer(200, b'{"items": [{"id": "1-0", "text": "Hafen', {"Content-Type": "application/json"})],
                       1),
    "html where json expected": ([Answer(200, HTML, {"Content-Type": "text/html"})], 1),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_transient_fault_is_retried_and_counted(tmp_path: Path, name: str) -> None:
    docs = pages(3, 4)
    script, waits = FAULTS[name]
    with FakeAPI() as api:
        api.route("GET", "/items", serve(docs, {2: list(script)}))
        ctx, col, report = run(tmp_path, api)
    assert report.status == "ok", report.errors
    assert report.new == 12 and ctx.lake.count(MENTIONS) == 12
    row = ledger(ctx)
    assert row["rate_limit_waits"] == waits == len(col.slept)
    assert row["rate_limit_wait_seconds"] == pytest.approx(sum(col.slept))
    if name == "429 with reset header":
        assert 3.5 <= col.slept[0] <= 5.5  # waited for the platform's reset time, not a guess
    if name == "429 with Retry-After":
        assert col.slept[0] == pytest.approx(3.0)
    assert ctx.state.load("fakeapi") == {"page": 3, "done": True}


def test_connection_reset_is_retried(tmp_path: Path) -> None:
    """A server that resets the first connection (RST), then forwards to the fake API."""
    docs = pages(2, 3)
    with FakeAPI() as api:
        api.route("GET", "/items", serve(docs, {}))
        proxy = ResetThenForward(api.url, resets=1)
        with proxy:
            ctx = Context(config(tmp_path), tmp_path / "data")
            col = JsonApiCollector(ctx.config, Source(enabled=True, base_url=proxy.url))
            report = run_collector(ctx, col)
    assert report.status == "ok" and report.new == 6
    assert ledger(ctx)["rate_limit_waits"] == 1


def test_persistent_fault_gives_up_within_budget_and_keeps_earlier_pages(tmp_path: Path) -> None:
    docs = pages(3, 4)
    with FakeAPI() as api:
        api.route("GET", "/items", serve(docs, {2: [Answer(503, "down")] * 10}))
        ctx, col, report = run(tmp_path, api)
        asked = len(api.requests_to("/items"))
    assert report.status == "partial"
    assert report.new == 4  # page 1 is kept
    assert asked == 1 + JsonApiCollector.policy.max_attempts  # bounded: no endless retry
    assert sum(col.slept) <= JsonApiCollector.policy.budget_s
    row = ledger(ctx)
    assert row["status"] == "partial" and any("503" in e for e in row["errors"])
    assert ctx.state.load("fakeapi") == {"page": 2}  # resumes at the failed page next time


def test_expired_token_mid_run_keeps_data_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = pages(3, 4)

    def expire_after_page_1(seen: Seen) -> Answer:
        monkeypatch.setenv(TOKEN_ENV, "expired")  # the token stops working while the run goes on
        return Answer(200, docs[1])

    with FakeAPI() as api:
        api.route("GET", "/items", serve(docs, {1: [expire_after_page_1]}))
        ctx, col, report = run(tmp_path, api)
        assert report.status == "partial" and report.new == 4
        row = ledger(ctx)
        assert any("401" in e and "token" in e for e in row["errors"])
        assert not any(TOKEN in e or "expired" in e.split("token")[0] for e in row["errors"])
        assert ctx.state.load("fakeapi") == {"page": 2}
        monkeypatch.setenv(TOKEN_ENV, TOKEN)  # renewed
        again = run_collector(Context(ctx.config, ctx.data_dir), JsonApiCollector(
            ctx.config, Source(enabled=True, base_url=api.url)))
    assert again.status == "ok" and again.new == 8 and again.duplicates == 0
    ids = ctx.lake.read(MENTIONS, ["id"]).column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 12  # every item exactly once


def test_other_sources_unaffected_and_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    class Steady(JsonApiCollector):
        name = "steady"

    monkeypatch.setitem(registry.REGISTRY, "fakeapi", JsonApiCollector)
    monkeypatch.setitem(registry.REGISTRY, "steady", Steady)
    with FakeAPI() as bad, FakeAPI() as good:
        bad.route("GET", "/items", Answer(503, "down"))
        good.route("GET", "/items", serve(pages(2, 5), {}))
        cfg = config(tmp_path)
        data = yaml.safe_load(cfg.path.read_text())
        data["sources"] = {"fakeapi": {"enabled": True, "base_url": bad.url},
                           "steady": {"enabled": True, "base_url": good.url}}
        cfg.path.write_text(yaml.safe_dump(data))
        code = main(["--config", str(cfg.path), "--data", str(tmp_path / "data"), "run"])
    assert code == 1  # something failed, and the exit code says so
    ctx = Context(cfg, tmp_path / "data")
    runs = {r["collector"]: r for r in ctx.lake.read(RUNS).to_pylist()}
    assert runs["fakeapi"]["status"] == "failed" and runs["fakeapi"]["errors"]
    assert runs["steady"]["status"] == "ok" and runs["steady"]["new"] == 10
    assert ctx.lake.count(MENTIONS) == 10


class ResetThenForward:
    """A TCP server on 127.0.0.1 that resets the first ``resets`` connections, then relays to ``target``."""

    def __init__(self, target: str, resets: int) -> None:
        host, port = target.removeprefix("http://").split(":")
        self.target = (host, int(port))
        self.resets = resets
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            if self.resets > 0:
                self.resets -= 1
                conn.recv(65536)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()  # SO_LINGER 0: the peer sees ECONNRESET
                continue
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn: socket.socket) -> None:
        with conn, socket.create_connection(self.target) as up:
            conn.settimeout(2)
            up.settimeout(2)
            request = conn.recv(65536)
            up.sendall(request.replace(b"Connection: keep-alive", b"Connection: close"))
            while chunk := up.recv(65536):
                conn.sendall(chunk)

    def __enter__(self) -> ResetThenForward:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()
