"""``python -m analysis alerts``: find criticism spikes and deliver each alert exactly once.

Run it from cron (e.g. hourly). Each run (1) finds spike episodes of the last ``lookback_hours``,
(2) records new ones in the alert ledger of the workflow store, one delivery per configured
channel, and (3) sends every pending delivery. A delivery is marked sent only after the receiver
accepted it; a failed one stays pending and the next run retries it. An alert already in the
ledger is never queued again, nor one that is the same event (``same_event``: a shared topic,
starting within ``cooldown_hours`` of when the known event was last seen), so the same spike is
never sent twice.

Channels: a Slack/Teams-compatible incoming webhook (``{"text": ...}``; its URL from the
environment variable named by ``alerts.webhook_url_env``) and e-mail over SMTP (``alerts.email``;
the password from the variable named by ``password_env``).

Exit codes: 0 every delivery done (or nothing to do); 1 some delivery failed and will be retried;
2 bad config or arguments.
"""

from __future__ import annotations

import argparse
import logging
import os
import smtplib
import ssl
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pandas as pd
import requests

from analysis import conversations, spikes
from earshot import log as elog
from earshot.config import Alerts, Config
from earshot.context import Context
from earshot.errors import ConfigError, EarshotError
from storage.workflow import WorkflowStore

log = logging.getLogger("analysis.alerts")
TIMEOUT_S = 15


def channels(settings: Alerts) -> list[str]:
    """The channels this config can deliver to."""
    out = []
    if os.environ.get(settings.webhook_url_env):
        out.append("webhook")
    if settings.email.host and settings.email.to:
        out.append("email")
    return out


def _slack_escape(text: str) -> str:
    # Post text is untrusted: without this, "<!channel>" in a post would notify a whole channel.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_text(payload: dict[str, Any], escape: Callable[[str], str] = lambda s: s) -> str:
    """Plain-text body of an alert: title, reasons, top posts."""
    lines = [escape(payload["title"]), ""]
    lines += [f"- {escape(r)}" for r in payload["reasons"]]
    if payload.get("top_posts"):
        lines += ["", "Top posts:"]
        for p in payload["top_posts"]:
            text = " ".join(str(p.get("text") or "").split())
            lines.append(f"- [{p.get('source')}] {escape(text[:200])} ({p.get('engagement', 0)} interactions)")
            if p.get("url"):
                lines.append(f"  {p['url']}")
    return "\n".join(lines)


def send_webhook(payload: dict[str, Any], settings: Alerts) -> None:
    """POST ``{"text": ...}`` to the webhook; raise ``RuntimeError`` (URL-free message) unless accepted."""
    url = os.environ.get(settings.webhook_url_env)
    if not url:
        raise RuntimeError(f"{settings.webhook_url_env} is not set")
    try:
        resp = requests.post(url, json={"text": render_text(payload, _slack_escape)}, timeout=TIMEOUT_S)
    except requests.RequestException as exc:
        raise RuntimeError(f"webhook not reachable ({type(exc).__name__})") from None
    if resp.status_code >= 300:
        raise RuntimeError(f"webhook answered HTTP {resp.status_code}")


def send_email(payload: dict[str, Any], settings: Alerts) -> None:
    """Send the alert as a plain-text e-mail; raise ``RuntimeError`` unless the server accepted it."""
    mail = settings.email
    msg = EmailMessage()
    msg["Subject"] = f"[Earshot] {payload['title']}"
    msg["From"] = mail.sender or "earshot@localhost"
    msg["To"] = ", ".join(mail.to)
    msg.set_content(render_text(payload))
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=TIMEOUT_S) as smtp:
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mail.username:
                password = os.environ.get(mail.password_env)
                if not password:
                    raise RuntimeError(f"{mail.password_env} is not set")
                smtp.login(mail.username, password)
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        code = getattr(exc, "smtp_code", None)
        why = f"{type(exc).__name__} {code}" if code else type(exc).__name__
        raise RuntimeError(f"SMTP {mail.host}:{mail.port} failed ({why})") from None


SENDERS: dict[str, Callable[[dict[str, Any], Alerts], None]] = {"webhook": send_webhook, "email": send_email}


def same_event(alert: spikes.SpikeAlert, known: dict[str, Any], cooldown_hours: int = 0) -> bool:
    """True when a ledger alert already covers this one: a shared topic (or either is overall) and
    a time span that touches the known one or starts within ``cooldown_hours`` after it ends (two
    topics of one event swapping which is bigger between runs; the aftershocks of an event)."""
    scopes = set(known.get("scopes") or [known.get("scope")])
    if not (set(alert.scopes) & scopes or "overall" in scopes or alert.scope == "overall"):
        return False
    step = pd.Timedelta(1, unit=spikes.FREQ[alert.bucket][0])
    start, end = pd.Timestamp(known["start"]), pd.Timestamp(known["end"])
    later = end + step + pd.Timedelta(hours=cooldown_hours)
    return known.get("bucket") == alert.bucket and alert.start <= later and alert.end + step >= start


