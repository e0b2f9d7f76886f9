"""Privacy at ingest: keyed pseudonyms for authors, raw payload scrubbing, employee accounts.

- ``Pseudonymiser`` replaces an author name or id by ``anon:`` and 16 hex digits of
  HMAC-SHA256 over the normalised value (trimmed, leading ``@`` dropped, case-folded). The key
  comes from the environment variable ``EARSHOT_PSEUDONYM_KEY`` and is never written anywhere;
  the same key gives the same pseudonym in every source and every run, so threads and repeat
  authors still work. Without the key nobody can compute a name's pseudonym, so a stolen data
  directory cannot be searched by name.
- ``scrub_raw`` pseudonymises the author fields inside a raw API payload the same way, so raw
  payloads kept for re-mapping hold no author names or ids in clear either.
- The built-in demo company (``company.demo: true``) may run without the variable: it then uses
  ``DEMO_KEY``, a fixed, public key that protects nothing and is meant for fictional data only.
- Employee accounts (``privacy.employee_accounts``) are dropped at ingest; with
  ``employee_posts: count_only`` they are counted per day, source and entity in the
  ``employee_posts`` table (no text, author or post id).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Set
from datetime import datetime
from typing import Any

import pyarrow as pa

from earshot.config import Config
from earshot.errors import ConfigError
from storage.schema import TS, Table

log = logging.getLogger(__name__)

KEY_ENV = "EARSHOT_PSEUDONYM_KEY"
AUTHORS_KEY = "_earshot_authors"  # added to pseudonymised raw payloads: the author values ingest stored
MIN_KEY_LENGTH = 16
# Public, documented key for the fictional demo company only. It protects nothing.
DEMO_KEY = "earshot-demo-key-public-not-secret"
PREFIX = "anon:"
_HEX = frozenset("0123456789abcdef")

# Keys whose string values name or identify a person wherever they appear in a raw payload.
AUTHOR_KEYS = frozenset({
    "author", "author_id", "author_fullname", "author_name", "authorid", "by", "username", "user_name",
    "screen_name", "user_id", "userid", "acct", "handle", "did", "display_name", "displayname", "email",
    "in_reply_to_user_id", "in_reply_to_account_id", "in_reply_to_screen_name", "creator", "owner",
})
# Keys whose object values describe a person: every string inside them is pseudonymised.
PERSON_KEYS = frozenset({
    "user", "users", "author", "authors", "author_detail", "account", "actor", "creator", "profile",
    "owner", "from", "sender", "mentions", "mentioned_users", "publisher",
})
# Inside a person object these are not personal and stay as they are.
NEUTRAL_KEYS = frozenset({"created_at", "createdat", "lang", "type", "kind", "$type", "indexedat"})

EMPLOYEE_POST = pa.schema([
    ("day", TS),  # UTC day the posts were made (midnight)
    ("source", pa.string()),  # platform
    ("entity", pa.string()),  # first configured entity that matched, "" when none did
    ("posts", pa.int64()),  # how many employee posts of that day, source and entity one run saw
    ("run_id", pa.string()),  # the collector run that counted them
])
EMPLOYEE_POSTS = Table("employee_posts", EMPLOYEE_POST, None, "day")


def normalise(value: str) -> str:
    """The form a name or id is hashed in: trimmed, without a leading ``@``, case-folded."""
    return value.strip().lstrip("@").casefold()


def is_pseudonym(value: Any) -> bool:
    """True for strings that ``Pseudonymiser`` produced (``anon:`` and 16 lower-case hex digits)."""
    return (
        isinstance(value, str) and len(value) == len(PREFIX) + 16 and value.startswith(PREFIX)
        and set(value[len(PREFIX):]) <= _HEX
    )


class Pseudonymiser:
    """Keyed, deterministic pseudonyms; ``p(value)`` is idempotent and keeps None and "" as they are."""

    def __init__(self, key: str | bytes) -> None:
        self._key = key.encode() if isinstance(key, str) else bytes(key)
        self._memo: dict[str, str] = {}  # authors repeat: each name is hashed once per process

    def __call__(self, value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        out = self._memo.get(value)
        if out is None:
            if not value.strip() or is_pseudonym(value):
                return value
            digest = hmac.new(self._key, normalise(value).encode("utf-8", "surrogatepass"), hashlib.sha256)
            out = PREFIX + digest.hexdigest()[:16]
            if len(self._memo) < 200_000:  # bounded: a long backfill must not grow it without end
                self._memo[value] = out
        return out

    def erasure_mark(self, value: str) -> str:
        """A second keyed hash (of the pseudonym) for the erasure list: it never equals a stored value."""
        digest = hmac.new(self._key, b"erasure\x00" + self(value).encode(), hashlib.sha256)
        return "erased:" + digest.hexdigest()[:24]

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(key=***)"


def pseudonymiser_for(config: Config, environ: Mapping[str, str] | None = None, required: bool = False) -> (
        Pseudonymiser | None):
    """The pseudonymiser the config asks for, or None when pseudonymisation is off.

    ``required`` returns one even when it is off (``forget`` needs it to find pseudonymised rows
    written while it was on). Raises ``ConfigError`` (exit 2) when the key is missing or short,
    except for the demo company, which falls back to the public ``DEMO_KEY``.
    """
    if not config.privacy.pseudonymise_authors and not required:
        return None
    env = os.environ if environ is None else environ
    key = env.get(KEY_ENV, "")
    if not key:
        if config.company.demo:
            return Pseudonymiser(DEMO_KEY)
        if not config.privacy.pseudonymise_authors:
            return None
        raise ConfigError(
            f"privacy.pseudonymise_authors is on but the environment variable {KEY_ENV} is not set.",
            f"Set {KEY_ENV} to a long random secret (e.g. `openssl rand -hex 32`) and keep it outside the data "
            "directory; the same key must be used for every run, or repeat authors get new pseudonyms.",
        )
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"the environment variable {KEY_ENV} is shorter than {MIN_KEY_LENGTH} characters.",
            "Use a long random secret, e.g. the output of `openssl rand -hex 32`.",
        )
    return Pseudonymiser(key)


def handles(values: Iterable[str]) -> set[str]:
    """Normalised account names, for membership tests."""
    return {normalise(v) for v in values if isinstance(v, str) and v.strip()}


_KEY_KINDS: dict[Any, tuple[bool, bool, bool]] = {}  # key -> (neutral, person, author); keys repeat a lot


def _key_kind(k: Any) -> tuple[bool, bool, bool]:
    kind = _KEY_KINDS.get(k)
    if kind is None:
        key = str(k).casefold()
        kind = (key in NEUTRAL_KEYS, key in PERSON_KEYS, key in AUTHOR_KEYS or key.startswith("author"))
        if len(_KEY_KINDS) < 10_000:  # bounded: hostile payloads may bring endless new keys
            _KEY_KINDS[k] = kind
    return kind


def map_strings(item: Any, fn: Callable[[str, bool], str]) -> Any:
    """A copy of a JSON-like value with every string ``s`` replaced by ``fn(s, personal)``.

    ``personal`` is true for strings under an ``AUTHOR_KEYS`` key (or any key starting with
    ``author``) and anywhere inside a ``PERSON_KEYS`` object except ``NEUTRAL_KEYS``. Works
    iteratively, so any nesting depth is fine; numbers, booleans and None are kept.
    """
    root: list[Any] = [None]
    # Work items: (source value, target container, slot in target, personal flag).
    stack: list[tuple[Any, Any, Any, bool]] = [(item, root, 0, False)]
    push = stack.append
    while stack:
        value, parent, slot, personal = stack.pop()
        if isinstance(value, str):
            parent[slot] = fn(value, personal)
        elif isinstance(value, dict):
            out: dict[Any, Any] = {}
            parent[slot] = out
            for k, v in value.items():
                neutral, person, author = _key_kind(k)
                if isinstance(v, str):
                    # Leaves are mapped here directly: most values are, and a stack round trip costs.
                    out[k] = fn(v, (personal and not neutral) or person or author)
                elif isinstance(v, dict | list):
                    out[k] = None
                    push((v, out, k, (personal and not neutral) or person))
                else:
                    out[k] = v
        elif isinstance(value, list):
            lst: list[Any] = [None] * len(value)
            parent[slot] = lst
            for i, v in enumerate(value):
                push((v, lst, i, personal))
        else:
            parent[slot] = value
    return root[0]


def scrub_raw(item: Any, pseudo: Pseudonymiser, keep: Set[str] = frozenset(), known: Set[str] = frozenset()) -> Any:
    """A copy of one raw payload with every author name and id pseudonymised.

    Strings are pseudonymised when ``map_strings`` calls them personal or when they equal
    (normalised) one of the ``known`` author names/ids. Values in ``keep`` (the company's own
    accounts) stay in clear. Post texts, links, numbers and booleans are kept.

    This is ``map_strings`` with that rule written into the walk (it runs for every stored payload):
    a personal string becomes ``pseudo(s)`` unless it is already a pseudonym or (normalised) in
    ``keep``; any other string only when it (normalised) is in ``known`` but not in ``keep``. Case
    folding never shortens a string, so one longer than every known value, once trimmed, is none of them.
    """
    pseudonym_length = len(PREFIX) + 16
    longest = max(map(len, known), default=-1)

    def fix(value: str, personal: bool) -> str:
        if personal:
            if (len(value) == pseudonym_length and is_pseudonym(value)) or normalise(value) in keep:
                return value
            return pseudo(value)
        trimmed = value.strip().lstrip("@")
        if len(trimmed) <= longest:
            norm = trimmed.casefold()  # normalise(value)
            if norm and norm in known and norm not in keep and not is_pseudonym(value):
                return pseudo(value)
        return value

    if isinstance(item, str):
        return fix(item, False)
    if not isinstance(item, dict | list):
        return item
    kinds = _KEY_KINDS
    root: list[Any] = [None]
    # Work items: (source container, target container, slot in target, personal flag).
    stack: list[tuple[Any, Any, Any, bool]] = [(item, root, 0, False)]
    push = stack.append
    while stack:
        value, parent, slot, personal = stack.pop()
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            parent[slot] = out
            for k, v in value.items():
                if isinstance(v, str):
                    kind = kinds.get(k) or _key_kind(k)
                    if (personal and not kind[0]) or kind[1] or kind[2]:
                        out[k] = fix(v, True)
                    else:  # fix(v, False), written out: most strings of a payload come here
                        trimmed = v.strip().lstrip("@")
                        if len(trimmed) <= longest:
                            norm = trimmed.casefold()
                            if norm and norm in known and norm not in keep and not is_pseudonym(v):
                                v = pseudo(v)
                        out[k] = v
                elif isinstance(v, dict | list):
                    kind = kinds.get(k) or _key_kind(k)
                    out[k] = None
                    push((v, out, k, (personal and not kind[0]) or kind[1]))
                else:
                    out[k] = v
        else:  # a list
            lst: list[Any] = [None] * len(value)
            parent[slot] = lst
            for i, v in enumerate(value):
                if isinstance(v, str):
                    lst[i] = fix(v, personal)
                elif isinstance(v, dict | list):
                    push((v, lst, i, personal))
                else:
                    lst[i] = v
    return root[0]


def prepare_raw(
    items: list[Any], to_mention: Callable[[Any], dict[str, Any] | None], keep_raw: str,
    pseudo: Pseudonymiser | None, own: Set[str], skip: Callable[[set[str], str], bool] | None = None,
) -> list[Any]:
    """The raw payloads of one batch as they may be stored under ``privacy.keep_raw``.

    Payloads for which ``skip(author_ids, source)`` is true (employee accounts, forgotten
    authors) are dropped; with ``pseudonymised`` every author field is scrubbed (``scrub_raw``);
    with ``none`` nothing is kept.
    """
    if keep_raw == "none":
        return []
    if keep_raw == "pseudonymised" and pseudo is None:
        raise ConfigError("privacy.keep_raw is pseudonymised but no pseudonymisation key is available.",
                          f"Set {KEY_ENV}, or set privacy.keep_raw to none.")
    out: list[Any] = []
    own = frozenset(own)
    for raw in items:
        ids: set[str] = set()
        mapped: dict[str, Any] = {}
        if skip is not None or pseudo is not None:
            try:
                mapped = to_mention(raw) or {}
            except Exception:  # noqa: BLE001 - the mapping step reports bad items; keep the payload
                mapped = {}
            authors = (mapped.get("author"), mapped.get("author_id"))
            ids = {normalise(v) for v in authors if isinstance(v, str) and v.strip()}  # handles(...) written out
            if skip is not None and ids and skip(ids, str(mapped.get("source"))):
                continue  # never stored: an employee account or a forgotten author
        if keep_raw == "pseudonymised":
            is_own = bool(ids & own)
            raw = scrub_raw(raw, pseudo, keep=own | ids if is_own else own, known=ids - own)
            if isinstance(raw, dict) and mapped:
                # What ingest stored for this post, so a re-map gives the same author values even where a
                # collector builds them from several fields (e.g. Mastodon's acct + instance host).
                raw[AUTHORS_KEY] = {
                    "author": mapped.get("author") if is_own else pseudo(mapped.get("author")),
                    "author_id": mapped.get("author_id") if is_own else pseudo(mapped.get("author_id")),
                }
        out.append(raw)
    return out


def stored_authors(raw: Any) -> dict[str, Any] | None:
    """The author values ingest stored for a pseudonymised raw payload (see ``prepare_raw``), if any."""
    found = raw.get(AUTHORS_KEY) if isinstance(raw, dict) else None
    if not isinstance(found, dict):
        return None
    values = {k: found.get(k) for k in ("author", "author_id")}
    ok = all(v is None or isinstance(v, str) for v in values.values())
    return values if ok else None


FORGOTTEN = "_forgotten"  # StateStore name of the erasure list: marks of authors never to collect again


def erasure_marks(value: str, pseudo: Pseudonymiser | None) -> set[str]:
    """What the erasure list stores for one author name or id: never the name or its pseudonym.

    With a key: a second keyed hash of the pseudonym (so a name and its ``anon:`` pseudonym
    give the same mark). Without one: an unkeyed SHA-256 of the normalised value.
    """
    if pseudo is not None:
        return {pseudo.erasure_mark(value)}
    return {"sha256:" + hashlib.sha256(normalise(value).encode("utf-8", "surrogatepass")).hexdigest()}


def is_forgotten(ids: Iterable[str], marks: Set[str], pseudo: Pseudonymiser | None) -> bool:
    """True when any of an item's author names/ids is on the erasure list."""
    if not marks:
        return False
    for value in ids:
        if value and (erasure_marks(value, pseudo) | erasure_marks(value, None)) & marks:
            return True
    return False


def employee_count_rows(counts: Counter[tuple[datetime, str, str]], run_id: str) -> list[dict[str, Any]]:
    """Rows for ``EMPLOYEE_POSTS`` from a counter keyed by (day, source, entity)."""
    return [
        {"day": day, "source": source, "entity": entity, "posts": n, "run_id": run_id}
        for (day, source, entity), n in sorted(counts.items())
    ]
