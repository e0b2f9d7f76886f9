"""The demo's calendar: when things happen and how busy each hour is.

Days are counted back from the anchor (the hour the demo ends at). Events are placed at
fractions of the span, so a shorter demo still tells the whole story: an app outage two to
four weeks before the end, a price-increase letter, a product launch, a privacy report and
a works-council vote. ``TOPICS`` says how many posts each topic gets and how they spread.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

try:
    from zoneinfo import ZoneInfo

    LOCAL: tzinfo = ZoneInfo("Europe/Berlin")
except Exception:  # no tz database on this machine: Hamburg winter time is close enough for a demo
    from datetime import timezone

    LOCAL = timezone(timedelta(hours=1))

# Posts per local hour of day: quiet nights, a morning rise, lunch and evening peaks.
HOURLY = {
    "social": [2, 1, 0.6, 0.4, 0.4, 0.8, 2, 4, 6, 7, 7, 7, 8, 7, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4],
    "work": [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 1, 4, 8, 9, 9, 8, 6, 8, 8, 7, 5, 3, 1.5, 1, 0.8, 0.6, 0.4, 0.3],
    "us": [5, 4, 3, 2, 1, 0.8, 0.7, 0.8, 1, 1.5, 2, 2.5, 3, 4, 6, 8, 9, 9, 9, 8, 8, 7, 7, 6],  # HN: US afternoons
}
# Posts per weekday (Monday first): complaints slow down at weekends, job talk nearly stops.
WEEKLY = {"social": [1.0, 1.05, 1.0, 1.0, 0.9, 0.62, 0.58], "work": [1.0, 1.0, 1.0, 1.0, 0.85, 0.12, 0.08]}


@dataclass(frozen=True)
class Topic:
    name: str
    count: int  # posts over a 90-day demo (scaled with the span)
    shape: str  # how volume moves over time: see Calendar.weight
    event: str = ""  # the event the shape follows
    tau: float = 6.0  # days the wave takes to fade to a third
    height: float = 3.0  # the wave's peak over the base level
    hourly: str = "social"
    weekly: str = "social"


TOPICS = [
    Topic("general", 1050, "flat"),
    Topic("competitor", 520, "wave", "pricing", tau=10, height=2.0),
    Topic("q_billing", 300, "wave", "pricing", tau=8, height=1.0),
    Topic("q_abschlag", 250, "wave", "pricing", tau=12, height=3.0),
    Topic("q_move", 190, "flat"),
    Topic("q_login", 220, "wave", "outage", tau=3, height=5.0),
    Topic("pricing", 800, "wave_only", "pricing", tau=9, height=1.0),
    Topic("privacy", 300, "wave", "privacy", tau=5, height=3.0),
    Topic("launch", 650, "after", "launch", tau=6, height=3.0),
    Topic("lichtbox_gripe", 150, "after", "launch", tau=30, height=0.5),
    Topic("employer", 330, "wave", "works", tau=3, height=3.0, hourly="work", weekly="work"),
    Topic("noise", 90, "flat"),
]
OUTAGE_POSTS = 500  # the spike, mostly within hours of the start
OUTAGE_AFTER = 160  # follow-ups over the next days


@dataclass
class Calendar:
    """The anchor, the span, the days of the events (days back from the anchor) and time picking."""

    anchor: datetime
    days: int
    events: dict[str, int] = field(default_factory=dict)
    outage_start: datetime | None = None

    @classmethod
    def plan(cls, rng: random.Random, anchor: datetime, days: int) -> Calendar:
        """Place the events by fractions of the span (a 90-day demo: outage 15-25 days back)."""
        cal = cls(anchor, days)
        span = days / 90
        cal.events = {
            "outage": max(3, round(rng.randint(15, 25) * span)),
            "pricing": max(6, round(rng.randint(50, 60) * span)),
            "launch": max(5, round(rng.randint(34, 44) * span)),
            "privacy": max(8, round(rng.randint(63, 74) * span)),
            "works": max(2, round(rng.randint(6, 11) * span)),
        }
        while cal.local_date(cal.events["outage"]).weekday() >= 5:  # a working-day failure hurts most
            cal.events["outage"] += 1
        start_hour = rng.uniform(6.5, 8.5)  # early, as people check the app before work
        cal.outage_start = cal.at(cal.events["outage"], start_hour)
        return cal

    def local_date(self, back: int) -> datetime:
        """Local midnight of the day ``back`` days before the anchor's local day (naive)."""
        day = self.anchor.astimezone(LOCAL).date() - timedelta(days=back)
        return datetime(day.year, day.month, day.day)

    def at(self, back: int, hour: float) -> datetime:
        """UTC time of local ``hour`` (fractional) on the day ``back`` days before the anchor."""
        local = (self.local_date(back) + timedelta(hours=hour)).replace(tzinfo=LOCAL)
        return local.astimezone(UTC)

    def weight(self, topic: Topic, back: int) -> float:
        """Relative volume of ``topic`` on the day ``back`` days ago, before the weekday rhythm."""
        if topic.shape == "flat":
            return 1.0
        event = self.events[topic.event]
        since = event - back  # days since the event (negative: before it)
        wave = topic.height * math.exp(-since / topic.tau) if since >= 0 else 0.0
        if topic.shape == "wave":
            return 1.0 + wave
        if topic.shape == "wave_only":
            return 0.05 + wave
        return (0.5 + wave) if since >= 0 else 0.02  # "after": almost nothing before the launch

    def day_weights(self, topic: Topic) -> list[float]:
        """Cumulative day weights (index: days back) including the weekday rhythm."""
        weekly = WEEKLY[topic.weekly]
        w = [self.weight(topic, b) * weekly[self.local_date(b).weekday()] for b in range(self.days)]
        return list(itertools.accumulate(w))

    def pick(self, rng: random.Random, cum_days: list[float], hourly: str = "social") -> datetime:
        """A time on a day drawn from ``cum_days`` at an hour drawn from ``HOURLY[hourly]``; never after the anchor."""
        cum_hours = _CUM_HOURS[hourly]
        for _ in range(30):
            back = rng.choices(range(self.days), cum_weights=cum_days)[0]
            hour = rng.choices(range(24), cum_weights=cum_hours)[0] + rng.random()
            when = self.at(back, hour)
            if when <= self.anchor and when > self.anchor - timedelta(days=self.days):
                return when
        return self.anchor - timedelta(minutes=rng.randrange(1, 24 * 60))

    def later(self, rng: random.Random, when: datetime, median_hours: float, office: bool = False) -> datetime:
        """A time after ``when`` (log-normal delay); ``office``: moved into local office hours."""
        t = when + timedelta(hours=median_hours * rng.lognormvariate(0, 0.9))
        if office:  # the service team works Monday to Saturday, 8 to 20 local time
            local = t.astimezone(LOCAL)
            if not 8 <= local.hour < 20 or local.weekday() == 6:
                day = local.date() + timedelta(days=0 if local.hour < 8 else 1)
                while day.weekday() == 6:
                    day += timedelta(days=1)
                start = datetime(day.year, day.month, day.day) + timedelta(hours=8 + rng.random() * 2.5)
                t = start.replace(tzinfo=LOCAL).astimezone(UTC)
        return t


_CUM_HOURS = {k: list(itertools.accumulate(v)) for k, v in HOURLY.items()}
