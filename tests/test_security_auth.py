"""Dashboard login (earshot/auth.py) in Streamlit's AppTest, and binding to localhost."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from earshot import auth
from earshot.config import Dashboard

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


def app(mode: str, allowed: list[str] | None = None) -> None:
    """The top of a dashboard: the gate, then the content it protects."""
    import streamlit as st

    from earshot import auth
    from earshot.config import load_config

    cfg = load_config()
    cfg.dashboard.auth = mode
    cfg.dashboard.allowed_domains = allowed or []
    auth.require_login(cfg)
    st.write("SECRET DASHBOARD CONTENT")


def shown(at: AppTest) -> str:
    return " ".join(str(m.value) for m in at.markdown) + " ".join(str(e.value) for e in at.error)


def start(mode: str, allowed: list[str] | None = None) -> AppTest:
    at = AppTest.from_function(app, args=(mode, allowed), default_timeout=30)
    return at


def test_no_auth_shows_the_dashboard() -> None:
    at = start("none").run()
    assert "SECRET DASHBOARD CONTENT" in shown(at)


def test_password_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARSHOT_DASHBOARD_PASSWORD", PASSWORD)
    at = start("password").run()
    assert "SECRET DASHBOARD CONTENT" not in shown(at)
    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert "Wrong password" in shown(at) and "SECRET DASHBOARD CONTENT" not in shown(at)
    at.text_input[0].input(PASSWORD)
    at.button[0].click().run()
    assert "SECRET DASHBOARD CONTENT" in shown(at)
    assert PASSWORD not in shown(at)


def test_password_from_streamlit_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EARSHOT_DASHBOARD_PASSWORD", raising=False)
    at = start("password")
    at.secrets["dashboard_password"] = PASSWORD
    at.run()
    at.text_input[0].input(PASSWORD)
    at.button[0].click().run()
    assert "SECRET DASHBOARD CONTENT" in shown(at)


def test_password_mode_without_password_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EARSHOT_DASHBOARD_PASSWORD", raising=False)
    at = start("password").run()
    text = shown(at)
    assert "SECRET DASHBOARD CONTENT" not in text and "EARSHOT_DASHBOARD_PASSWORD" in text


def test_oidc_without_auth_section_fails_closed() -> None:
    at = start("oidc", ["hafenlicht.example"]).run()
    text = shown(at)
    assert "SECRET DASHBOARD CONTENT" not in text and "[auth]" in text


def test_oidc_with_auth_section_asks_to_log_in() -> None:
    at = start("oidc", ["hafenlicht.example"])
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "id", "client_secret": "s",
                          "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
    at.run()
    assert "SECRET DASHBOARD CONTENT" not in shown(at)
    assert [b.label for b in at.button] == ["Log in"]


def test_oidc_without_allow_list_fails_closed() -> None:
    at = start("oidc", [])
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.run()
    assert "SECRET DASHBOARD CONTENT" not in shown(at) and "allowed" in shown(at)


def test_email_allow_list() -> None:
    s = Dashboard(auth="oidc", allowed_emails=["Jana@Partner.example"], allowed_domains=["hafenlicht.example"])
    assert auth.email_allowed("someone@hafenlicht.example", s)
    assert auth.email_allowed("jana@partner.example", s)
    assert not auth.email_allowed("someone@partner.example", s)
    assert not auth.email_allowed("evil@hafenlicht.example.attacker.test", s)
    assert not auth.email_allowed(None, s) and not auth.email_allowed("no-at-sign", s)


def test_check_password_never_accepts_empty() -> None:
    assert not auth.check_password("", "")
    assert auth.check_password(PASSWORD, PASSWORD) and not auth.check_password(PASSWORD + " ", PASSWORD)


def test_dashboard_binds_to_localhost_by_default() -> None:
    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert conf["server"]["address"] == "localhost"
