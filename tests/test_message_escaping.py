"""A translated message is text on a page, never markup (issue 18, item 5).

Jinja's own new-style gettext marks the translation safe and escapes only the values, so a
message about `<token>` or `<table>` became tags (the tokens page's `<table>` broke its
form). Every message in the catalogue that holds `<`, `>` or `&` is rendered here in every
language and must come out escaped; the values in a message stay escaped too, and a value
the template marked safe (a `<bdi>` it built) stays markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, gettext
from markupsafe import escape

POT = Path(__file__).resolve().parents[1] / "app" / "translations" / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def messages_with_markup_characters() -> list[str]:
    with POT.open("rb") as handle:
        catalog = read_po(handle)
    return sorted(
        message.id
        for message in catalog
        if isinstance(message.id, str) and message.id and re.search(r"[<>&]", message.id)
    )


def test_the_catalogue_has_such_messages():
    assert any("<token>" in message for message in messages_with_markup_characters())


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_every_message_with_angle_brackets_renders_as_text(app, locale):
    for message in messages_with_markup_characters():
        values = {name: 7 for name in PLACEHOLDER.findall(message)}
        with app.test_request_context(), force_locale(locale):
            shown = render_template_string(
                "{{ _(message, **values) }}", message=message, values=values
            )
            expected = str(escape(gettext(message, **values)))
        assert shown == expected, (locale, message, shown)
        assert "<token>" not in shown and "<table>" not in shown


def test_values_are_escaped_and_template_built_markup_is_kept(app):
    with app.test_request_context(), force_locale("en"):
        shown = render_template_string(
            "{{ _('By %(name)s', name=name) }} | {{ _('By %(name)s', name=name|bdi) }}",
            name="<b>Ada</b>",
        )
    assert shown == "By &lt;b&gt;Ada&lt;/b&gt; | By <bdi>&lt;b&gt;Ada&lt;/b&gt;</bdi>"
