"""Discovered themes: what recent criticism is about, beyond the configured taxonomy.

Phrase clustering: candidate phrases (one or two content words, stop words and
placeholders removed) are counted over the criticised posts of the last days; the most
frequent phrase opens a theme holding every post that contains it, its posts leave the
pool, and so on while a phrase still covers ``min_size`` posts. A theme's label is its
opening phrase plus the phrases that co-occur most within it, so it reads like "app · login
· seit gestern". Labels are kept stable across runs: a new theme that shares most of its
posts or its opening phrase with a theme of the previous run keeps that theme's label and id.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.files import write_atomic

_WORD = re.compile(r"[^\W\d_][\w\-']+")
STOP = frozenset(
    # German
    "aber alle als also am an auch auf aus bei bin bis bitte da dann das dass dem den der des die dies diese dir doch "
    "du ein eine einem einen einer es euch euer für gibt hat habe haben hier ich ihr im immer in ist ja jetzt kann "
    "kein keine man mal mehr mein meine mich mir mit muss nach nicht nichts noch nur oder schon sehr sein seit sich "
    "sie sind so um und uns unser von vor war warum was weil wenn wer wie wieder wir wird zu zum zur über "
    # English
    "a about after again all am an and any are as at be been but by can could did do does don't for from get got "
    "had has have i i'm if in is it it's its just me my no not now of on or our so still than that the their them "
    "then there they this to too up us was we were what when why will with would you your "
    "xbrandx xrivalx user http amp rt "
    # more function words and numbers that make poor theme labels
    "ohne drei zwei vier wurde wurden werden worden hatte hatten heute gestern morgen einfach genau etwas "
    "how without one two three who which where there's can't won't didn't doesn't isn't been being also "
    "really much many more any some every nie ins know kommt darf gehabt jahren leute läuft macht gibt "
    "know get got make made".split()
)


@dataclass
class Theme:
    id: str  # stable across runs while the theme goes on
    label: str  # top phrases, " · "-separated
    size: int  # posts in the theme
    phrases: list[str]
    examples: list[str] = field(default_factory=list)  # keys ("source:id") of a few posts


def _opinion(word: str) -> bool:
    """Whether a word carries sentiment (in our German or VADER's English lexicon): themes name things."""
    from analysis.lexicon import load

    return bool(load("de").valence(word) or load("en").valence(word))


def phrases(text: str) -> set[str]:
    """Candidate phrases of a (masked) text: content words (no opinion words) and adjacent pairs of them."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOP and len(w) > 2 and not _opinion(w)]
    out = set(words)
    out.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return out


def discover(keys: list[str], texts: list[str], min_size: int = 3, max_themes: int = 12) -> list[Theme]:
    """Themes among ``texts`` (masked criticism), each holding at least ``min_size`` posts."""
    docs = {k: phrases(t) for k, t in zip(keys, texts, strict=True)}
    pool = set(docs)
    themes: list[Theme] = []
    while pool and len(themes) < max_themes:
        counts = Counter(p for k in pool for p in docs[k])
        if not counts:
            break
        # Most posts first; on ties prefer two-word phrases (more specific), then alphabetical (deterministic).
        lead, n = min(counts.items(), key=lambda kv: (-kv[1], -kv[0].count(" "), kv[0]))
        if n < min_size:
            break
        members = sorted(k for k in pool if lead in docs[k])
        inner = Counter(p for k in members for p in docs[k] if p != lead and p not in lead.split())
        extra = [p for p, c in sorted(inner.items(), key=lambda kv: (-kv[1], kv[0])) if c >= max(2, n // 3)][:2]
        label_phrases = [lead, *extra]
        themes.append(Theme(_theme_id(lead), " · ".join(label_phrases), n, label_phrases, members[:5]))
        for k in members:
            docs[k] = set()  # each post belongs to one theme
        pool -= set(members)
    return themes


def _theme_id(lead: str) -> str:
    return hashlib.sha1(lead.encode()).hexdigest()[:10]


def stabilise(new: list[Theme], old: list[Theme]) -> list[Theme]:
    """Give new themes the id and label of the previous run's theme they continue."""
    used: set[str] = set()
    for t in new:
        best = None
        for o in old:
            if o.id in used:
                continue
            same_lead = o.phrases and t.phrases and o.phrases[0] == t.phrases[0]
            shared = len(set(o.examples) & set(t.examples)) / max(1, min(len(o.examples), len(t.examples)))
            if same_lead or shared >= 0.6:
                best = o
                break
        if best is not None:
            used.add(best.id)
            t.id, t.label = best.id, best.label
    return new


def themes_path(data_dir: Path) -> Path:
    return Path(data_dir) / "analysis" / "themes.json"


def load(data_dir: Path) -> list[Theme]:
    """The themes of the last run (empty if none)."""
    path = themes_path(data_dir)
    if not path.exists():
        return []
    return [Theme(**t) for t in json.loads(path.read_text(encoding="utf-8"))["themes"]]


def run(ctx, days: int = 14, version: str | None = None) -> list[Theme]:  # noqa: ANN001 - Context
    """Discover themes in the criticism of the last ``days`` days and save them to ``<data>/analysis/themes.json``."""
    import duckdb

    from analysis.pipeline import text_of
    from analysis.text import Masker
    from analysis.version import shown_version
    from storage.reads import retry_read
    from storage.schema import MENTIONS, TAGS

    def criticism() -> list[tuple]:
        mention_files = [str(p) for p in ctx.lake.files(MENTIONS)]
        tag_files = [str(p) for p in ctx.lake.files(TAGS)]
        if not (mention_files and tag_files):
            return []
        con = duckdb.connect()
        newest = "SELECT max(created_at) FROM read_parquet(?, union_by_name = true)"
        end = con.execute(newest, [tag_files]).fetchone()[0]
        since = (end or datetime.now(UTC)) - timedelta(days=days)
        return con.execute(
            "SELECT m.source, m.id, m.title, m.text FROM read_parquet(?, union_by_name = true) m "
            "JOIN read_parquet(?, union_by_name = true) t ON m.source = t.source AND m.id = t.id "
            "WHERE t.analyzer_version = ? AND t.criticism AND t.created_at >= ? ORDER BY m.source, m.id",
            [mention_files, tag_files, version or shown_version(ctx.data_dir), since],
        ).fetchall()

    rows = retry_read(criticism, "recent criticism")
    masker = Masker.from_config(ctx.config)
    keys = [f"{r[0]}:{r[1]}" for r in rows]
    texts = [masker.mask(text_of(r[2], r[3])) for r in rows]
    found = stabilise(discover(keys, texts), load(ctx.data_dir))
    doc = {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "days": days,
           "themes": [asdict(t) for t in found]}
    write_atomic(themes_path(ctx.data_dir), json.dumps(doc, ensure_ascii=False, indent=1).encode())
    return found
