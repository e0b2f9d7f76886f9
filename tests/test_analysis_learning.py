"""Models and learning: the shipped model files, team corrections, the company model, themes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from analysis import company, corrections, themes
from analysis.model import LinearModel, company_path, load_model, shipped_path
from analysis.tagger import Tagger
from earshot.context import Context
from storage.lock import write_lock
from storage.schema import MENTIONS, empty_row


@pytest.mark.parametrize("lang", ["en", "de"])
def test_shipped_models_are_small_and_documented(lang: str) -> None:
    path = shipped_path(lang)
    assert path.stat().st_size < 5_000_000
    model = LinearModel.load(path)
    assert model.meta["data"], "the training data must be named in the model"
    assert model.coef.shape == (len(model.features) + 8, 3)
    p = model.proba(["great, thanks!", "this is terrible", "ok"])
    assert np.allclose(p.sum(axis=1), 1.0)


def test_model_save_load_round_trip(tmp_path: Path) -> None:
    model = LinearModel.load(shipped_path("de"))
    model.meta = {"data": ["test"]}
    model.save(tmp_path / "m.npz")
    again = LinearModel.load(tmp_path / "m.npz")
    texts = ["Das ist super", "Das ist schlecht", "Morgen ist Montag"]
    assert np.allclose(model.proba(texts), again.proba(texts), atol=1e-3)


# Texts of a (made-up) company where the team calls meter-reading reminders "negative": the
# base model finds them neutral, so a company model has something to learn.
REMINDER = "Erinnerung: bitte den Zählerstand für Ablesung {n} bis Freitag eintragen"
PRAISE = "Danke, der Techniker war super freundlich und schnell, Termin {n} hat geklappt"
NEWS = "Hafenlicht veröffentlicht den Geschäftsbericht {n} für das Jahr"


def _lake_with(ctx: Context, rows: list[tuple[str, str]]) -> None:
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    mentions = []
    for i, (text, _) in enumerate(rows):
        m = empty_row()
        m.update(source="import", id=f"c{i}", text=text, created_at=t0, collected_at=t0)
        mentions.append(m)
    with write_lock(ctx.data_dir):
        ctx.lake.append(MENTIONS, mentions)


def test_company_model_learns_from_corrections_and_is_used(ctx: Context) -> None:
    rows = [(REMINDER.format(n=i), "negative") for i in range(30)]
    rows += [(PRAISE.format(n=i), "positive") for i in range(20)]
    rows += [(NEWS.format(n=i), "neutral") for i in range(20)]
    _lake_with(ctx, rows)
    tagger = Tagger(ctx.config, ctx.data_dir)
    before = tagger.tag([REMINDER.format(n=99)])["sentiment_label"][0]
    corrections.set_corrections([("import", f"c{i}", "sentiment_label", label) for i, (_, label) in enumerate(rows)])
    try:
        report = company.train(ctx, folds=3)
    finally:
        corrections.set_corrections(None)
    assert len(report) == 1 and report[0].startswith("de: 70 corrections") and "better: saved" in report[0]
    assert company_path(ctx.data_dir, "de").exists()
    after = Tagger(ctx.config, ctx.data_dir).tag([REMINDER.format(n=99)])["sentiment_label"][0]
    assert before != "negative" and after == "negative"
    assert load_model("en", ctx.data_dir) is load_model("en")  # other languages keep the shipped model


def test_company_model_needs_enough_corrections(ctx: Context) -> None:
    rows = [(REMINDER.format(n=i), "negative") for i in range(5)]
    _lake_with(ctx, rows)
    corrections.set_corrections([("import", f"c{i}", "sentiment_label", "negative") for i in range(5)])
    try:
        report = company.train(ctx)
    finally:
        corrections.set_corrections(None)
    assert report == ["de: 5 corrections; need at least 30"]
    assert not company_path(ctx.data_dir, "de").exists()


def test_no_corrections_reported(ctx: Context) -> None:
    corrections.set_corrections([])
    try:
        assert "no corrected sentiment labels" in company.train(ctx)[0]
    finally:
        corrections.set_corrections(None)


def test_corrections_apply_coerces_values() -> None:
    import pyarrow as pa

    from storage.schema import TAG

    row = {"source": "x", "id": "1", "created_at": datetime(2026, 1, 1, tzinfo=UTC), "analyzer_version": "v",
           "tagged_at": datetime(2026, 1, 1, tzinfo=UTC), "lang": "de", "sentiment": 0.8,
           "sentiment_label": "positive", "criticism": False, "criticism_reasons": ["sentiment: +0.80"],
           "topics": [], "intent": "praise"}
    table = pa.Table.from_pylist([row], schema=TAG)
    fixed = corrections.apply(table, [corrections.Correction("x", "1", "sentiment_label", "negative"),
                                      corrections.Correction("x", "1", "topics", "billing, pricing"),
                                      corrections.Correction("x", "1", "criticism", "yes"),
                                      corrections.Correction("x", "2", "intent", "question")]).to_pylist()[0]
    assert fixed["sentiment_label"] == "negative" and fixed["sentiment"] == pytest.approx(-0.8)
    assert fixed["topics"] == ["billing", "pricing"] and fixed["criticism"] is True
    assert fixed["intent"] == "praise"


def test_themes_keep_their_label_across_runs() -> None:
    first = ["die app stürzt beim login ab", "login in der app geht nicht", "app login kaputt seit gestern",
             "rechnung doppelt abgebucht", "wieder doppelt abgebucht worden", "abgebucht doppelt, frechheit"]
    keys = [f"x:{i}" for i in range(len(first))]
    old = themes.discover(keys, first, min_size=2)
    assert {t.phrases[0] for t in old} == {"app", "abgebucht"}
    assert any("login" in t.label for t in old) and any("doppelt" in t.label for t in old)
    more = [*first, "login app schon wieder", "app login fehler", "app absturz login"]
    new = themes.stabilise(themes.discover([f"x:{i}" for i in range(len(more))], more, min_size=2), old)
    by_lead = {t.phrases[0]: t for t in old}
    for t in new:
        if t.phrases[0] in by_lead:
            assert (t.id, t.label) == (by_lead[t.phrases[0]].id, by_lead[t.phrases[0]].label)
    assert len({t.id for t in new} & {t.id for t in old}) == 2


def test_themes_run_on_the_lake_writes_a_stable_file(ctx: Context) -> None:
    from analysis import pipeline

    texts = ["Die Hafenlicht App stürzt beim Login ab, Frechheit", "Hafenlicht App Login geht schon wieder nicht",
             "Login bei Hafenlicht kaputt, seit gestern Störung", "Hafenlicht Preise sind eine Frechheit"]
    _lake_with(ctx, [(t, "") for t in texts])
    pipeline.run(ctx, workers=1)
    first = themes.run(ctx)
    assert themes.themes_path(ctx.data_dir).exists()
    assert any("login" in t.label for t in first)
    again = themes.run(ctx)
    assert [(t.id, t.label) for t in again] == [(t.id, t.label) for t in first]
    assert themes.load(ctx.data_dir) == again
