"""Forum forms; Flask-WTF adds the CSRF token to each. Length rules repeat the services' for
friendly field errors; the services enforce them regardless."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired


class HoneypotMixin:
    """A field people never see or fill (hidden by CSS, skipped by keyboard); bots fill it."""

    website = StringField(
        _l("Leave this field empty"),
        render_kw={"tabindex": "-1", "autocomplete": "off", "class": "hp-input"},
    )


class ReplyForm(HoneypotMixin, FlaskForm):
    body = TextAreaField(
        _l("Your reply"),
        validators=[DataRequired(message=_l("Please write something: the text is empty."))],
        description=_l(
            "Markdown works: **bold**, lists, `code`, [links](https://…). "
            "Mention someone with @ and their name without spaces."
        ),
    )


class EditPostForm(HoneypotMixin, FlaskForm):
    title = StringField(_l("Title"))
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(message=_l("Please write something: the text is empty."))],
    )


class ActionForm(FlaskForm):
    """Buttons that change state (vote, accept, follow, mark read): only the CSRF token."""
