"""The kit's language: every learner-facing sentence goes through ``_()`` and gettext catalogues.

The catalogues are ordinary gettext ``.po`` files in ``kworkshop/locale/<lang>/LC_MESSAGES/``, one
per part of the kit (``kube.po``, ``checks.po``, ``cluster.po``, ...), extracted and updated with
Babel (``make messages``). Compiled ``.mo`` files are build output, never committed: the first
use compiles each ``.po`` with Babel into the kit's cache (again whenever the ``.po`` changes), so a
fresh clone, a Binder image and an editable install all work without a build step.

The language is chosen per call, not at import: ``$KWORKSHOP_LANG`` (``zh_CN``; ``en`` forces
English), else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English. A Chinese notebook
sets ``KWORKSHOP_LANG`` in its parameters cell and an English one sets it back, so notebooks run one
after another in the same kernel each speak their own language.

How to write a message: ``_("Deployment {name} rolled out").format(name=name)`` — the whole sentence,
named placeholders, never an f-string (Babel cannot extract those) and never pieces glued together
(word order differs between languages). Module-level constants are marked with ``N_()`` and
translated where they are shown. kubectl's own output and table columns are never translated.
"""

from __future__ import annotations

import gettext
import hashlib
import os
from functools import cache
from pathlib import Path

from . import settings

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh_CN")  # English is the source language: it needs no catalogue

# Which sources each catalogue (``<name>.po``) holds the messages of, relative to the package;
# every module belongs to exactly one (tests/unit/test_catalogues.py checks it).
CATALOGUES: dict[str, tuple[str, ...]] = {
    "kube": ("kube",),
    "checks": ("checks", "exercises.py", "session.py", "noeditor.py"),
    "live": ("live", "load"),
    "cluster": ("cluster", "agent", "binaries", "progress.py"),
    "kit": ("__init__.py", "__main__.py", "i18n.py", "paths.py", "settings.py", "commands.py", "polling.py",
            "programs.py", "cli.py", "boundary.py", "errors.py", "lab.py", "notebooks.py", "classroom"),
}


def language() -> str:
    """The language to speak now: ``en`` or ``zh_CN`` (see the module docstring)."""
    wanted = settings.LANG.get()
    if not wanted:
        for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
            if os.environ.get(var):
                wanted = os.environ[var]
                break
    return normalise(wanted)


def normalise(tag: str) -> str:
    """``zh-CN``, ``zh_CN.UTF-8``, ``zh``, ``zh_Hans`` -> ``zh_CN``; anything else -> ``en``."""
    base = tag.split(".")[0].split("@")[0].replace("-", "_").lower()
    if base == "zh" or base.startswith(("zh_cn", "zh_hans", "zh_sg")):
        return "zh_CN"
    return "en"


def _compiled(po: Path) -> Path:
    """The ``.mo`` for ``po`` in the cache, compiled with Babel when missing or stale."""
    from .paths import cache_dir

    data = po.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    mo = cache_dir() / "locale" / po.parent.parent.name / f"{po.stem}-{digest}.mo"
    if not mo.exists():
        from io import BytesIO

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        catalog = read_po(BytesIO(data), locale=po.parent.parent.name)
        mo.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(tmp, mo)  # atomic: two kernels compiling at once both end with a whole file
    return mo


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """Every catalogue of ``lang`` chained into one (English: the source strings themselves)."""
    chain: gettext.NullTranslations = gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    if lang == "en" or not folder.is_dir():
        return chain
    first: gettext.NullTranslations | None = None
    for po in sorted(folder.glob("*.po")):
        with open(_compiled(po), "rb") as handle:
            part = gettext.GNUTranslations(handle)
        if first is None:
            first = part
        else:
            first.add_fallback(part)
    return first or chain


def _(message: str) -> str:
    """``message`` in the current language (the English source when no translation exists)."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (module-level constants)."""
    return message


__all__ = ["CATALOGUES", "LANGUAGES", "LOCALE_DIR", "N_", "_", "language", "ngettext", "normalise", "translations"]
