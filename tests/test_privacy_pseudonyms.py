"""Pseudonymisation at ingest: keyed, consistent, own accounts in clear, raw payloads never silently in clear."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from collectors.__main__ import main
from collectors.runner import run_collector
from earshot import privacy
from earshot.context import Context
from earshot.errors import ConfigError
from storage.schema import MENTIONS
from tests.privacy_helpers import ListCollector, config, find_in_data, post, raw_items

KEY = "test-key-0123456789abcdef"


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(privacy.KEY_ENV, KEY)
    return KEY


def items() -> list[dict]:
    return [
        post("1", "Hafenlicht billing is broken again", "Jane_Doe", "u-1001", "Jane Doe", source="x"),
        post("2", "@jane_doe agreed, Hafenlicht support never answers", "maxmuster", "u-2002", "Max Muster",
             source="x", reply_to="Jane_Doe"),
        post("3", "Wir kümmern uns, Hafenlicht Service", "hafenlicht_hilft", "u-9", "Hafenlicht Hilft", source="x"),
        post("4", "Hafenlicht on reddit too", "jane_doe", "t2_jane", "Jane D.", source="reddit"),
    ]


def test_pseudonyms_are_keyed_consistent_and_idempotent() -> None:
    p, q = privacy.Pseudonymiser(KEY), privacy.Pseudonymiser(KEY + "x")
    assert p("Jane_Doe") == p("@jane_doe ") == p("JANE_DOE")
    assert p("Jane_Doe") != q("Jane_Doe")
    assert p("jane") != p("janet")
    assert privacy.is_pseudonym(p("jane")) and p(p("jane")) == p("jane")
    assert p(None) is None and p("") == ""
    assert KEY not in repr(p)


def test_missing_key_is_a_config_error_naming_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    cfg = config(tmp_path, pseudonymise_authors=True)
    with pytest.raises(ConfigError) as err:
        privacy.pseudonymiser_for(cfg)
    assert err.value.exit_code == 2 and privacy.KEY_ENV in str(err.value)
    monkeypatch.setenv(privacy.KEY_ENV, "short")
    with pytest.raises(ConfigError, match="shorter than 16"):
        privacy.pseudonymiser_for(cfg)
    assert privacy.pseudonymiser_for(config(tmp_path, pseudonymise_authors=False)) is None


def test_cli_exits_2_without_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    cfg = config(tmp_path, pseudonymise_authors=True)
    code = main(["--config", str(cfg.path), "--data", str(tmp_path / "data"), "demo"])
    assert code == 2
    assert privacy.KEY_ENV in capsys.readouterr().err
    assert not (tmp_path / "data" / "lake").exists()


def test_demo_runs_without_key_and_is_pseudonymised(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    assert main(["demo"]) == 0
    ctx = Context.load()
    authors = [a for a in ctx.lake.read(MENTIONS, ["author"]).column("author").to_pylist() if a]
    assert authors
    own = privacy.handles(h for hs in ctx.config.own_accounts.values() for h in hs)
    assert all(privacy.is_pseudonym(a) or privacy.normalise(a) in own for a in authors)
    demo = privacy.Pseudonymiser(privacy.DEMO_KEY)
    assert any(a == demo(a) for a in authors)  # stable under the public demo key


def test_ingest_pseudonymises_lake_and_raw(tmp_path: Path, key: str) -> None:
    cfg = config(tmp_path, pseudonymise_authors=True, keep_raw="pseudonymised")
    ctx = Context(cfg, tmp_path / "data")
    report = run_collector(ctx, ListCollector(items()))
    assert report.new == 4
    rows = {r["id"]: r for r in ctx.lake.read(MENTIONS).to_pylist()}
    p = privacy.Pseudonymiser(key)
    assert rows["1"]["author"] == p("jane_doe") == rows["4"]["author"]  # same handle, other source: same pseudonym
    assert rows["1"]["author_id"] == p("u-1001")
    assert rows["3"]["author"] == "hafenlicht_hilft" and rows["3"]["is_own"] is True  # own account: clear
    # Raw payloads: the nested user objects and reply fields are pseudonymised too; texts and own accounts kept.
    assert find_in_data(ctx.data_dir, ["Jane Doe", "Max Muster", "u-1001", "u-2002", "t2_jane", "maxmuster"]) == []
    raw = {r["id"]: r for r in raw_items(ctx.data_dir)}
    assert raw["2"]["in_reply_to_screen_name"] == p("jane_doe")
    assert raw["2"]["entities"]["mentions"][0]["username"] == p("jane_doe")
    assert raw["3"]["user"]["username"] == "hafenlicht_hilft"
    assert raw["1"]["user"]["followers_count"] == 12 and raw["1"]["text"] == "Hafenlicht billing is broken again"
    assert find_in_data(ctx.data_dir, [key]) == []


def test_second_run_gives_the_same_pseudonyms(tmp_path: Path, key: str) -> None:
    cfg = config(tmp_path, pseudonymise_authors=True)
    ctx = Context(cfg, tmp_path / "data")
    run_collector(ctx, ListCollector(items()[:1]))
    later = post("5", "Hafenlicht still broken", "JANE_DOE", "u-1001", source="x")
    ctx.state.save("fake", {})  # a new cursor: the second run fetches the later post
    run_collector(Context(cfg, tmp_path / "data"), ListCollector([later]))
    authors = {r["id"]: r["author"] for r in ctx.lake.read(MENTIONS).to_pylist()}
    assert authors["1"] == authors["5"]


def test_keep_raw_none_and_clear(tmp_path: Path, key: str, caplog: pytest.LogCaptureFixture) -> None:
    ctx = Context(config(tmp_path, pseudonymise_authors=True, keep_raw="none"), tmp_path / "none")
    run_collector(ctx, ListCollector(items()))
    assert raw_items(ctx.data_dir) == [] and ctx.lake.count(MENTIONS) == 4
    with caplog.at_level(logging.WARNING):
        ctx = Context(config(tmp_path, pseudonymise_authors=True, keep_raw="clear"), tmp_path / "clear")
        run_collector(ctx, ListCollector(items()))
    assert "in clear" in caplog.text  # a deliberate setting, and never silent
    assert any(r["user"]["username"] == "Jane_Doe" for r in raw_items(ctx.data_dir))


def test_pseudonymisation_off_keeps_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    ctx = Context(config(tmp_path, pseudonymise_authors=False, keep_raw="clear"), tmp_path / "data")
    run_collector(ctx, ListCollector(items()))
    assert "Jane_Doe" in ctx.lake.read(MENTIONS, ["author"]).column("author").to_pylist()


def test_scrub_raw_handles_deep_nesting_and_keeps_structure() -> None:
    p = privacy.Pseudonymiser(KEY)
    deep: dict = {"user": {"username": "jane"}}
    node = deep
    for _ in range(5000):
        node["next"] = {"author": "jane", "n": 1}
        node = node["next"]
    out = privacy.scrub_raw(deep, p)
    node, depth = out, 0
    while "next" in node:
        node, depth = node["next"], depth + 1
        assert node["author"] == p("jane") and node["n"] == 1
    assert depth == 5000 and out["user"]["username"] == p("jane")
