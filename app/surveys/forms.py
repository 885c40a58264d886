"""The survey forms: templates/surveys/_prompt.html draws the fields; Flask-WTF checks CSRF."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class AnswerForm(FlaskForm):
    score = StringField()
    comment = TextAreaField()
    next = HiddenField()


class DismissForm(FlaskForm):
    next = HiddenField()
