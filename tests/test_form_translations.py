"""WTForms' own messages stay in the visitor's language while each catalog is read once."""

from __future__ import annotations

from babel import support
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])


def required_message(app, path: str) -> str:
    """The required-field message of a form built on `path` (a page of one language)."""
    with app.app_context(), app.test_request_context(path):  # a fresh `g`, as per request
        app.preprocess_request()
        form = NameForm(formdata=MultiDict(), meta={"csrf": False})
        assert not form.validate()
        return form.name.errors[0]


def test_wtforms_messages_in_each_language_from_one_read_per_language(app, monkeypatch):
    reads = []
    load = support.Translations.load

    def counted(*args, **kwargs):
        reads.append(args)
        return load(*args, **kwargs)

    monkeypatch.setattr(support.Translations, "load", counted)
    for _ in range(3):
        assert required_message(app, "/ja/") == "このフィールドは必須です。"
        assert required_message(app, "/ar/") == "هذا الحقل مطلوب."
        assert required_message(app, "/en/") == "This field is required."
    assert len(reads) == 3  # one per language, not one per request
