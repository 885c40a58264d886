"""Forms of the insights pages: the filter bar (GET, no CSRF), gap tasks and API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.insights.task_models import GapStatus


class FilterForm(FlaskForm):
    """Date range, language and category; validated by app.insights.filters, not here."""

    class Meta:
        csrf = False

    start = StringField(_l("From"), render_kw={"type": "date"})
    end = StringField(_l("To"), render_kw={"type": "date"})
    locale = SelectField(_l("Language"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)


class ExploreForm(FilterForm):
    q = StringField(_l("Search term"), validators=[Length(max=100)], render_kw={"maxlength": 100})


class OpenTaskForm(FlaskForm):
    locale = HiddenField(validators=[DataRequired()])
    gap_key = HiddenField(validators=[DataRequired(), Length(max=200)])
    label = HiddenField(validators=[Length(max=400)])


def status_choices() -> list[SelectChoice]:
    return [
        SelectChoice(GapStatus.OPEN.value, _l("Open")),
        SelectChoice(GapStatus.IN_PROGRESS.value, _l("In progress")),
        SelectChoice(GapStatus.ADDRESSED.value, _l("Addressed")),
        SelectChoice(GapStatus.WONT_DO.value, _l("Won't do")),
    ]


def status_labels() -> dict[str, str]:
    return {choice.value: choice.label for choice in status_choices()}


class TaskForm(FlaskForm):
    status = SelectField(_l("Status"), choices=status_choices())
    assignee = SelectField(_l("Assignee"), validate_choice=False)
    article = SelectField(_l("Addressed by article"), validate_choice=False)
    note = TextAreaField(
        _l("Note"),
        validators=[
            Optional(),
            Length(
                max=500,
                message=lazy_ngettext(
                    "Please keep the note under %(num)d character.",
                    "Please keep the note under %(num)d characters.",
                    500,
                ),
            ),
        ],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(message=_l("Give the token a name.")),
            Length(
                max=80,
                message=lazy_ngettext(
                    "Please keep the name under %(num)d character.",
                    "Please keep the name under %(num)d characters.",
                    80,
                ),
            ),
        ],
    )


class RevokeForm(FlaskForm):
    """CSRF only."""
