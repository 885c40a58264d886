"""Forms for flagging posts and for moderator actions (each action needs a reason)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.moderation.services import NOTE_MAX, REASON_MAX


def flag_reason_choices() -> list[SelectChoice]:
    return [
        SelectChoice("spam", _l("Spam or advertising")),
        SelectChoice("offensive", _l("Rude or offensive")),
        SelectChoice("off_topic", _l("Off topic")),
        SelectChoice("other", _l("Something else")),
    ]


class FlagForm(FlaskForm):
    reason = SelectField(
        _l("Why are you flagging this post?"),
        choices=flag_reason_choices(),
        validators=[DataRequired(message=_l("Choose a reason."))],
    )
    note = TextAreaField(
        _l("Anything moderators should know? (optional)"),
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX,
                message=lazy_ngettext(
                    "Keep it under %(num)d character.",
                    "Keep it under %(num)d characters.",
                    NOTE_MAX,
                ),
            ),
        ],
    )
    next = HiddenField()


class ReasonForm(FlaskForm):
    """Every moderator action: a required reason, written to the moderation log."""

    reason = StringField(
        _l("Reason (shown in the moderation log)"),
        validators=[
            DataRequired(message=_l("Give a reason for this action.")),
            Length(
                max=REASON_MAX,
                message=lazy_ngettext(
                    "Keep the reason under %(num)d character.",
                    "Keep the reason under %(num)d characters.",
                    REASON_MAX,
                ),
            ),
        ],
    )
    next = HiddenField()


class MoveTopicForm(ReasonForm):
    category_id = SelectField(
        _l("Move to category"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose a category."))],
    )


class SuspendForm(ReasonForm):
    hide_posts = BooleanField(_l("Also hide all of this person's posts"))
