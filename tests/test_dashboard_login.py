"""dashboard.py asks for the password before any page when dashboard.auth is password."""

from __future__ import annotations

from pathlib import Path

import yaml
from streamlit.testing.v1 import AppTest

from earshot.config import EXAMPLE_CONFIG, ROOT


def test_password_gate_in_front_of_every_page(tmp_path: Path, monkeypatch) -> None:
    data = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["dashboard"] = {"auth": "password", "password_env": "EARSHOT_TEST_DASH_PW"}
    cfg = tmp_path / "earshot.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("EARSHOT_CONFIG", str(cfg))
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EARSHOT_TEST_DASH_PW", "correct horse battery staple")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not app.exception
    assert app.text_input, "a password field is shown"
    assert not app.title or all("Overview" not in t.value for t in app.title)
    assert not (tmp_path / "data" / "lake").exists(), "no page ran (the demo was not even loaded)"
