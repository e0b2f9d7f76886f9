"""Turn the demo's phrase banks into varied post texts: slots, openers, closers, emoji, hashtags, typos.

Every function takes the caller's ``random.Random`` so that the demo stays deterministic.
"""

from __future__ import annotations

import random
import re
from types import ModuleType

from collectors import demo_text_de, demo_text_en

BANKS: dict[str, ModuleType] = {"de": demo_text_de, "en": demo_text_en}

# The mood of a topic decides its emoji, punctuation and engagement.
MOOD = {
    "outage": "angry", "outage_after": "sad", "pricing": "angry", "privacy": "doubt", "launch": "happy",
    "lichtbox_gripe": "sad", "employer": "neutral", "q_billing": "doubt", "q_abschlag": "doubt", "q_move": "neutral",
    "q_login": "doubt", "competitor": "neutral", "general": "happy", "comment": "neutral", "noise": "neutral",
}
GRIPE_MOODS = ("angry", "sad", "doubt")  # moods whose posts may open or close with a groan ("Ugh.", "Na toll.")
EMOJI = {
    "angry": ["😡", "🤬", "🙄", "😤", "🤦", "👎", "🙃"],
    "sad": ["😞", "😩", "😕", "🫠"],
    "happy": ["😍", "🎉", "👍", "☀️", "🔋", "💚", "🙌"],
    "doubt": ["🤔", "🧐", "❓"],
    "neutral": ["👀", "⚡", "🙂"],
}
HASHTAGS = {
    "outage": ["#Störung", "#HafenlichtDown", "#Ausfall", "#fail", "#down"],
    "outage_after": ["#Störung", "#Kundenservice"],
    "pricing": ["#Strompreis", "#Preiserhöhung", "#Energiekosten", "#Energiepreise"],
    "privacy": ["#DSGVO", "#Datenschutz", "#SmartMeter", "#GDPR", "#privacy"],
    "launch": ["#LichtBox", "#Heimspeicher", "#Energiewende", "#Balkonkraftwerk", "#Solar"],
    "lichtbox_gripe": ["#LichtBox"],
    "employer": ["#Ausbildung", "#Betriebsrat", "#Jobs", "#Hamburg", "#NewWork"],
    "competitor": ["#Stromanbieter", "#Anbieterwechsel", "#Strom"],
    "general": ["#Ökostrom", "#Hamburg", "#Energiesparen"],
}
# Words that name an entity: a typo there would change what the matcher sees.
PROTECTED = ("hafenlicht", "lichtbox", "stromwerk", "fluss")
# How the company's handle is written on each source (the phrase banks write the X form).
HANDLE = {"x": "@hafenlicht", "mastodon": "@hafenlicht@social.example", "bluesky": "@hafenlicht.example"}
SIGNATURES = ["JS", "AK", "MT", "LB", "SR", "NH", "FK"]
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{5,}")


def fill(template: str, lang: str, rng: random.Random, source: str = "x") -> str:
    """Fill every ``{slot}`` of ``template`` from the language's slot lists; adapt the handle to ``source``."""
    slots = BANKS[lang].SLOTS
    text = _SLOT.sub(lambda m: rng.choice(slots[m.group(1)]), template)
    handle = HANDLE.get(source)
    if handle is None:
        text = re.sub(r"[@#]hafenlicht\b", "Hafenlicht", text, flags=re.IGNORECASE)
    elif source != "x":
        text = re.sub(r"@hafenlicht\b", handle, text)
    return text


def _typo(text: str, rng: random.Random) -> str:
    words = [m for m in _WORD.finditer(text) if not any(p in m.group().lower() for p in PROTECTED)]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 2)
    w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return text[:m.start()] + w + text[m.end():]


