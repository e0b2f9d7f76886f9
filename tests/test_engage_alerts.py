"""Alert delivery against a local SMTP server and a local HTTP receiver (127.0.0.1), including failures:
a failed delivery is retried by the next run, never lost and never sent twice."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import alerts, spikes
from earshot.config import EXAMPLE_CONFIG, Alerts
from storage.workflow import WorkflowStore
from tests.test_engage_conversations import NOW, build_lake, post
from tests.test_engage_spikes import outage_posts

WEBHOOK_ENV = "EARSHOT_TEST_ALERT_WEBHOOK"


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: SMTPServer = self.server  # type: ignore[assignment]
        self.reply("220 127.0.0.1 test SMTP")
        while line := self.rfile.readline():
            cmd = line.decode().strip().upper()
            if cmd.startswith("EHLO"):
                self.wfile.write(b"250-127.0.0.1\r\n250 8BITMIME\r\n")
            elif cmd.startswith("MAIL FROM"):
                self.reply("451 4.3.0 try again later" if server.failing else "250 OK")
            elif cmd.startswith(("RCPT TO", "HELO", "RSET", "NOOP")):
                self.reply("250 OK")
            elif cmd == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                server.messages.append(message_from_bytes(data))
                self.reply("250 OK queued")
            elif cmd == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.messages: list = []
        self.failing = False


class HookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        server: HookServer = self.server  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server.requests.append((self.path, json.loads(body)))
        self.send_response(server.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class HookServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), HookHandler)
        self.requests: list = []
        self.status = 200


def _serve(server: socketserver.BaseServer) -> Iterator[socketserver.BaseServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    yield from _serve(SMTPServer())  # type: ignore[misc]


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[HookServer]:
    for server in _serve(HookServer()):
        port = server.server_address[1]  # type: ignore[attr-defined]
        monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{port}/services/T000/B000/secret-token-123")
        yield server  # type: ignore[misc]


def _config(tmp_path: Path, smtp_port: int) -> Path:
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["alerts"]["webhook_url_env"] = WEBHOOK_ENV
    data["alerts"]["email"].update(host="127.0.0.1", port=smtp_port, starttls=False,
                                   to=["social@hafenlicht.example"])
    path = tmp_path / "earshot.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _run(cfg: Path, data: Path) -> int:
    return alerts.main(["--config", str(cfg), "--data", str(data), "--now", NOW.isoformat()])


def test_delivered_once_to_webhook_and_email(tmp_path: Path, smtp: SMTPServer, hook: HookServer) -> None:
    data = tmp_path / "data"
    build_lake(data, outage_posts())
    cfg = _config(tmp_path, smtp.server_address[1])
    assert _run(cfg, data) == 0
    assert len(hook.requests) == 1 and len(smtp.messages) == 1
    path, body = hook.requests[0]
    assert path == "/services/T000/B000/secret-token-123"
    assert set(body) == {"text"} and body["text"].startswith("Spike in criticism about outage: 18 critical posts")
    assert "top terms: " in body["text"] and "sources: " in body["text"] and "Top posts:" in body["text"]
    mail = smtp.messages[0]
    assert mail["Subject"].startswith("[Earshot] Spike in criticism about outage")
    assert mail["To"] == "social@hafenlicht.example" and "stromausfall" in mail.get_payload()
    assert _run(cfg, data) == 0  # next cron run: the same spike is not sent again
    assert len(hook.requests) == 1 and len(smtp.messages) == 1
    assert {d["status"] for d in WorkflowStore(data).deliveries()} == {"sent"}


def test_failing_receivers_are_retried_not_lost_not_duplicated(
    tmp_path: Path, smtp: SMTPServer, hook: HookServer
) -> None:
    data = tmp_path / "data"
    build_lake(data, outage_posts())
    cfg = _config(tmp_path, smtp.server_address[1])
    hook.status, smtp.failing = 500, True
    assert _run(cfg, data) == 1
    assert len(hook.requests) == 1 and smtp.messages == []  # the webhook got it but refused it
    pending = WorkflowStore(data).deliveries()
    assert [(d["channel"], d["status"], d["attempts"]) for d in pending] == [("email", "pending", 1),
                                                                            ("webhook", "pending", 1)]
    assert pending[1]["last_error"] == "webhook answered HTTP 500"
    assert "secret-token" not in json.dumps(pending)
    assert _run(cfg, data) == 1  # still failing: still queued
    hook.status, smtp.failing = 200, False
    assert _run(cfg, data) == 0
    assert len(hook.requests) == 3 and len(smtp.messages) == 1
    assert _run(cfg, data) == 0
    assert len(hook.requests) == 3 and len(smtp.messages) == 1
    assert [(d["status"], d["attempts"]) for d in WorkflowStore(data).deliveries()] == [("sent", 3), ("sent", 3)]


def test_unreachable_webhook_keeps_the_url_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{port}/hook/secret-token-123")
    data = tmp_path / "data"
    build_lake(data, outage_posts())
    cfg = _config(tmp_path, port)
    assert _run(cfg, data) == 1
    errors = [d["last_error"] for d in WorkflowStore(data).deliveries()]
    assert errors and all("secret-token" not in e for e in errors)
    assert "webhook not reachable (ConnectionError)" in errors


def test_post_text_cannot_ping_a_channel(tmp_path: Path, smtp: SMTPServer, hook: HookServer) -> None:
    rows = outage_posts()
    rows.append(post("evil", "<!channel> Stromausfall <https://evil.example|klick>", hours_ago=0.05, likes=999,
                     criticism=True, topics=("outage",), sentiment=-0.9, author="evil"))
    data = tmp_path / "data"
    build_lake(data, rows)
    assert _run(_config(tmp_path, smtp.server_address[1]), data) == 0
    text = hook.requests[0][1]["text"]
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text


def test_dry_run_records_and_sends_nothing(tmp_path: Path, smtp: SMTPServer, hook: HookServer,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    build_lake(data, outage_posts())
    cfg = _config(tmp_path, smtp.server_address[1])
    assert alerts.main(["--config", str(cfg), "--data", str(data), "--now", NOW.isoformat(), "--dry-run"]) == 0
    assert "Spike in criticism about outage" in capsys.readouterr().out
    assert hook.requests == [] and smtp.messages == [] and WorkflowStore(data).alerts() == []


def test_bad_now_is_a_usage_error(tmp_path: Path) -> None:
    assert alerts.main(["--data", str(tmp_path), "--now", "yesterday-ish"]) == 2


def test_same_event_under_another_key_is_not_sent_again(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    start = pd.Timestamp(NOW).floor("D")
    first = spikes.SpikeAlert(key="spike:outage:day:a", scope="outage", start=start, end=start, bucket="day",
                              count=20, expected=1, p_value=1e-9, also=["product"])
    settings = Alerts()
    assert alerts.record(store, [first], settings) == 1
    flipped = spikes.SpikeAlert(key="spike:product:day:a", scope="product", start=start,
                                end=start + pd.Timedelta(days=1), bucket="day", count=40,
                                expected=1, p_value=1e-9, also=["outage"])
    unrelated = spikes.SpikeAlert(key="spike:pricing:day:a", scope="pricing", start=start, end=start, bucket="day",
                                  count=9, expected=1, p_value=1e-5)
    assert alerts.record(store, [flipped, unrelated], settings) == 1
    assert [a["key"] for a in store.alerts()] == ["spike:outage:day:a", "spike:pricing:day:a"]


def test_without_channels_alerts_stay_in_the_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EARSHOT_ALERT_WEBHOOK_URL", raising=False)
    data = tmp_path / "data"
    build_lake(data, outage_posts())
    args = ["--config", str(EXAMPLE_CONFIG), "--data", str(data), "--now", NOW.isoformat()]
    assert alerts.main(args) == 0
    store = WorkflowStore(data)
    assert [a["payload"]["scopes"] for a in store.alerts()] == [["outage"]] and store.deliveries() == []


def test_aftershocks_within_the_cooldown_are_the_same_event(tmp_path: Path) -> None:
    store = WorkflowStore(tmp_path)
    settings = Alerts(bucket="hour", cooldown_hours=24)
    hour = pd.Timestamp(NOW).floor("h")

    def spike(scope: str, start: int, end: int) -> spikes.SpikeAlert:
        return spikes.SpikeAlert(key=f"spike:{scope}:hour:{start}", scope=scope, start=hour + pd.Timedelta(hours=start),
                                 end=hour + pd.Timedelta(hours=end), bucket="hour", count=9, expected=1, p_value=1e-6)

    assert alerts.record(store, [spike("outage", 0, 0)], settings) == 1
    assert alerts.record(store, [spike("outage", 0, 10)], settings) == 0  # the episode goes on
    assert alerts.record(store, [spike("overall", 30, 31)], settings) == 0  # 20 h after it ended: aftershock
    assert alerts.record(store, [spike("pricing", 32, 32)], settings) == 1  # another topic is another event
    assert alerts.record(store, [spike("outage", 80, 80)], settings) == 1  # long after the cooldown: new event
    assert [a["payload"]["end"] for a in store.alerts()][0] == (hour + pd.Timedelta(hours=31)).isoformat()
