"""Which models made the stored tags: a change of sentiment model re-tags at the next pass by itself."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis import company, corrections, fingerprint, pipeline
from analysis.model import SHIPPED, company_path
from analysis.version import ANALYZER_VERSION, SHIPPED_MODELS_DIGEST, shown_version
from earshot.config import EXAMPLE_CONFIG, load_config
from earshot.context import Context
from storage.lock import write_lock
from storage.schema import MENTIONS, TAGS, empty_row

# German posts the shipped model does not call negative, and which the team corrects to negative.
REMINDER = "Erinnerung: bitte den Zählerstand für Ablesung {n} bis Freitag eintragen"
PRAISE = "Danke, der Techniker war super freundlich und schnell, Termin {n} hat geklappt"
NEWS = "Hafenlicht veröffentlicht den Geschäftsbericht {n} für das Jahr"


def _add(ctx: Context, texts: list[str]) -> None:
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    rows = []
    for i, text in enumerate(texts):
        m = empty_row()
        m.update(source="import", id=f"c{i}", text=text, created_at=t0, collected_at=t0)
        rows.append(m)
    with write_lock(ctx.data_dir):
        ctx.lake.append(MENTIONS, rows)


def _labels(ctx: Context) -> dict[str, str]:
    return {r["id"]: r["sentiment_label"] for r in ctx.lake.read(TAGS).to_pylist()}


def test_shipped_models_match_the_analyzer_version() -> None:
    """Retraining a shipped model changes its tags: that needs a new ANALYZER_VERSION (and this digest)."""
    h = hashlib.sha256()
    for p in sorted(SHIPPED.iterdir()):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    assert h.hexdigest()[:16] == SHIPPED_MODELS_DIGEST, (
        "analysis/models changed: bump ANALYZER_VERSION in analysis/version.py and set SHIPPED_MODELS_DIGEST "
        f"= {h.hexdigest()[:16]!r}"
    )


def test_fingerprint_names_each_languages_model(tmp_path: Path) -> None:
    cfg = load_config(EXAMPLE_CONFIG)
    fp = fingerprint.of(cfg, tmp_path)
    assert fp["analyzer_version"] == ANALYZER_VERSION
    assert set(fp["sentiment"]) == {*cfg.languages, "other"}
    assert fp["sentiment"]["de"].startswith("shipped:") and fp["sentiment"]["other"] == "rules"
    own = company_path(tmp_path, "de")
    own.parent.mkdir(parents=True)
    own.write_bytes(b"a company model")
    after = fingerprint.of(cfg, tmp_path)
    assert after["sentiment"]["de"].startswith("company:") and after["sentiment"]["en"] == fp["sentiment"]["en"]
    assert fingerprint.changed(fp, after) == ["de"]
    assert fingerprint.changed(None, after) == [] and fingerprint.changed(after, after) == []
    assert fingerprint.changed({**fp, "analyzer_version": "0.0.1"}, after) == []  # another version re-tags anyway


def test_switch_to_transformer_backend_changes_the_fingerprint(tmp_path: Path) -> None:
    cfg = load_config(EXAMPLE_CONFIG)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"id2label": {"0": "negative"}}')
    (folder / "model.safetensors").write_bytes(b"\0" * 10)
    backend = {"sentiment_backend": "transformer", "transformer_model": str(folder), "transformer_languages": ["en"]}
    tf = cfg.model_copy(update={"analysis": cfg.analysis.model_copy(update=backend)})
    first = fingerprint.of(tf, tmp_path)
    assert first["sentiment"]["en"].startswith("transformer:") and first["sentiment"]["de"].startswith("shipped:")
    assert fingerprint.changed(fingerprint.of(cfg, tmp_path), first) == ["en"]
    (folder / "model.safetensors").write_bytes(b"\0" * 11)  # other weights
    assert fingerprint.changed(first, fingerprint.of(tf, tmp_path)) == ["en"]


def test_transformer_weights_are_hashed_only_when_they_changed(tmp_path: Path) -> None:
    cfg = load_config(EXAMPLE_CONFIG)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"id2label": {"0": "negative"}}')
    weights = folder / "model.safetensors"
    weights.write_bytes(b"\1" * 64)
    backend = {"sentiment_backend": "transformer", "transformer_model": str(folder), "transformer_languages": ["en"]}
    tf = cfg.model_copy(update={"analysis": cfg.analysis.model_copy(update=backend)})
    first = fingerprint.of(tf, tmp_path)
    assert set(first["files"]) == {str(folder / "config.json"), str(weights)}
    # Unchanged size and time: the digest saved by the last pass is used, the weights are not read again.
    saved = json.loads(json.dumps(first))
    saved["files"][str(weights)][2] = "from-last-pass"
    assert "model.safetensors=from-last-pass" in fingerprint.of(tf, tmp_path, before=saved)["sentiment"]["en"]
    # Weights replaced by others of exactly the same size: a new digest, so the next pass re-tags.
    weights.write_bytes(b"\2" * 64)
    os.utime(weights, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert fingerprint.changed(first, fingerprint.of(tf, tmp_path, before=first)) == ["en"]
    # Only touched: hashed again, the same digest, no re-tag.
    now = fingerprint.of(tf, tmp_path, before=first)
    weights.touch()
    os.utime(weights, ns=(time.time_ns(), time.time_ns() + 2_000_000))
    assert fingerprint.changed(now, fingerprint.of(tf, tmp_path, before=now)) == []


def test_accepted_company_model_retags_at_the_next_pass(ctx: Context) -> None:
    texts = [REMINDER.format(n=i) for i in range(30)] + [PRAISE.format(n=i) for i in range(20)]
    texts += [NEWS.format(n=i) for i in range(20)]
    labels = ["negative"] * 30 + ["positive"] * 20 + ["neutral"] * 20
    _add(ctx, texts)
    assert pipeline.run(ctx).tagged == 70
    assert fingerprint.saved(ctx.data_dir) == fingerprint.of(ctx.config, ctx.data_dir)
    assert _labels(ctx)["c0"] != "negative"  # the shipped model's answer
    corrections.set_corrections([("import", f"c{i}", "sentiment_label", y) for i, y in enumerate(labels)])
    try:
        assert "better: saved" in company.train(ctx, folds=3)[0]
    finally:
        corrections.set_corrections(None)  # the team's labels are gone: what follows is the model's own work
    again = pipeline.run(ctx)
    assert again.retagged_for == ["de"] and again.tagged == 70
    assert _labels(ctx)["c0"] == "negative" and len(_labels(ctx)) == 70
    assert json.loads(fingerprint.path(ctx.data_dir).read_text())["sentiment"]["de"].startswith("company:")
    assert pipeline.run(ctx).tagged == 0  # and then nothing more


def test_pass_cut_short_saves_no_fingerprint(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(ctx, [NEWS.format(n=i) for i in range(5)])
    fingerprint.save(ctx.data_dir, {"analyzer_version": ANALYZER_VERSION, "sentiment": {"de": "shipped:older"}})

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed mid-pass")

    monkeypatch.setattr(pipeline, "tag_batch", boom)
    with pytest.raises(RuntimeError, match="killed mid-pass"):
        pipeline.run(ctx)
    assert fingerprint.saved(ctx.data_dir)["sentiment"]["de"] == "shipped:older"  # so the next pass re-tags
    monkeypatch.undo()
    assert pipeline.run(ctx).retagged_for == ["de"]
    assert fingerprint.saved(ctx.data_dir) == fingerprint.of(ctx.config, ctx.data_dir)


def test_changed_taxonomy_is_reported_until_retag(ctx: Context, capsys: pytest.CaptureFixture) -> None:
    from analysis import __main__ as cli
    from earshot.config import Topic

    _add(ctx, [NEWS.format(n=i) for i in range(4)])
    assert pipeline.run(ctx).config_moved is False
    topics = [*ctx.config.topics, Topic(name="annual-report", keywords={"de": ["Geschäftsbericht"]},
                                        team=ctx.config.topics[0].team)]
    ctx.config = ctx.config.model_copy(update={"topics": topics})
    first = pipeline.run(ctx)
    assert first.config_moved and first.tagged == 0  # nothing re-tagged behind the team's back
    assert all("annual-report" not in r["topics"] for r in ctx.lake.read(TAGS).to_pylist())
    assert pipeline.run(ctx).config_moved  # still said on the next pass
    done = pipeline.run(ctx, retag=True)
    assert done.tagged == 4 and not done.config_moved
    assert all("annual-report" in r["topics"] for r in ctx.lake.read(TAGS).to_pylist())
    assert not pipeline.run(ctx).config_moved
    fingerprint.save(ctx.data_dir, {**fingerprint.saved(ctx.data_dir), "config": "older"})

    class Args:  # what the command line hands to cmd_run
        batch_size, wait, workers, retag = 50_000, 1.0, 1, False

    assert cli.cmd_run(ctx, Args()) == 0
    assert "run `python -m analysis run --retag`" in capsys.readouterr().out


@pytest.mark.parametrize("content", [None, "{not json", "[]", '{"analyzer_version": 3}'])
def test_shown_version_is_the_code_version_without_a_readable_tagger_file(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        fingerprint.path(tmp_path).parent.mkdir(parents=True)
        fingerprint.path(tmp_path).write_text(content)
    assert shown_version(tmp_path) == ANALYZER_VERSION


def test_shown_version_is_the_last_completed_pass(tmp_path: Path) -> None:
    fingerprint.save(tmp_path, {"analyzer_version": "0.0.9", "sentiment": {}, "config": "x"})
    assert shown_version(tmp_path) == "0.0.9"
