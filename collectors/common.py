"""Helpers the platform collectors share: settings, credentials, search queries, text, times.

Search queries are built from the configured entities' terms. Platform search is loose (and
each platform speaks a different syntax); the runner matches every fetched item locally with
the full term language, so a query only has to be wide enough, never exact.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from earshot.config import Entity, Source
from earshot.errors import AccessDenied, ConfigError

M = TypeVar("M", bound=BaseModel)
_TOKENS = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+')
_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/h\d)\s*/?>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"[ \t]{2,}|\t")  # what _SPACE changes within one line


class SourceSettings(BaseModel):
    """Base of each collector's settings model: unknown keys are errors (typos must not pass)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = False


def parse_settings(model: type[M], settings: Source, source: str) -> M:
    """Validate a source's YAML settings into its model; one ``ConfigError`` naming the key."""
    try:
        return model.model_validate(settings.model_dump())
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise ConfigError(
            f"sources.{source}.{where}: {err['msg']}.",
            "See the sources section of config/earshot.example.yaml for the allowed keys.",
        ) from None


def credential(source: str, var: str, how: str) -> str:
    """The value of environment variable ``var``; ``AccessDenied`` saying how to get it when unset."""
    value = os.environ.get(var, "").strip()
    if not value:
        raise AccessDenied(source, f"environment variable {var} is not set.", how)
    return value


# -- queries ---------------------------------------------------------------------------------


def _split_or(tokens: list[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    depth = 0
    for tok in tokens:
        depth += tok == "("
        depth -= tok == ")"
        if tok == "OR" and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def term_phrases(term: str) -> list[str]:
    """Plain search phrases for one term: OR branches apart, NOT parts and operators dropped,
    prefix stars removed; quoted phrases stay quoted. ``'A OR "b c"'`` -> ``['A', '"b c"']``."""
    out: list[str] = []
    for part in _split_or(_TOKENS.findall(term)):
        words: list[str] = []
        skip = False
        for tok in part:
            if tok in ("(", ")", "AND", "OR"):
                continue
            if tok == "NOT":
                skip = True
                continue
            if skip or (tok.startswith("-") and len(tok) > 1):
                skip = False
                continue
            words.append(tok.rstrip("*"))
        words = [w for w in words if w.strip('"')]
        if "(" in part and any(t == "OR" for t in part):
            out.extend(words)  # nested OR: each word alone is wider than the term, never narrower
        elif words:
            out.append(" ".join(words))
    return out


def entity_phrases(entities: Iterable[Entity], aliases: bool = True) -> list[str]:
    """Distinct phrases over every entity's terms (and aliases), in config order."""
    seen: dict[str, str] = {}
    for ent in entities:
        for term in [*ent.terms, *(ent.aliases if aliases else [])]:
            for p in term_phrases(term):
                seen.setdefault(p.lower(), p)
    return list(seen.values())


def unquote(phrase: str) -> str:
    """A phrase without its quotes (for search engines that only take words)."""
    return " ".join(phrase.replace('"', " ").split())


def _x_term(term: str) -> str:
    toks: list[str] = []
    for tok in _TOKENS.findall(term):
        if tok == "AND":
            continue  # juxtaposition is AND on X
        if tok == "NOT":
            toks.append("-")
            continue
        tok = tok.rstrip("*")  # X has no wildcard; local matching does the prefix
        if toks and toks[-1] == "-":
            toks[-1] = "-" + tok
        else:
            toks.append(tok)
    text = " ".join(toks).replace("( ", "(").replace(" )", ")")
    return f"({text})" if len(toks) > 1 and " OR " in text else text


def x_queries(
    entities: Iterable[Entity], exclude_retweets: bool = True, langs: Iterable[str] = (), max_len: int = 512
) -> list[str]:
    """X v2 search queries: each entity as ``(term OR term -exclusion)``, entities OR-joined,
    then ``-is:retweet`` and ``lang:``; split into several queries when longer than ``max_len``."""
    suffix = ""
    if exclude_retweets:
        suffix += " -is:retweet"
    langs = list(langs)
    if len(langs) == 1:
        suffix += f" lang:{langs[0]}"
    elif langs:
        suffix += " (" + " OR ".join(f"lang:{x}" for x in langs) + ")"
    groups: list[str] = []
    for ent in entities:
        terms = " OR ".join(_x_term(t) for t in [*ent.terms, *ent.aliases])
        excl = " ".join(f"-{_x_term(t)}" for t in ent.exclude if " OR " not in t)
        if excl:  # on X, AND binds tighter than OR: group the terms before excluding
            terms = f"({terms}) {excl}" if " OR " in terms else f"{terms} {excl}"
        groups.append(f"({terms})" if " " in terms else terms)
    packed = _pack(groups, " OR ", max_len - len(suffix) - 2, "")
    # The OR-joined groups get parentheses, or the suffix would bind to the last group only.
    return [(q if q in groups else f"({q})") + suffix for q in packed]


def or_queries(phrases: Iterable[str], max_len: int = 512) -> list[str]:
    """Phrases OR-joined into as few queries as fit ``max_len`` (Reddit search syntax)."""
    return _pack(list(phrases), " OR ", max_len, "")


def _pack(parts: list[str], sep: str, limit: int, suffix: str) -> list[str]:
    out: list[str] = []
    cur = ""
    for part in parts:
        cand = f"{cur}{sep}{part}" if cur else part
        if cur and len(cand) > limit:
            out.append(cur + suffix)
            cur = part
        else:
            cur = cand
    if cur:
        out.append(cur + suffix)
    return out


def hashtags(entities: Iterable[Entity]) -> list[str]:
    """Hashtags (without '#') named among the entities' aliases and terms."""
    seen: dict[str, str] = {}
    for ent in entities:
        for term in [*ent.aliases, *ent.terms]:
            for tok in _TOKENS.findall(term):
                if tok.startswith("#") and len(tok) > 1:
                    seen.setdefault(tok[1:].lower(), tok[1:])
    return list(seen.values())


# -- text and times --------------------------------------------------------------------------


def _tidy(text: str) -> str:
    """Runs of spaces and tabs as one space, each line stripped, empty lines dropped."""
    # Within a line _SPACE can only meet spaces and tabs (\r, \f and \v break lines), so they are
    # collapsed over the whole text at once; a single space stays as it is, so only longer runs and tabs.
    if "\t" in text or "  " in text:
        text = _BLANKS.sub(" ", text)
    if text.isprintable():  # one line (every line break is unprintable), the plain space its only white space
        return text.strip()
    return "\n".join(filter(None, map(str.strip, text.splitlines())))


def html_to_text(markup: str | None) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, line breaks kept."""
    if not markup:
        return ""
    # Plain text (most titles) has no tags to drop and no entities to decode: only the spaces are tidied.
    if "<" in markup:
        markup = _TAGS.sub("", _BREAKS.sub("\n", markup))
    if "&" in markup:
        markup = html.unescape(markup)
    return _tidy(markup)


def from_epoch(value: Any) -> datetime | None:
    """Epoch seconds (int, float or digits) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    return datetime.fromtimestamp(float(value), UTC)


def from_iso(value: Any) -> datetime | None:
    """An ISO 8601 string (``Z`` allowed) or datetime as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    ts = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return ts.astimezone(UTC) if ts.tzinfo else ts.replace(tzinfo=UTC)


def count(value: Any) -> int | None:
    """A non-negative count or None."""
    if value.__class__ is int:  # what JSON numbers mostly are
        return value if value >= 0 else None
    if value is None or isinstance(value, bool):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None
