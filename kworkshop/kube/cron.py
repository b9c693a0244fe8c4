"""Cron schedules in words and dates: what ``15 10 * * 6`` means, and when it will next run.

Kubernetes CronJobs use the five-field cron format (minute hour day-of-month month day-of-week),
evaluated in the controller's time zone unless ``spec.timeZone`` is set. The words come from
cron-descriptor, the dates from croniter: well-kept libraries rather than a hand-written parser.

In Chinese (``KWORKSHOP_LANG=zh_CN``) cron-descriptor speaks its own zh_CN catalogue, but it takes
weekday and month names from the process's C locale (``calendar.day_name``, ``%B``), which is
English on most machines and is not ours to change; those names are replaced with CLDR's (Babel).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cron_descriptor import Options, get_description
from croniter import croniter

from ..errors import ConfigError
from ..i18n import _, language, ngettext

FIELDS = ("minute", "hour", "day of month", "month", "day of week")
# what each macro stands for (cron-descriptor only reads the five fields)
MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
          "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
FULLWIDTH_COMMA = "\uff0c"
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def field_names() -> tuple[str, ...]:
    """The five fields' names (``FIELDS``) in the current language."""
    return (_("minute"), _("hour"), _("day of month"), _("month"), _("day of week"))


def validate(schedule: str) -> str:
    """The schedule, stripped; ConfigError naming the bad field when Kubernetes would reject it."""
    text = schedule.strip()
    if text in MACROS:
        return text
    parts = text.split()
    if len(parts) != 5:
        fields = " ".join(field_names())
        raise ConfigError(ngettext("{schedule!r} has {count} field; a CronJob schedule has 5: {fields} "
                                   "(e.g. '15 10 * * 6').",
                                   "{schedule!r} has {count} fields; a CronJob schedule has 5: {fields} "
                                   "(e.g. '15 10 * * 6').", len(parts))
                          .format(schedule=schedule, count=len(parts), fields=fields))
    if not croniter.is_valid(text):
        for i, part in enumerate(parts):
            probe = ["*"] * 5
            probe[i] = part
            if not croniter.is_valid(" ".join(probe)):
                raise ConfigError(_("{schedule!r}: the {field} field {part!r} is not valid cron syntax.")
                                  .format(schedule=schedule, field=field_names()[i], part=part))
        raise ConfigError(_("{schedule!r} is not a valid cron schedule.").format(schedule=schedule))
    return text


def _options(locale_code: str, hour24: bool) -> Options:
    try:
        return Options(locale_code=locale_code, use_24hour_time_format=hour24)
    except TypeError:  # cron-descriptor 1.x takes no arguments
        options = Options()
        options.locale_code, options.use_24hour_time_format = locale_code, hour24
        return options


def explain(schedule: str) -> str:
    """The schedule in words: ``'15 10 * * 6'`` -> ``'At 10:15 AM, only on Saturday'``
    (``'每周六 10:15'`` with ``KWORKSHOP_LANG=zh_CN``)."""
    text = validate(schedule)
    text = MACROS.get(text, text)
    if language() != "zh_CN":
        return get_description(text, _options("en_US", hour24=False))
    return _in_chinese(get_description(text, _options("zh_CN", hour24=True)))


def _in_chinese(description: str) -> str:
    """cron-descriptor's zh_CN text with CLDR weekday and month names and Chinese punctuation."""
    from babel.dates import get_day_names, get_month_names

    days, months = get_day_names("wide", locale="zh_CN"), get_month_names("wide", locale="zh_CN")
    names = {calendar.day_name[i]: days[i] for i in range(7)}  # 0 is Monday in both
    names.update({calendar.month_name[m]: months[m] for m in range(1, 13)})
    # not \b: a name may follow a Chinese character directly (第二个Monday), and both count as \w
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    pattern = re.compile(r"(?<![A-Za-z])(" + alternatives + r")(?![A-Za-z])")
    text = pattern.sub(lambda m: names[m.group(1)], description).replace(", ", FULLWIDTH_COMMA)
    return _natural(_CJK_GAP.sub("", text))


