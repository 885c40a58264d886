"""The Japanese and Arabic catalogs translate every UI string, with placeholders intact."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# The -k options of the extract command in README.md ("Translations"), besides Babel's defaults.
EXTRACT_KEYWORDS = ["_l", "lazy_gettext", "lazy_ngettext:1,2"]


def messages(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return [m for m in read_po(handle) if m.id]


def template_ids():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("locale", ["ja", "ar"])
def test_every_message_is_translated_with_its_placeholders(locale):
    catalog = messages(locale)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog}
    assert template_ids() <= ids, "run pybabel update: the catalog misses new strings"
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{locale}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{locale}: fuzzy {message.id!r}"
        source = message.id if isinstance(message.id, str) else message.id[1]
        wanted = set(PLACEHOLDER.findall(source))
        # Arabic plural forms for 0, 1 and 2 may spell the number out.
        checked = strings if locale != "ar" or len(strings) == 1 else strings[3:]
        for text in checked:
            assert set(PLACEHOLDER.findall(text)) == wanted, f"{locale}: {message.id!r}"


def test_arabic_has_six_plural_forms():
    with open(TRANSLATIONS / "ar" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        assert read_po(handle).num_plurals == 6


def extracted_ids():
    """Every msgid (with its plural and context) that `pybabel extract` finds in the tree now."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    # babel.cfg names Jinja2's extractor by its entry point; name the function itself.
    method_map = [
        (pattern, "jinja2.ext:babel_extract" if method == "jinja2" else method)
        for pattern, method in method_map
    ]
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRACT_KEYWORDS)}
    catalog = Catalog()
    for _path, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords
    ):
        catalog.add(message, context=context)
    return {(m.id, m.context) for m in catalog if m.id}


def test_messages_pot_is_in_sync_with_the_code():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        in_pot = {(m.id, m.context) for m in read_po(handle) if m.id}
    in_code = extracted_ids()
    assert in_code == in_pot, (
        "app/translations/messages.pot is out of date: run the extract and update commands in "
        f"README.md (Translations).\nOnly in the code: {sorted(in_code - in_pot, key=str)}"
        f"\nOnly in messages.pot: {sorted(in_pot - in_code, key=str)}"
    )
