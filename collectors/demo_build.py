"""Build the demo's raw records: posts, threads, the company's answers, news and HN discussions.

``build(seed, anchor, days)`` returns flat records (the shape file import accepts) sorted by
time. Everything comes from one ``random.Random`` seeded with ``seed``, so the same seed and
anchor give the same records; ids depend on the seed, the span and the order of creation.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from collectors import demo_text_en
from collectors.demo_people import Author, People
from collectors.demo_render import MOOD, news_item, own_answer, own_text, post_text, reddit_title, vary
from collectors.demo_scenario import OUTAGE_AFTER, OUTAGE_POSTS, TOPICS, Calendar

SOCIAL = ("x", "bluesky", "mastodon", "reddit")
SOCIAL_CUM = (0.37, 0.57, 0.73, 1.0)  # cumulative share of each social source
DE_SHARE = 0.62
ANGER = {"angry": 1.8, "sad": 1.2, "doubt": 1.0, "happy": 1.1, "neutral": 0.8}
SUBREDDITS = {"de": ["hamburg", "Strom", "Finanzen", "solar_de", "de_EDV"], "en": ["hamburg_en", "germany_expats"]}
NEWS_EVENTS = {"outage": (6, 10), "pricing": (6, 10), "launch": (5, 8), "employer": (3, 6), "privacy": (3, 6)}
HN_DAYS = {0: ("launch", 4, 12), 1: ("outage", 1, 2), 2: ("privacy", 0, 2)}  # story: (event, days after)


class Builder:
    """Accumulates records; see ``build``."""

    def __init__(self, seed: int, anchor: datetime, days: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"earshot-demo:{seed}")
        self.cal = Calendar.plan(self.rng, anchor, days)
        self.people = People(self.rng)
        self.items: list[dict[str, Any]] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)  # Reddit threads by subject
        self.comments: dict[str, list[dict[str, Any]]] = defaultdict(list)  # Reddit comments by thread root id

    # -- records -------------------------------------------------------------------------
    def add(self, source: str, author: Author, when: datetime, text: str, lang: str, mood: str = "neutral",
            title: str | None = None, parent: dict[str, Any] | None = None, url: str | None = None) -> dict[str, Any]:
        """Append one record; thread ids, URL and engagement follow from its source and parent."""
        n = len(self.items) + 1
        rid, num = f"demo-{self.seed}-{self.cal.days}-{n:05d}", 1_700_000_000 + n * 7919
        likes, replies, reposts = self._engagement(source, author.followers, mood, parent is None)
        rec = {
            "id": rid, "source": source, "created_at": when.replace(microsecond=0),
            "author": author.handle, "author_id": author.id, "author_followers": author.followers,
            "url": url or _url(source, author.handle, num, parent), "text": text, "title": title,
            "lang": lang if source in ("x", "mastodon", "bluesky", "rss") else None,  # Reddit and HN don't say
            "parent_id": parent["id"] if parent else None,
            "conversation_id": (parent["conversation_id"] if parent else rid) if source != "rss" else None,
            "likes": likes, "replies": replies, "reposts": reposts,
        }
        self.items.append(rec)
        return rec

    def _engagement(self, source: str, followers: int | None, mood: str, root: bool) -> tuple[int | None, ...]:
        rng, anger = self.rng, ANGER[mood]
        if source == "rss":
            return None, None, None
        if source == "reddit":
            return int(rng.lognormvariate(2.4 if root else 1.2, 1.1) * anger), 0, None
        if source == "hackernews":
            return (int(rng.lognormvariate(4.2, 0.8)) if root else None), 0, None
        base = max(followers or 0, 5) ** 0.6 * 0.12 * anger * rng.lognormvariate(0, 0.9)
        likes = int(base)
        return likes, int(likes * rng.uniform(0, 0.12)), int(likes * rng.uniform(0.02, 0.25) * anger)

    # -- social posts --------------------------------------------------------------------
    def post(self, topic: str, when: datetime) -> None:
        """One post on ``topic`` on a social source, with replies and answers where they fit."""
        rng = self.rng
        lang = "de" if rng.random() < DE_SHARE else "en"
        source = rng.choices(SOCIAL, cum_weights=SOCIAL_CUM)[0]
        if source == "reddit":
            self.reddit(topic, lang, when)
            return
        author = self.people.pick(rng, source, lang)
        text = post_text(topic, lang, rng, source, sentences=2 if rng.random() < 0.07 else 1)
        rec = self.add(source, author, when, text, lang, MOOD[topic])
        self.follow_up(rec, topic, lang, when)

    def follow_up(self, rec: dict[str, Any], topic: str, lang: str, when: datetime) -> None:
        """Other people's replies, and the company's answer to questions (not all get one)."""
        rng, source = self.rng, rec["source"]
        parent = rec
        for _ in range(rng.choice((1, 1, 2, 3)) if rng.random() < 0.14 and topic != "noise" else 0):
            at = self.cal.later(rng, when, 1.5)
            if at > self.cal.anchor:
                break
            author = self.people.pick(rng, source, lang)
            text = post_text("comment", lang, rng, source)
            if source != "reddit":
                text = f"@{rec['author']} {text}"
            parent = self.add(source, author, at, text, lang, "neutral", parent=parent)
            when = at
        if topic.startswith("q_"):
            chance = 0.6 if rec["created_at"].weekday() < 5 else 0.4
            if self._in_outage(rec["created_at"]):
                chance = 0.15  # the service team is busy with the outage
        elif topic in ("outage", "pricing", "privacy", "lichtbox_gripe"):
            chance = 0.05
        else:
            return
        if rng.random() < chance:
            at = self.cal.later(rng, rec["created_at"], 2.5 if topic.startswith("q_") else 1.0, office=True)
            if at <= self.cal.anchor:  # later answers have not happened yet: the question waits
                reply_to = None if source == "reddit" else rec["author"]
                if topic == "outage":  # index 2 of both banks: the apology
                    text = own_text("outage", lang, rng, source, reply_to, pick=2)
                else:
                    text = own_answer(topic, lang, rng, source, reply_to)
                self.add(source, self.people.own(source), at, text, lang, "neutral", parent=rec)

    def _in_outage(self, when: datetime) -> bool:
        start = self.cal.outage_start
        return start is not None and start <= when <= start + timedelta(days=2)

    def reddit(self, topic: str, lang: str, when: datetime) -> None:
        """A comment in a recent thread on the same subject, or a new submission."""
        rng = self.rng
        key = ("question" if topic.startswith("q_") else topic, lang)
        recent = [t for t in self.threads[key][-4:] if when - t["created_at"] < timedelta(days=4)]
        author = self.people.pick(rng, "reddit", lang)
        if recent and rng.random() < 0.72:
            root = rng.choice(recent)
            kids = self.comments[root["id"]]
            parent = rng.choice(kids) if kids and rng.random() < 0.4 else root
            subject = topic if rng.random() < 0.7 else "comment"
            text = post_text(subject, lang, rng, "reddit", sentences=rng.choice((1, 1, 2)))
            rec = self.add("reddit", author, when, text, lang, MOOD[subject], parent=parent)
            kids.append(rec)
            topic = subject  # a "same here" comment is not a question the company should answer
        else:
            title = reddit_title(topic, lang, rng) if topic != "noise" else None
            text = post_text(topic, lang, rng, "reddit", sentences=rng.choice((1, 2, 2, 3)))
            sub = rng.choice(SUBREDDITS[lang])
            rec = self.add("reddit", author, when, text, lang, MOOD[topic], title=title or text[:60],
                           url=f"https://reddit.example/r/{sub}/comments/{len(self.items) + 1:x}/")
            self.threads[key].append(rec)
        self.follow_up(rec, topic, lang, when)

    # -- the outage, the company's own posts, news and HN ---------------------------------
    def slots(self) -> list[tuple[datetime, str]]:
        """(time, topic) of every topic post, in time order, so threads grow forwards."""
        rng, cal = self.rng, self.cal
        scale = cal.days / 90
        out: list[tuple[datetime, str]] = []
        for topic in TOPICS:
            cum = cal.day_weights(topic)
            out += [(cal.pick(rng, cum, topic.hourly), topic.name) for _ in range(round(topic.count * scale))]
        start = cal.outage_start
        assert start is not None
        for _ in range(OUTAGE_POSTS):
            out.append((start + timedelta(hours=min(rng.gammavariate(1.4, 3.0), 40)), "outage"))
        for _ in range(OUTAGE_AFTER):
            back = cal.events["outage"] - 1 - int(rng.expovariate(1 / 1.5))
            if back >= 0:
                out.append((cal.at(back, rng.uniform(7, 23)), "outage_after"))
        return sorted((w, t) for w, t in out if w <= cal.anchor)

    def own_posts(self) -> None:
        """Outage notices, the launch announcement, the price explanation and job posts."""
        cal, rng = self.cal, self.rng
        start = cal.outage_start
        assert start is not None
        plan = [(start + timedelta(minutes=35), "outage", 0), (start + timedelta(hours=8.5), "outage", 1),
                (cal.at(cal.events["launch"], 10), "post", 0), (cal.at(cal.events["pricing"] - 1, 11), "post", 1),
                (cal.at(cal.events["launch"] - 20, 9.5), "post", 2)]
        weekdays = [b + max(0, cal.local_date(b).weekday() - 4) for b in range(3, cal.days - 3, 12)]  # Fridays
        plan += [(cal.at(b, 11 + rng.random()), "jobs", None) for b in weekdays]
        for when, kind, pick in plan:
            if when > cal.anchor:
                continue
            for source in ("x", "mastodon", "bluesky"):
                lang = "de" if source != "bluesky" or rng.random() < 0.5 else "en"
                self.add(source, self.people.own(source, main=True), when + timedelta(minutes=rng.randrange(9)),
                         own_text(kind, lang, rng, source, pick=pick), lang)

    def news(self) -> None:
        """Feed entries: several outlets report each event; a few general items."""
        rng, cal = self.rng, self.cal
        plan = [(t, rng.randint(*NEWS_EVENTS[t]), cal.events["works" if t == "employer" else t]) for t in NEWS_EVENTS]
        plan += [("competitor", rng.randint(1, 2), rng.randrange(cal.days)) for _ in range(5)]
        plan += [("general", 1, rng.randrange(cal.days)) for _ in range(7)]
        for topic, count, back in plan:
            for _ in range(count):
                lang = "de" if rng.random() < 0.72 or topic not in demo_text_en.NEWS else "en"
                item = news_item(topic, lang, rng)
                assert item is not None, f"no news text for {topic}"
                when = cal.at(max(back - rng.choice((0, 0, 0, 1, 2)), 0), rng.uniform(6, 19))
                if when > cal.anchor:
                    continue
                name, domain = self.people.outlet(rng, lang)
                num = 1_000 + len(self.items)
                url = f"https://{domain}/{when:%Y/%m}/{_slug(item[0])}-{num}"
                self.add("rss", Author(name, domain, None, lang), when, item[1], lang, title=item[0], url=url)

    def hacker_news(self) -> None:
        """Five HN stories near the events they discuss, each with a comment tree."""
        rng, cal = self.rng, self.cal
        for i, (title, body) in enumerate(demo_text_en.HN_STORIES):
            event, lo, hi = HN_DAYS.get(i, ("", 0, 0))
            back = cal.events[event] - rng.randint(lo, hi) if event else rng.randrange(cal.days // 5, cal.days)
            when = cal.at(max(back, 0), rng.uniform(14, 22))
            if when > cal.anchor:
                continue
            story = self.add("hackernews", self.people.pick(rng, "hackernews", "en"), when, body or title, "en",
                             title=title)
            pool = demo_text_en.HN_COMMENTS[i]
            comments = [story]
            for _ in range(rng.randint(12, 40)):
                at = self.cal.later(rng, when, 3.0)
                if at > cal.anchor:
                    continue
                parent = rng.choice(comments) if rng.random() < 0.45 else story
                text = rng.choice(demo_text_en.HN_OPENERS) + rng.choice(pool)
                text = vary(text, "en", "comment", rng, "hackernews")
                comments.append(self.add("hackernews", self.people.pick(rng, "hackernews", "en"), at, text, "en",
                                         parent=parent))

    def build(self) -> list[dict[str, Any]]:
        for when, topic in self.slots():
            self.post(topic, when)
        self.own_posts()
        self.news()
        self.hacker_news()
        children = Counter(r["parent_id"] for r in self.items if r["parent_id"])
        for rec in self.items:
            if rec["replies"] is not None:
                rec["replies"] = max(rec["replies"], children[rec["id"]])
        self.items.sort(key=lambda r: (r["created_at"], r["id"]))
        for rec in self.items:
            rec["created_at"] = rec["created_at"].isoformat()
        return self.items


def _slug(title: str) -> str:
    keep = "".join(c.lower() if c.isalnum() else "-" for c in title.translate(str.maketrans("äöüß", "aous")))
    return "-".join(p for p in keep.split("-") if p)[:60]


def _url(source: str, handle: str, num: int, parent: dict[str, Any] | None) -> str:
    if source == "x":
        return f"https://x.example/{handle}/status/{num}"
    if source == "mastodon":
        user, _, host = handle.partition("@")
        return f"https://{host or 'social.example'}/@{user}/{num}"
    if source == "bluesky":
        return f"https://bsky.example/profile/{handle}/post/{num:x}"
    if source == "reddit" and parent is not None:
        return f"{parent['url'].split('/_/')[0].rstrip('/')}/_/{num:x}/"
    if source == "hackernews":
        return f"https://news.ycombinator.example/item?id={num}"
    return f"https://reddit.example/comments/{num:x}/"


def build(seed: int, anchor: datetime, days: int) -> list[dict[str, Any]]:
    """Every raw record of the demo, oldest first (``created_at`` as ISO 8601 strings)."""
    return Builder(seed, anchor, days).build()
