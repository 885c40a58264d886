"""Forms on article pages; Flask-WTF adds the CSRF token to each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional


class HelpfulVoteForm(FlaskForm):
    helpful = HiddenField(validators=[DataRequired(), AnyOf(["yes", "no"])])


def reason_choices() -> list[SelectChoice]:
    return [
        SelectChoice("outdated", _l("It is out of date")),
        SelectChoice("unclear", _l("It is unclear")),
        SelectChoice("did_not_solve", _l("It did not solve my problem")),
        SelectChoice("missing_information", _l("Information is missing")),
    ]


class FeedbackDetailsForm(FlaskForm):
    reason = RadioField(_l("What went wrong?"), choices=reason_choices(), validators=[Optional()])
    comment = TextAreaField(
        _l("Anything else we should know? (optional)"),
        validators=[
            Optional(),
            Length(
                max=2000,
                message=lazy_ngettext(
                    "Please keep your comment under %(num)d character.",
                    "Please keep your comment under %(num)d characters.",
                    2000,
                ),
            ),
        ],
    )


class GuideStepForm(FlaskForm):
    done = HiddenField(validators=[DataRequired(), AnyOf(["1", "0"])])
