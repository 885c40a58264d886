"""The Japanese and Arabic catalogs translate every UI string, with placeholders intact."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "app" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


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
