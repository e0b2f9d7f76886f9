"""AppTest per dashboard page, on the loaded demo and on an empty lake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from earshot.config import EXAMPLE_CONFIG
from storage.queries import Store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
TIMEOUT = 120


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory that the dashboard filled itself: first open of an empty lake with the demo config."""
    d = tmp_path_factory.mktemp("demo") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EARSHOT_DATA_DIR", str(d))
        mp.setenv("EARSHOT_CONFIG", str(EXAMPLE_CONFIG))
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert not at.exception, at.exception
    return d


@pytest.fixture
def demo_app(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("EARSHOT_CONFIG", str(EXAMPLE_CONFIG))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def _texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_overview_on_demo_shows_kpis_charts_table_and_banner(demo_app: AppTest) -> None:
    at = demo_app
    labels = {m.label: m.value for m in at.metric}
    assert {"Mentions", "Share of criticism", "Brand health", "Share of voice", "Criticism answered",
            "Median first response", "Criticism"} <= set(labels)
    assert int(labels["Mentions"].replace(",", "")) > 0
    assert "Demo data" in _texts(at.warning)
    rows = [df for df in at.dataframe if {"text", "source", "sentiment_label"} <= set(df.value.columns)]
    assert rows and len(rows[0].value) > 0
    assert any(b.label.startswith("Download CSV") for b in at.get("download_button"))
    assert len(at.get("vega_lite_chart")) >= 3
    # the demo's outage day is marked as the spike alerts count it, and the caption says what is counted
    spikes = [str(c.value) for c in at.caption if str(c.value).startswith("Red dashed lines mark spikes in criticism")]
    assert spikes and "as the spike alerts count it" in spikes[0] and "critical posts" in spikes[0]
    assert "expected (p = " in spikes[0]


def test_overview_filters_change_the_table(demo_app: AppTest) -> None:
    at = demo_app
    at.selectbox(key="ov_crit").set_value("criticism only").run()
    assert not at.exception
    table = next(df for df in at.dataframe if "criticism" in df.value.columns and "text" in df.value.columns)
    assert len(table.value) > 0 and table.value["criticism"].all()
    at.multiselect(key="f_source").set_value(["reddit"]).run()
    table = next(df for df in at.dataframe if "criticism" in df.value.columns and "text" in df.value.columns)
    assert set(table.value["source"]) == {"reddit"}


def test_overview_search_is_case_insensitive_and_narrows(demo_app: AppTest) -> None:
    at = demo_app
    at.text_input(key="ov_search").set_value("HAFENLICHT").run()
    table = next(df for df in at.dataframe if "text" in df.value.columns)
    texts = (table.value["title"].fillna("") + " " + table.value["text"].fillna("")).str.lower()
    assert len(texts) > 0 and texts.str.contains("hafenlicht").all()
    at.text_input(key="ov_search").set_value("zzz-no-such-word-zzz").run()
    table = next(df for df in at.dataframe if "text" in df.value.columns)
    assert len(table.value) == 0


def test_empty_lake_with_demo_config_loaded_the_demo_automatically(demo_dir: Path) -> None:
    assert any((demo_dir / "lake" / "mentions").glob("month=*/part-*.parquet"))
    assert any((demo_dir / "lake" / "tags").glob("month=*/part-*.parquet"))  # and ran the analysis pass
    store = Store(demo_dir)
    assert store.has_demo() and store.mention_count() > 1000


def test_empty_lake_without_demo_shows_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["company"]["demo"] = False
    cfg = tmp_path / "earshot.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True))
    monkeypatch.setenv("EARSHOT_CONFIG", str(cfg))
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert "No mentions yet" in _texts(at.info)
    assert "Demo data" not in _texts(at.warning)
    assert not (tmp_path / "data" / "lake" / "mentions").exists()


PAGES = ["overview", "conversation", "topics", "mentions", "competitors", "coverage", "transparency"]


def _page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def test_join_the_conversation_records_a_decision(demo_app: AppTest, demo_dir: Path) -> None:
    from storage.workflow import WorkflowStore

    at = _page(demo_app, "conversation")
    assert any(df.value is not None and "score" in df.value.columns for df in at.dataframe)
    assert any(b.label == "Download the queue as CSV" for b in at.get("download_button"))
    at.text_input(key="cv_who").input("Test User")
    at.selectbox(key="cv_status").set_value("not_answering")
    submit = next(b for b in at.get("form_submit_button") if b.label == "Record decision")
    submit.click().run()
    assert "rationale" in " ".join(e.value for e in at.error)  # not answering needs a rationale
    at.text_area(key="cv_rationale").input("Off topic for us; competitor's customer.")
    submit = next(b for b in at.get("form_submit_button") if b.label == "Record decision")
    submit.click().run()
    assert not at.exception
    assert any("Recorded" in s.value for s in at.success)
    last = WorkflowStore(demo_dir).history()[-1]
    assert last["status"] == "not_answering" and last["who"] == "Test User"
    at.selectbox(key="cv_field").set_value("sentiment").run()
    at.selectbox(key="cv_value").set_value("positive")
    at.button(key="cv_correct").click().run()
    assert any("Correction saved" in s.value for s in at.success)
    corr = WorkflowStore(demo_dir).corrections()
    assert corr and corr[-1]["field"] == "sentiment" and corr[-1]["value"] == "positive"


def test_topics_page_drills_down(demo_app: AppTest) -> None:
    at = _page(demo_app, "topics")
    topics = at.selectbox(key="tp_topic")
    assert topics.options
    topic = topics.options[-1]
    topics.set_value(topic).run()
    rows = next(df for df in at.dataframe if df.value is not None and "text" in df.value.columns)
    assert len(rows.value) > 0 and all(topic in list(t) for t in rows.value["topics"])
    assert any(b.label.startswith("Download CSV") for b in at.get("download_button"))


def test_mentions_explorer_searches_and_sorts(demo_app: AppTest) -> None:
    at = _page(demo_app, "mentions")
    at.selectbox(key="mx_sort").set_value("engagement").run()
    rows = next(df for df in at.dataframe if "engagement" in df.value.columns).value
    assert len(rows) > 0 and rows["engagement"].is_monotonic_decreasing
    at.text_input(key="mx_search").input("hafenlicht").run()
    rows = next(df for df in at.dataframe if "text" in df.value.columns).value
    assert (rows["title"].fillna("") + rows["text"].fillna("")).str.lower().str.contains("hafenlicht").all()
    assert all(u is None or str(u).startswith(("http://", "https://")) for u in rows["url"])


def test_competitors_coverage_and_transparency_pages(demo_app: AppTest) -> None:
    at = _page(demo_app, "competitors")
    table = at.dataframe[0].value
    assert {"Stromwerk Nord", "GrünFluss"} <= set(table["entity"])
    assert table["share_of_voice"].sum() == pytest.approx(1.0)
    at = _page(at, "coverage")
    per = next(df for df in at.dataframe if "collector" in df.value.columns and "runs" in df.value.columns).value
    assert "demo" in set(per["collector"])
    at = _page(at, "transparency")
    assert any(b.label == "Download the report as HTML" for b in at.get("download_button"))
    assert {m.label for m in at.metric} >= {"Mentions heard", "Critical mentions", "Criticism answered"}


def test_every_page_has_an_empty_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    raw["company"]["demo"] = False
    cfg = tmp_path / "earshot.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True))
    monkeypatch.setenv("EARSHOT_CONFIG", str(cfg))
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(tmp_path / "data"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    for name in PAGES:
        at = _page(at, name)
        expected = "No runs recorded yet" if name == "coverage" else "yet. Collect some"
        assert expected in _texts(at.info), name
    assert not (tmp_path / "data" / "lake" / "mentions").exists()


@pytest.mark.parametrize("color", ["source", "sentiment_label"])
@pytest.mark.parametrize("with_spikes", [True, False])
def test_volume_chart_is_a_valid_vega_lite_spec(color: str, with_spikes: bool) -> None:
    """The Overview's volume charts are written as Vega-Lite specs (no Altair on each rerun): they must
    validate against the schema Altair checks, keep every day's counts, and carry no NaN (invalid JSON)."""
    import json

    import altair as alt
    import pandas as pd

    from pages import _ui

    daily = pd.DataFrame({"day": pd.to_datetime(["2026-11-01", "2026-11-01", "2026-11-02"]),
                          color: ["negative", "neutral", "negative"], "mentions": [3, 4, 5]})
    spikes = pd.DataFrame({"day": pd.to_datetime(["2026-11-02"]), "critical": [9], "expected": [float("nan")],
                           "p_value": [1e-5], "intervals": [1]})
    spec = _ui.volume_chart(daily, spikes if with_spikes else spikes.iloc[:0], color, "Volume")
    (alt.LayerChart if with_spikes else alt.Chart).from_dict(spec)  # raises if the spec is not valid Vega-Lite
    text = json.dumps(spec, allow_nan=False)  # raises on NaN
    bars = spec["layer"][0] if with_spikes else spec
    assert [r["mentions"] for r in bars["data"]["values"]] == [3, 4, 5]
    assert bars["data"]["values"][0]["day"] == "2026-11-01T00:00:00"
    assert ("strokeDash" in text) is with_spikes and ("scale" in bars["encoding"]["color"]) is (color != "source")