def record(store: WorkflowStore, found: list[spikes.SpikeAlert], settings: Alerts) -> int:
    """Put new alerts in the ledger with one pending delivery per channel; returns how many were new."""
    targets = channels(settings)
    known = [a["payload"] for a in store.alerts()]
    new = 0
    for alert in found:
        same = next((k for k in known if k.get("key") == alert.key), None)
        same = same or next((k for k in known if same_event(alert, k, settings.cooldown_hours)), None)
        if same is not None:  # seen before: only remember that the event goes on (for the cooldown)
            if alert.end > pd.Timestamp(same["end"]):
                store.extend_alert(same["key"], alert.end.isoformat())
                same["end"] = alert.end.isoformat()
            continue
        if store.add_alert(alert.key, alert.payload(), targets, alert.authors):
            new += 1
            known.append(alert.payload())
    return new


def deliver(store: WorkflowStore, settings: Alerts, now: datetime | None = None) -> tuple[int, int]:
    """Send every pending delivery; returns (sent, failed). Failed ones stay queued for the next run."""
    sent = failed = 0
    for channel, send in SENDERS.items():
        for item in store.claim(channel, now):
            try:
                send(item["payload"], settings)
            except Exception as exc:  # noqa: BLE001 - any failure keeps the delivery queued
                store.failed(item["key"], channel, str(exc))
                log.warning("alert %s via %s failed (attempt %d): %s; retried next run",
                            item["key"], channel, item["attempts"], exc)
                failed += 1
            else:
                store.delivered(item["key"], channel)
                log.info("alert %s sent via %s", item["key"], channel)
                sent += 1
    return sent, failed


def find(ctx: Context, now: datetime) -> list[spikes.SpikeAlert]:
    """Spike alerts over the lake, reading just enough history for the baselines."""
    settings = ctx.config.alerts
    step = timedelta(days=1) if settings.bucket == "day" else timedelta(hours=1)
    season = spikes.FREQ[settings.bucket][1]
    since = now - step * season * (settings.baseline_buckets + 1) - timedelta(hours=settings.lookback_hours)
    posts = conversations.load_mentions(ctx.lake, since=since)
    return spikes.find(posts, settings, now, exclude_terms=own_terms(ctx.config))


def own_terms(config: Config) -> set[str]:
    """Lower-case words of the configured entities' names (never a 'top term')."""
    words = set()
    for e in config.all_entities:
        for name in [e.name, *e.terms, *e.aliases]:
            words.update(w.strip('"*#@').lower() for w in name.split())
    return words


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis alerts", description=__doc__.splitlines()[0])
    p.add_argument("--config", help="config file (default: EARSHOT_CONFIG or config/earshot.yaml)")
    p.add_argument("--data", help="data directory (default: EARSHOT_DATA_DIR or data/)")
    p.add_argument("--dry-run", action="store_true", help="print the alerts found; record and send nothing")
    p.add_argument("--now", help="pretend it is this UTC time (ISO 8601), for replaying a day")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    elog.setup(args.verbose)
    try:
        now = pd.Timestamp(args.now or datetime.now(UTC))
        now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    except ValueError:
        print(f"error: --now {args.now!r} is not an ISO 8601 time such as 2026-03-01T12:00", file=sys.stderr)
        return 2
    try:
        ctx = Context.load(args.config, args.data)
        found = find(ctx, now.to_pydatetime())
        if args.dry_run:
            for a in found:
                print(render_text(a.payload()), end="\n\n")
            print(f"{len(found)} alert(s) found; nothing recorded or sent (--dry-run)")
            return 0
        store = WorkflowStore(ctx.data_dir)
        new = record(store, found, ctx.config.alerts)
        if found and not channels(ctx.config.alerts):
            log.warning("no alert channel configured (alerts.webhook_url_env / alerts.email): "
                        "alerts are kept in the ledger and shown in the dashboard only")
        sent, failed = deliver(store, ctx.config.alerts, now.to_pydatetime())
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except EarshotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    # Quiet when nothing happened, so that an hourly cron job mails nothing.
    log.log(logging.INFO if found or sent or failed else logging.DEBUG,
            "%d spike(s) found, %d new; %d delivery(ies) sent, %d failed (retried next run)",
            len(found), new, sent, failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
