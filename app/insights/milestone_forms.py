"""The form CS defines an onboarding milestone with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class MilestoneForm(FlaskForm):
    name = StringField(
        _l("Milestone name"),
        validators=[
            DataRequired(message=_l("Give the milestone a name.")),
            Length(
                max=120,
                message=lazy_ngettext(
                    "Please keep the name under %(num)d character.",
                    "Please keep the name under %(num)d characters.",
                    120,
                ),
            ),
        ],
        render_kw={"maxlength": 120},
    )
    target = SelectField(_l("Reached when the customer"), validate_choice=False)


class RemoveMilestoneForm(FlaskForm):
    """CSRF only."""
