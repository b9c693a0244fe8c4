"""Cron schedules in words and dates: what ``15 10 * * 6`` means, and when it will next run.

Kubernetes CronJobs use the five-field cron format (minute hour day-of-month month day-of-week),
evaluated in the controller's time zone unless ``spec.timeZone`` is set. The words come from
cron-descriptor, the dates from croniter: well-kept libraries rather than a hand-written parser.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cron_descriptor import Options, get_description
from croniter import croniter

from ..errors import ConfigError

FIELDS = ("minute", "hour", "day of month", "month", "day of week")
MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def validate(schedule: str) -> str:
    """The schedule, stripped; ConfigError naming the bad field when Kubernetes would reject it."""
    text = schedule.strip()
    if text in MACROS:
        return text
    parts = text.split()
    if len(parts) != 5:
        raise ConfigError(f"{schedule!r} has {len(parts)} fields; a CronJob schedule has 5: "
                          + " ".join(FIELDS) + " (e.g. '15 10 * * 6').")
    if not croniter.is_valid(text):
        for i, part in enumerate(parts):
            probe = ["*"] * 5
            probe[i] = part
            if not croniter.is_valid(" ".join(probe)):
                raise ConfigError(f"{schedule!r}: the {FIELDS[i]} field {part!r} is not valid cron syntax.")
        raise ConfigError(f"{schedule!r} is not a valid cron schedule.")
    return text


def explain(schedule: str) -> str:
    """The schedule in English: ``'15 10 * * 6'`` -> ``'At 10:15 AM, only on Saturday'``."""
    text = validate(schedule)
    options = Options()
    options.use_24hour_time_format = False
    return get_description(text, options)


def next_runs(schedule: str, n: int = 5, *, after: datetime | None = None, tz: str = "UTC") -> list[datetime]:
    """The next ``n`` times the schedule fires after ``after`` (default now), in time zone ``tz``."""
    text = validate(schedule)
    if n < 1:
        raise ConfigError(f"n must be at least 1, not {n}.")
    zone = ZoneInfo(tz)
    start = (after or datetime.now(timezone.utc)).astimezone(zone)
    it = croniter(text, start)
    return [it.get_next(datetime) for _ in range(n)]
