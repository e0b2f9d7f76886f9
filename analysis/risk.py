"""Risk of a conversation: likelihood that it spreads x impact if it does, with reasons in words.

Likelihood counts points for reach, velocity, negativity and repeat complainers (thresholds from
``engagement.risk`` in the config). Impact comes from keyword cues in German and English for legal
threats, safety, privacy/data protection, discrimination, employee/works-council matters and press
involvement. Any impact names the team that must see the thread before anyone answers
(``engagement.risk.impact_teams``); high risk by spread alone names ``engagement.risk.viral_team``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from earshot.config import RiskSettings

# Cues are word prefixes (matched at a word start, case-insensitively); a trailing "$" makes a cue a
# whole word ("court$" does not match "courteous"); phrases match as written.
# Words that mean something harmless in the other language (en "brand", de "Rat") are left out.
CUES: dict[str, tuple[str, ...]] = {
    "legal": (
        "anwalt", "anwält", "rechtsanwalt", "sammelklage", "klage ein", "klage gegen", "klage erheb", "verklag",
        "abmahn", "gericht", "verbraucherzentrale",
        "schlichtungsstelle", "strafanzeige", "anzeige erstatt", "betrug", "betrüg",
        "lawyer", "attorney", "sue$", "sued$", "suing", "lawsuit", "legal action", "court$", "courts$", "fraud",
        "ombudsman",
    ),
    "safety": (
        "brandgefahr", "in brand", "brennt", "feuer", "rauch$", "qualm", "stromschlag", "verletz", "gefährlich",
        "explodi", "kurzschluss", "überhitz",
        "fire$", "smoke", "electric shock", "electrocut", "injur", "dangerous", "hazard", "explod", "overheat",
    ),
    "privacy": (
        "datenschutz", "dsgvo", "datenleck", "datenpanne", "daten weitergegeben", "personenbezogen",
        "meine daten", "auskunftsersuchen",
        "gdpr", "privacy", "data breach", "data leak", "leaked", "personal data", "my data", "data protection",
    ),
    "discrimination": (
        "diskriminier", "rassis", "sexis", "homophob", "transphob", "frauenfeindlich", "ausländerfeindlich",
        "discriminat", "racis", "sexis", "homophob", "transphob", "misogyn", "ableis",
    ),
    "employee": (
        "betriebsrat", "belegschaft", "entlassung", "arbeitsbedingungen", "überstunden", "mobbing",
        "gewerkschaft", "streik", "ehemalige mitarbeiter", "als mitarbeiter",
        "works council", "employees", "layoff", "laid off", "working conditions", "union$", "strike$",
        "strikes$", "harassment", "former employee", "as an employee",
    ),
    "press": (
        "presse", "journalist", "redaktion", "zeitung", "reporter", "recherche", "medienanfrage",
        "press inquiry", "press office", "the press", "newspaper", "media inquiry", "editor$",
    ),
}  # fmt: skip
SEVERE = {"legal", "safety", "privacy", "discrimination"}  # the others are moderate
IMPACT_WORDS = {
    "legal": "legal threat",
    "safety": "safety",
    "privacy": "privacy/data protection",
    "discrimination": "discrimination",
    "employee": "employee/works-council matter",
    "press": "press involvement",
}


def _pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    parts = [re.escape(c[:-1]) + r"\b" if c.endswith("$") else re.escape(c) for c in set(cues)]
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")", re.IGNORECASE)


_PATTERNS = {kind: _pattern(cues) for kind, cues in CUES.items()}
LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class Risk:
    level: str  # low | medium | high
    reasons: list[str] = field(default_factory=list)  # in words, most important first
    impacts: list[str] = field(default_factory=list)  # impact kinds found (keys of CUES)
    must_involve: list[str] = field(default_factory=list)  # teams to involve before anyone answers


def impact_cues(text: str) -> dict[str, list[str]]:
    """Impact kind -> the cue words found in ``text`` (kinds without cues are left out)."""
    found: dict[str, list[str]] = {}
    for kind, pattern in _PATTERNS.items():
        hits = list(dict.fromkeys(m.group(0).strip().lower() for m in pattern.finditer(text)))
        if hits:
            found[kind] = hits
    return found


def _followers(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def likelihood(thread: Mapping[str, Any], settings: RiskSettings) -> tuple[int, list[str]]:
    """Points (0-5) that the thread spreads, with a reason for each."""
    points, reasons = 0, []
    reach = int(thread.get("max_followers") or 0)
    if reach >= settings.high_reach:
        points, reasons = points + 2, [*reasons, f"large reach ({_followers(reach)} followers)"]
    elif reach >= settings.medium_reach:
        points, reasons = points + 1, [*reasons, f"notable reach ({_followers(reach)} followers)"]
    velocity = float(thread.get("velocity") or 0)
    if velocity >= settings.high_velocity:
        points, reasons = points + 1, [*reasons, f"spreading fast ({velocity:.0f} interactions/h)"]
    sentiment = thread.get("sentiment")
    if sentiment is not None and not (isinstance(sentiment, float) and math.isnan(sentiment)):
        if sentiment <= settings.negativity:
            points, reasons = points + 1, [*reasons, f"very negative (mean sentiment {sentiment:.2f})"]
    repeats = int(thread.get("repeat_complainer") or 0)
    if repeats >= settings.repeat_complaints:
        points, reasons = points + 1, [*reasons, f"repeat complainer ({repeats} critical posts)"]
    return points, reasons


def assess(thread: Mapping[str, Any], settings: RiskSettings) -> Risk:
    """Risk of one thread summary (keys max_followers, velocity, sentiment, repeat_complainer, texts, title)."""
    points, reasons = likelihood(thread, settings)
    texts = [t for t in (thread.get("title"), *(thread.get("texts") or [thread.get("text")])) if isinstance(t, str)]
    cues = impact_cues("\n".join(texts))
    impacts = list(cues)
    impact_reasons = [f"{IMPACT_WORDS[k]} ({', '.join(repr(c) for c in cues[k][:3])})" for k in impacts]
    if any(k in SEVERE for k in impacts):
        level = "high" if points >= 1 else "medium"
    elif impacts:
        level = "high" if points >= 3 else "medium"
    else:
        level = "high" if points >= 4 else "medium" if points >= 2 else "low"
    teams = list(dict.fromkeys(settings.impact_teams[k] for k in impacts if settings.impact_teams.get(k)))
    if level == "high" and not teams and settings.viral_team:
        teams = [settings.viral_team]
    return Risk(level, impact_reasons + reasons, impacts, teams)
