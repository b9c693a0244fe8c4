"""English left in what a Chinese-edition learner reads: the kit's ✓/✗ lines and the lines it prints
in Chinese. Names, commands and values stay as they are (a learner types them), so only runs of
ordinary English words between the Chinese text count."""

from __future__ import annotations

import re

CHINESE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# what stays English on purpose: code spans, the cluster's own words quoted (“...”: an event's or the
# API server's message, as kubectl prints them), a kubectl command up to the next Chinese text, and
# any token with a slash, colon, equals sign, dot, hyphen, underscore, digit or angle bracket (names,
# images, label selectors, numbers)
CODE = re.compile(rf"“[^”]*”|`[^`]*`|\bkubectl\b[^{CHINESE}]*|[^\s“”{CHINESE}]*[/:=_.\-\d<>][^\s“”{CHINESE}]*")
BETWEEN = re.compile(rf"[{CHINESE},;()\[\]{{}}'\"✓✗·…]+")
WORD = re.compile(r"[A-Za-z]+")
# single words that are English all the same: Python's constants printed in a sentence, weekdays, months
ALONE = {"True", "False", "None", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
         "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "January", "February", "March", "April", "June", "July",
         "August", "September", "October", "November", "December"}


def english_runs(line: str) -> list[str]:
    """The runs of English in ``line``: two or more words in a row, one of them lower-case (a kind and
    a status, ``Running Pod``, read as names; ``pods after the`` is a sentence), and the words of
    ``ALONE``."""
    runs = BETWEEN.split(CODE.sub(" ", line))
    return [run.strip() for run in runs
            if (len(words := WORD.findall(run)) >= 2 and any(w.islower() and len(w) > 1 for w in words))
            or ALONE & set(words)]


def read_by_learner(line: str) -> bool:
    """A line of the kit's own speech in the Chinese edition: a checkpoint's ✓/✗, or any line in Chinese."""
    return line.lstrip().startswith(("✓", "✗")) or re.search(f"[{CHINESE}]", line) is not None
