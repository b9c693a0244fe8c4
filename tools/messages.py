"""Extract the kit's messages with Babel and update each language's catalogues (``make messages``).

For every catalogue in ``kworkshop.i18n.CATALOGUES`` the messages of its sources are extracted
(keywords ``_``, ``N_``, ``ngettext``) and merged into ``kworkshop/locale/<lang>/LC_MESSAGES/<name>.po``:
new messages arrive untranslated, changed ones are marked fuzzy, removed ones become obsolete
(Babel's ``update``). Then translate what is new; tests/unit/test_catalogues.py fails until every
message has a translation.

Usage: python tools/messages.py [--check]   (--check: only report what is missing, change nothing)
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parents[1] / "kworkshop"
sys.path.insert(0, str(PACKAGE.parent))

from kworkshop.i18n import CATALOGUES, LANGUAGES, LOCALE_DIR  # noqa: E402

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# fixed header fields: a catalogue changes in git only when its messages do
HEADER = "# The kit's messages ({name}), {lang}. Update with `make messages`; see kworkshop/i18n.py."
EPOCH = datetime(2026, 11, 27, tzinfo=timezone.utc)


def new_catalog(name: str, lang: str | None = None) -> Catalog:
    catalog = Catalog(locale=lang, project="kworkshop", version="1", charset="utf-8",
                      header_comment=HEADER.format(name=name, lang=lang or "template"),
                      creation_date=EPOCH, revision_date=EPOCH, fuzzy=False,
                      last_translator="kworkshop", language_team="kworkshop")
    return catalog


def sources(name: str) -> list[Path]:
    """The Python files of catalogue ``name``."""
    found: list[Path] = []
    for entry in CATALOGUES[name]:
        path = PACKAGE / entry
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [p for p in found if "__pycache__" not in p.parts]


def template(name: str) -> Catalog:
    """Every message the sources of ``name`` use, with where it is used."""
    catalog = new_catalog(name)
    for path in sources(name):
        for lineno, message, comments, _context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("Translators:",)):
            catalog.add(message, locations=[(str(path.relative_to(PACKAGE.parent)), lineno)],
                        auto_comments=comments)
    return catalog


def po_path(lang: str, name: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{name}.po"


def update(lang: str, name: str, check: bool) -> list[str]:
    """Merge the template into ``lang``'s catalogue; returns the messages still untranslated."""
    tmpl = template(name)
    path = po_path(lang, name)
    if path.exists():
        with open(path, "rb") as f:
            catalog = read_po(f, locale=lang)
    else:
        catalog = new_catalog(name, lang)
    catalog.update(tmpl, no_fuzzy_matching=False, update_creation_date=False)
    catalog.fuzzy = False
    catalog.revision_date = EPOCH
    missing = [str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy)]
    if not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            write_po(f, catalog, width=100, sort_by_file=True, ignore_obsolete=True, include_previous=True)
    return missing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="report untranslated messages, write nothing")
    args = ap.parse_args()
    total = 0
    for lang in LANGUAGES:
        if lang == "en":
            continue
        for name in CATALOGUES:
            missing = update(lang, name, args.check)
            total += len(missing)
            print(f"{lang}/{name}.po: {len(missing)} untranslated")
            for msg in missing[:20]:
                print(f"    {msg!r}")
    return 1 if args.check and total else 0


if __name__ == "__main__":
    sys.exit(main())