def vary(text: str, lang: str, topic: str, rng: random.Random, source: str) -> str:
    """Dress a sentence like a real post: opener, closer, emoji, hashtags, typos, casing."""
    bank = BANKS[lang]
    mood = MOOD.get(topic, "neutral")
    social = source in ("x", "mastodon", "bluesky")
    gripe = mood in GRIPE_MOODS
    if rng.random() < 0.45:
        opener = rng.choice(bank.OPENERS + bank.GRIPE_OPENERS if gripe else bank.OPENERS)
        if ("Frage" in opener or "question" in opener) and not topic.startswith(("q_", "privacy")):
            opener = ""  # "Quick question:" only opens questions
        if opener and not opener.rstrip().endswith((".", ":", "!", "?")) and not text.startswith(("I ", "I'")):
            text = text[0].lower() + text[1:]  # "Moin, die App ..." reads like a real post
        text = opener + text
    if rng.random() < 0.35:
        text += fill(rng.choice(bank.CLOSERS + bank.GRIPE_CLOSERS if gripe else bank.CLOSERS), lang, rng, source)
    if mood == "angry" and rng.random() < 0.2:
        text = text.rstrip(".") + rng.choice(["!!", "!!!", "?!", " ..."])
    if social and rng.random() < 0.45:
        text += " " + "".join(rng.choice(EMOJI[mood]) for _ in range(rng.choice((1, 1, 1, 2, 3))))
    if social and topic in HASHTAGS and rng.random() < 0.3:
        tags = [t for t in rng.sample(HASHTAGS[topic], k=min(len(HASHTAGS[topic]), rng.choice((1, 1, 2))))
                if t.lower() not in text.lower()]
        text += "".join(" " + t for t in tags)
    if rng.random() < 0.12:
        text = _typo(text, rng)
    if lang == "de" and rng.random() < 0.06:
        text = text.translate(UMLAUTS)
    if source in ("x", "bluesky") and rng.random() < 0.08:
        text = text.lower()
    return text


def post_text(topic: str, lang: str, rng: random.Random, source: str, sentences: int = 1) -> str:
    """One post on ``topic``: one or more different template sentences, varied."""
    templates = BANKS[lang].TOPICS[topic]
    chosen = rng.sample(templates, k=min(sentences, len(templates)))
    text = " ".join(fill(t, lang, rng, source) for t in chosen)
    return vary(text, lang, topic, rng, source)


def reddit_title(topic: str, lang: str, rng: random.Random) -> str:
    """A submission title; question topics share one title list."""
    titles = BANKS[lang].REDDIT_TITLES
    key = "question" if topic.startswith("q_") else topic
    return fill(rng.choice(titles.get(key) or titles["question"]), lang, rng, "reddit")


def news_item(topic: str, lang: str, rng: random.Random) -> tuple[str, str] | None:
    """A feed entry's (title, summary) on ``topic``; None when the bank has no news for it."""
    items = BANKS[lang].NEWS.get(topic)
    if not items:
        return None
    title, summary = rng.choice(items)
    return fill(title, lang, rng, "rss"), fill(summary, lang, rng, "rss")


def own_text(
    kind: str, lang: str, rng: random.Random, source: str, reply_to: str | None = None, pick: int | None = None
) -> str:
    """A post by the company's own account (outage notice, announcement, job); ``pick``: that template."""
    options = BANKS[lang].OWN[kind]
    template = options[pick % len(options)] if pick is not None else rng.choice(options)
    text = template.replace("{sig}", rng.choice(SIGNATURES))
    if reply_to and source in ("x", "mastodon", "bluesky"):
        text = f"@{reply_to} {text}"
    return text


def own_answer(topic: str, lang: str, rng: random.Random, source: str, reply_to: str | None = None) -> str:
    """The company's answer to a post on ``topic``: greeting, a fitting answer, sign-off, agent initials."""
    bank = BANKS[lang]
    greeting = rng.choice(bank.GREETINGS)
    body = rng.choice(bank.ANSWERS[topic])
    if greeting.endswith("!"):
        body = body[0].upper() + body[1:]
    sign_off = rng.choice(bank.SIGN_OFFS)
    text = f"{greeting} {body}" + (f" {sign_off}" if sign_off else "") + f" ^{rng.choice(SIGNATURES)}"
    if reply_to and source in ("x", "mastodon", "bluesky"):
        text = f"@{reply_to} {text}"
    return text