# cron-descriptor's zh_CN phrases, word for word from English ("在 10:15，仅在星期六"), and how a
# Chinese reader says them ("每周六 10:15"): the time goes last, after when in the year, month, week
_AT = re.compile(r"^在 (\d\d:\d\d)((?:\uff0c.+)?)$")
_PHRASES = (
    (re.compile(r"^仅在(星期.(?:和星期.)*)$"), lambda m: "每" + m.group(1).replace("星期", "周")),
    (re.compile(r"^(星期.)到(星期.)$"), lambda m: f"每{m.group(1)}至{m.group(2)}".replace("星期", "周")),
    (re.compile(r"^在第(.)个(星期.)每月$"), lambda m: f"每月第{m.group(1)}个{m.group(2)}".replace("星期", "周")),
    (re.compile(r"^每月的 (\d+) 号$"), lambda m: f"每月 {m.group(1)} 日"),
    (re.compile(r"^仅在(.+月)$"), lambda m: f"每年{m.group(1)}"),
    (re.compile(r"^(.+月)到(.+月)$"), lambda m: f"{m.group(1)}至{m.group(2)}"),
)


def _natural(text: str) -> str:
    """``在 HH:MM`` and its qualifiers reordered as Chinese says a schedule; any phrase not known here
    leaves the whole description as cron-descriptor wrote it."""
    at = _AT.match(text)
    if not at:
        return text
    parts = [part for part in at.group(2).split(FULLWIDTH_COMMA) if part]
    said = []
    for part in parts:
        rule = next(((pattern, say) for pattern, say in _PHRASES if pattern.match(part)), None)
        if rule is None:
            return text
        said.append(rule[1](rule[0].match(part)))
    months = [p for p in said if p.endswith("月") and not p.startswith("每月")]
    rest = [p for p in said if p not in months]
    if months and rest:  # "每年一月" + "每月 1 日" -> "每年一月 1 日"; "二月至四月" + "每周一至周五"
        rest = [p.removeprefix("每月 ").removeprefix("每") if p.startswith("每月 ") else p for p in rest]
        joined = months[0] + ("的" if not rest[0][0].isdigit() else " ") + "".join(rest)
    else:
        joined = "".join(said) or "每天"
    return f"{joined} {at.group(1)}"


class Runs(list):
    """The times a schedule fires (``datetime`` objects in the requested zone); prints one per line in
    local time with the zone, the weekday in the current language."""

    def __str__(self) -> str:
        return "\n".join(_local(run) for run in self)

    __repr__ = __str__

    def in_zone(self, tz: str | tzinfo) -> Runs:
        """The same moments on another zone's clock: 10:15 in Asia/Shanghai is 02:15 in UTC."""
        zone = _zone(tz)
        return Runs(run.astimezone(zone) for run in self)


def _local(run: datetime) -> str:
    from babel.dates import get_day_names

    weekday = get_day_names("abbreviated", locale="zh_CN" if language() == "zh_CN" else "en")[run.weekday()]
    key = getattr(run.tzinfo, "key", None) or str(run.tzinfo)
    abbreviation = run.tzname() or key
    zone = key if abbreviation == key else _("{abbreviation} ({zone})").format(abbreviation=abbreviation, zone=key)
    return _("{weekday} {date} {time} {zone}").format(weekday=weekday, date=run.strftime("%Y-%m-%d"),
                                                      time=run.strftime("%H:%M"), zone=zone)


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(_("{tz!r} is not a time zone: use an IANA name such as Asia/Shanghai or UTC "
                            "(the names spec.timeZone takes).").format(tz=tz)) from exc


def next_runs(schedule: str, n: int = 5, *, after: datetime | None = None, tz: str | tzinfo = "UTC") -> Runs:
    """The next ``n`` times the schedule fires after ``after`` (default now), evaluated in time zone
    ``tz`` (an IANA name like ``"Asia/Shanghai"``, as in ``spec.timeZone``, or a tzinfo) and given
    in that zone: ``print(kw.cron.next_runs("15 10 * * 6", tz="Asia/Shanghai"))``."""
    text = validate(schedule)
    text = MACROS.get(text, text)
    if n < 1:
        raise ConfigError(_("n must be at least 1, not {n}.").format(n=n))
    zone = _zone(tz)
    start = (after or datetime.now(timezone.utc)).astimezone(zone)
    it = croniter(text, start)
    return Runs(it.get_next(datetime) for _unused in range(n))
