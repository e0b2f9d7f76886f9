"""Replay recorded HTTP (vcrpy cassettes under tests/fixtures) without any network.

- YAML cassettes (tweepy, Mastodon.py) and the JSON ones converted from betamax (praw,
  prawcore) load through one persister that first swaps ``<PLACEHOLDER>`` tokens for test
  values, as praw's own test suite does.
- Requests are matched on method and path only (a trailing slash aside): our collectors ask with their own query
  parameters, the recorded answer for that endpoint is what we replay. ``match=("method",)``
  replays a recorded error answer for whatever endpoint the collector calls.
- gzip bodies kept as recorded (tweepy) are decompressed at load time (see ``_gunzip``).
- Record mode is ``none``: a request without a recording fails the test, never the network.
"""

from __future__ import annotations

import contextlib
import gzip
from collections.abc import Iterator
from pathlib import Path

import vcr
from vcr.serialize import deserialize
from vcr.serializers import jsonserializer, yamlserializer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLACEHOLDERS = {
    "<ACCESS_TOKEN>": "test-access-token",
    "<BASIC_AUTH>": "dGVzdDp0ZXN0",
    "<USER_AGENT>": "earshot-tests",
    "<USERNAME>": "earshot_tester",
    "<PASSWORD>": "test-password",
    "<TEST_SUBREDDIT>": "earshot_test",
}


class _SubstitutingPersister:
    substitutions: dict[str, str] = PLACEHOLDERS
    only_status: int | None = None  # keep only interactions that answered with this status

    @classmethod
    def load_cassette(cls, cassette_path, serializer):
        path = Path(cassette_path)
        text = path.read_text(encoding="utf-8")
        for token, value in cls.substitutions.items():
            text = text.replace(token, value)
        module = jsonserializer if path.suffix == ".json" else yamlserializer
        requests, responses = deserialize(text, module)[:2]
        for resp in responses:
            _gunzip(resp)
        if cls.only_status is not None:
            pairs = [(q, r) for q, r in zip(requests, responses, strict=True) if r["status"]["code"] == cls.only_status]
            requests, responses = [q for q, _ in pairs], [r for _, r in pairs]
        return requests, responses

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer):  # replay only
        raise RuntimeError("tests never record")


def _gunzip(resp: dict) -> None:
    """Decompress a gzip body kept as recorded (tweepy cassettes); this vcrpy/urllib3 pair does
    not decode replayed bodies, so we do what vcrpy's ``decode_compressed_response`` would."""
    body = resp.get("body", {}).get("string")
    if isinstance(body, bytes) and body[:2] == b"\x1f\x8b":
        resp["body"]["string"] = gzip.decompress(body)
        drop = ("content-encoding", "content-length")
        resp["headers"] = {k: v for k, v in resp["headers"].items() if k.lower() not in drop}


def _loose_path(r1, r2) -> None:
    """Paths equal up to a trailing slash (Reddit serves both; older praw recorded either)."""
    assert r1.path.rstrip("/") == r2.path.rstrip("/"), f"{r1.path} != {r2.path}"


@contextlib.contextmanager
def replay(
    relpath: str, match: tuple[str, ...] = ("method", "path"), repeat: bool = False, only_status: int | None = None
) -> Iterator[object]:
    """Serve the cassette ``tests/fixtures/<relpath>``; yields the vcrpy cassette. ``match=()`` answers any
    request with the recorded interactions in order; ``only_status`` keeps only answers with that status."""
    match = tuple("loose_path" if m == "path" else m for m in match)
    v = vcr.VCR(record_mode="none", match_on=match, decode_compressed_response=False)
    v.register_persister(type("Persister", (_SubstitutingPersister,), {"only_status": only_status}))
    v.register_matcher("loose_path", _loose_path)
    with v.use_cassette(str(FIXTURES / relpath), allow_playback_repeats=repeat) as cassette:
        yield cassette
