"""Planted secrets never leak: not in output, logs, the ledger, parquet, raw payloads, state or exports.

Every collector that takes a credential runs against a failing local fake (127.0.0.1) or a
replayed error recording, with fake secrets in the environment; then the analysis and a CSV
export run; then every captured line and every file under the data directory is searched.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

import pytest
import yaml

from analysis.__main__ import main as analysis_main
from collectors import http
from collectors.__main__ import main
from earshot import privacy
from earshot.log import mask
from tests.fakeapi import Answer, FakeAPI
from tests.privacy_helpers import config, find_in_data
from tests.replay import replay

SECRETS = {
    "X_BEARER_TOKEN": "AAAAfakeXbearer0123456789SECRETxyz",
    "REDDIT_CLIENT_SECRET": "fakeRedditSecret_0123456789abcd",
    "BLUESKY_APP_PASSWORD": "fake-blue-sky1-app2-pass",
    "MASTODON_ACCESS_TOKEN": "fakeMastodonToken0123456789abcd",
    "EARSHOT_SMTP_PASSWORD": "fakeSmtpPassw0rd!2026",
    privacy.KEY_ENV: "fakePseudonymKey-0123456789abcdef",
}
URL_TOKEN = "fakeUrlToken987654321zyx"


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("REDDIT_CLIENT_ID", "fake-reddit-client-id")
    monkeypatch.setenv("BLUESKY_HANDLE", "earshot-test.bsky.social")

    def no_sleep(seconds: float) -> None:
        return None

    # Retries back off for real seconds; the waits themselves are not what this test is about.
    monkeypatch.setattr(http.Retrier.__init__, "__defaults__", (no_sleep, time.time, random.random))
    monkeypatch.setattr(time, "sleep", no_sleep)


def test_planted_secrets_appear_nowhere(tmp_path: Path, planted: None, capsys, caplog) -> None:
    data_dir = tmp_path / "data"
    cfg = config(tmp_path)
    doc = yaml.safe_load(cfg.path.read_text())
    with FakeAPI() as api:
        api.route("POST", "/xrpc/com.atproto.server.createSession",
                  Answer(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}))
        api.route("GET", "/api/v1/timelines/tag/hafenlicht", Answer(500, "<html>oops</html>"))
        api.route("GET", "/api/v1/search", Answer(403, {"error": "This action is not allowed"}))
        api.route("GET", "/hn/search_by_date", Answer(503, "<html>Service Unavailable</html>"))
        api.route("GET", "/feed.xml", Answer(500, "boom"))
        doc["sources"] = {
            "bluesky": {"enabled": True, "service": api.url},
            "mastodon": {"enabled": True, "instances": [{"url": api.url, "hashtags": ["hafenlicht"], "search": True}]},
            "hackernews": {"enabled": True, "api_url": api.url + "/hn"},
            "rss": {"enabled": True, "feeds": [f"{api.url}/feed.xml?access_token={URL_TOKEN}"]},
            "x": {"enabled": False},
            "reddit": {"enabled": False},
        }
        cfg.path.write_text(yaml.safe_dump(doc))
        args = ["--config", str(cfg.path), "--data", str(data_dir)]
        assert main([*args, "-v", "run"]) == 1  # every source failed, and said so
        with replay("twitter/earshot/search_recent_401.yaml"):
            assert main([*args, "-v", "run", "--source", "x"]) == 1
        with replay("reddit/prawcore/TestSession.test_request__with_invalid_access_token.json", match=("method",),
                    repeat=True):
            assert main([*args, "-v", "run", "--source", "reddit"]) == 1
    sample = tmp_path / "posts.csv"
    sample.write_text("id,text,author\n1,Hafenlicht Rechnung falsch,kunde_a\n2,Hafenlicht App geht nicht,kunde_b\n")
    assert main([*args, "import", str(sample)]) == 0
    assert analysis_main(["--config", str(cfg.path), "--data", str(data_dir), "run"]) == 0
    (data_dir / "exports").mkdir()
    from analysis.export import main as export_main

    assert export_main([str(data_dir / "exports" / "all.csv"), "--data", str(data_dir)]) == 0
    with open(data_dir / "exports" / "all.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 2
    out = capsys.readouterr()
    text = out.out + out.err + caplog.text
    assert "401" in text and "bluesky" in text and "mastodon" in text  # the failures were reported
    leaks = [name for name, value in {**SECRETS, "url token": URL_TOKEN}.items() if value in text]
    assert leaks == [], f"secrets in output or logs: {leaks}"
    assert find_in_data(data_dir, [*SECRETS.values(), URL_TOKEN]) == []


def test_mask_covers_urls_headers_and_env_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_API_KEY", "k3y-value-123456")
    line = ("GET https://api.example/x?access_token=abc123&q=1&sig=zzz Authorization: Bearer eyJhbGciOi.xyz "
            "key=k3y-value-123456 password=hunter22")
    masked = mask(line)
    for secret in ("abc123", "zzz", "eyJhbGciOi.xyz", "k3y-value-123456", "hunter22"):
        assert secret not in masked
    assert "q=1" in masked and "https://api.example/x" in masked
