"""Dashboard login, switched on by the config's ``dashboard.auth``.

The dashboard calls ``require_login(config)`` once at the top of ``dashboard.py``, after
``st.set_page_config`` and before ``st.navigation(...)``::

    from earshot import auth
    auth.require_login(config)      # stops the script until the visitor is let in

- ``none`` (default): nothing to do. The dashboard binds to localhost
  (``.streamlit/config.toml``), so only people on that machine reach it.
- ``password``: one shared password, read from the environment variable named by
  ``dashboard.password_env`` (default ``EARSHOT_DASHBOARD_PASSWORD``) or from
  ``dashboard_password`` in ``.streamlit/secrets.toml``. Compared in constant time; after
  ``MAX_TRIES`` wrong tries a session waits longer for every further try.
- ``oidc``: Streamlit's built-in OpenID Connect login (``st.login``; needs the ``Authlib``
  package and an ``[auth]`` section in ``.streamlit/secrets.toml``). Only addresses in
  ``dashboard.allowed_emails`` or at ``dashboard.allowed_domains`` get in.

Misconfiguration fails closed: without a password or an ``[auth]`` section the page says
what to set and shows nothing else. Secrets are never displayed or logged.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import Any

import streamlit as st

from earshot.config import Config, Dashboard

SECRET_KEY = "dashboard_password"  # key in .streamlit/secrets.toml
MAX_TRIES = 5  # wrong passwords per session before each further try is slowed down
_OK = "earshot_auth_ok"
_FAILS = "earshot_auth_fails"


def _secret(name: str) -> Any:
    """A value from .streamlit/secrets.toml, or None when there is no such file or key."""
    try:
        return st.secrets.get(name)
    except Exception:  # noqa: BLE001 - no secrets file is the normal case
        return None


def configured_password(settings: Dashboard) -> str:
    """The shared password from the environment or Streamlit secrets; "" when none is set."""
    return os.environ.get(settings.password_env, "") or str(_secret(SECRET_KEY) or "")


def check_password(given: str, expected: str) -> bool:
    """Constant-time comparison; an empty expected password never matches."""
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def email_allowed(email: str | None, settings: Dashboard) -> bool:
    """True when ``email`` is listed in ``allowed_emails`` or is at one of ``allowed_domains``."""
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    if email in {e.strip().lower() for e in settings.allowed_emails}:
        return True
    domain = email.rsplit("@", 1)[1]
    return domain in {d.strip().lower().lstrip("@") for d in settings.allowed_domains}


def _logout_button(label: str, action: Any) -> None:
    with st.sidebar:
        if st.button(label, key="earshot_logout"):
            action()


def _password_gate(settings: Dashboard) -> str | None:
    expected = configured_password(settings)
    if not expected:
        st.error(
            f"The dashboard is set to ask for a password (dashboard.auth: password), but none is set. "
            f"Set the environment variable {settings.password_env} or `{SECRET_KEY}` in .streamlit/secrets.toml."
        )
        st.stop()
    if st.session_state.get(_OK):
        _logout_button("Log out", lambda: (st.session_state.pop(_OK, None), st.rerun()))
        return "password"
    st.title("Earshot")
    with st.form("earshot_login"):
        given = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        fails = int(st.session_state.get(_FAILS, 0))
        if fails >= MAX_TRIES:
            time.sleep(min(30, 2 ** (fails - MAX_TRIES)))  # slows guessing down; resets with a right password
        if check_password(given, expected):
            st.session_state[_OK] = True
            st.session_state[_FAILS] = 0
            st.rerun()
        st.session_state[_FAILS] = fails + 1
        st.error("Wrong password.")
    st.stop()
    return None


def _oidc_gate(settings: Dashboard) -> str | None:
    auth = _secret("auth")
    if not auth:
        st.error(
            "The dashboard is set to OIDC login (dashboard.auth: oidc), but .streamlit/secrets.toml has no "
            "[auth] section. Add redirect_uri, cookie_secret, client_id, client_secret and server_metadata_url "
            "(see docs/privacy.md)."
        )
        st.stop()
    if not settings.allowed_emails and not settings.allowed_domains:
        st.error("dashboard.auth is oidc but nobody is allowed in: set dashboard.allowed_emails or allowed_domains.")
        st.stop()
    user = st.user
    if not user.get("is_logged_in"):  # (AppTest and older sessions have no key at all)
        st.title("Earshot")
        if st.button("Log in"):
            try:
                if settings.oidc_provider:
                    st.login(settings.oidc_provider)
                else:
                    st.login()
            except Exception as exc:  # noqa: BLE001 - e.g. Authlib missing or a wrong [auth] section
                st.error(f"Login is not available ({type(exc).__name__}). Install Authlib (pip install Authlib) "
                         "and check the [auth] section of .streamlit/secrets.toml.")
        st.stop()
    email = user.get("email")
    if not email_allowed(email, settings):
        st.error(f"{email or 'This account'} may not open this dashboard. Ask its administrator to add you.")
        if st.button("Log out"):
            st.logout()
        st.stop()
    _logout_button("Log out", st.logout)
    return str(email)


def require_login(config: Config) -> str | None:
    """Let the visitor in or stop the script; returns who logged in ("password", an e-mail) or None for no auth."""
    settings = config.dashboard
    if settings.auth == "none":
        return None
    if settings.auth == "password":
        return _password_gate(settings)
    return _oidc_gate(settings)
