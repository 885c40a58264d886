"""The ask form, the "Post my question" form and the "Yes, I don't need to post" form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.ask import services as ask


class AskForm(FlaskForm):
    """A new question. Categories are set per request; `website` is the honeypot."""

    title = StringField(
        _l("Title"),
        description=_l(
            "Describe your question in one sentence. Matching answers appear as you type."
        ),
    )
    category = SelectField(_l("Category"), coerce=str, validate_choice=False)
    tags = StringField(
        _l("Tags (optional)"),
        description=lazy_ngettext(
            "Up to %(num)d, separated by commas.",
            "Up to %(num)d, separated by commas.",
            ask.TAGS_MAX,
        ),
    )
    body = TextAreaField(_l("Details"), description=_l("Markdown works: **bold**, lists, `code`."))
    website = StringField(_l("Leave this field empty"))
    flow = HiddenField()

    def __init__(self, *args, choices: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(value, label) for value, label in choices]
        self.parsed_tags: list[str] = []

    def validate_title(self, field: StringField) -> None:
        field.data = ask.clean_title(field.data or "")
        if not ask.has_visible_text(field.data):
            raise ValidationError(_l("Enter a title for your question."))
        limit = ask.title_max()
        if len(field.data) > limit:
            raise ValidationError(
                ngettext(
                    "Keep the title under %(num)d character (it has %(count)d).",
                    "Keep the title under %(num)d characters (it has %(count)d).",
                    limit,
                    count=len(field.data),
                )
            )

    def validate_category(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a category."))

    def validate_tags(self, field: StringField) -> None:
        try:
            self.parsed_tags = ask.parse_tags(field.data or "")
        except ask.AskInputError as error:
            if error.code == "too_many_tags":
                raise ValidationError(
                    ngettext(
                        "Use at most %(num)d tag.",
                        "Use at most %(num)d tags.",
                        error.details["max"],
                    )
                ) from None
            raise ValidationError(
                ngettext(
                    "Keep each tag under %(num)d character.",
                    "Keep each tag under %(num)d characters.",
                    error.details["max"],
                )
            ) from None

    def validate_body(self, field: TextAreaField) -> None:
        field.data = ask.clean_body(field.data or "")
        if not ask.has_visible_text(field.data):
            raise ValidationError(_l("Describe your question: what did you try, what happened?"))
        limit = ask.body_max()
        if len(field.data) > limit:
            raise ValidationError(
                ngettext(
                    "Keep the details under %(num)d character (they have %(count)d).",
                    "Keep the details under %(num)d characters (they have %(count)d).",
                    limit,
                    count=len(field.data),
                )
            )


class PostDraftForm(FlaskForm):
    """The preview's "Post my question": only the flow token, the draft is on the server."""

    flow = HiddenField()


class AnsweredForm(FlaskForm):
    """The banner's "Yes, I don't need to post"."""

    flow = HiddenField()


class DiscardDraftForm(FlaskForm):
    """ "Discard it and start a new question": the restored draft's flow, and a title the
    visitor came with (from a search), which the new question keeps."""

    flow = HiddenField()
    title = HiddenField()
