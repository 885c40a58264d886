"""Editor forms. Validation that matters (lengths, slugs, steps) lives in app/editor/drafts.py,
so the browser, content files and knowledge capture all obey the same rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from app.editor.drafts import (
    DraftInput,
    StepInput,
    StepMove,
    movable_step_count,
    move_step,
    parse_step_move,
)
from app.kb.models import ArticleKind


def kind_choices() -> list[SelectChoice]:
    return [
        SelectChoice(ArticleKind.FAQ.value, _l("FAQ")),
        SelectChoice(ArticleKind.GUIDE.value, _l("Guide")),
    ]


class StepForm(Form):
    """One guide step; a step whose title and text are both empty is dropped."""

    key = StringField(_l("Step key"), validators=[Optional()])
    title = StringField(_l("Step title"), validators=[Optional()])
    body = TextAreaField(_l("Step text (Markdown)"), validators=[Optional()])


class ArticleForm(FlaskForm):
    locale = SelectField(_l("Language"), validators=[Optional()], validate_choice=False)
    title = StringField(_l("Title"))
    summary = StringField(_l("Summary"), description=_l("One sentence shown in lists and search."))
    category = SelectField(_l("Category"), coerce=str, validate_choice=False)
    kind = SelectField(_l("Kind"), choices=kind_choices(), validate_choice=False)
    tags = StringField(_l("Tags"), description=_l("Separate tags with commas."))
    slug = StringField(
        _l("URL name"),
        description=_l(
            "Lower-case letters, digits and dashes. Old URLs keep working. Left empty, it is "
            "made from the title."
        ),
    )
    body = TextAreaField(_l("Text (Markdown)"))
    steps = FieldList(FormField(StepForm), min_entries=0)
    base_revision = HiddenField()
    source_revision = HiddenField()
    in_sync = BooleanField(_l("This translation matches the current source text"))

    def to_input(self, locale: str, translation_key: str = "") -> DraftInput:
        return DraftInput(
            locale=locale,
            slug=self.slug.data or "",
            title=self.title.data or "",
            summary=self.summary.data or "",
            kind=self.kind.data or "",
            body=self.body.data or "",
            tags=self.tags.data or "",
            translation_key=translation_key,
            steps=self.step_inputs(),
        )

    def step_inputs(self) -> list[StepInput]:
        return [
            StepInput(s.form.key.data or "", s.form.title.data or "", s.form.body.data or "")
            for s in self.steps
        ]

    def _set_steps(self, steps: list[StepInput]) -> None:
        while len(self.steps):
            self.steps.pop_entry()
        for step in steps:
            self.steps.append_entry({"key": step.key, "title": step.title, "body": step.body})

    def fill(self, data: DraftInput, category_slug: str) -> None:
        """Put stored values in the form (GET, restore, conflicts)."""
        self.title.data, self.summary.data = data.title, data.summary
        self.kind.data, self.tags.data, self.slug.data = data.kind, data.tags, data.slug
        self.body.data, self.category.data = data.body, category_slug
        self._set_steps(data.steps)

    def add_blank_step(self) -> None:
        """One empty step row, so a step can be added without JavaScript."""
        self.steps.append_entry({})

    def move_step(self, value: str | None) -> StepMove:
        """A "Move up/down" button without JavaScript: swap two steps, keeping everything
        typed (keys travel with their steps). Raises EditorError for a move that cannot be."""
        move = parse_step_move(value)
        self._set_steps(move_step(self.step_inputs(), move))
        return move

    def movable_step_count(self) -> int:
        return movable_step_count(self.step_inputs())

    def base_number(self) -> int | None:
        try:
            return int(self.base_revision.data)
        except (TypeError, ValueError):
            return None


class ActionForm(FlaskForm):
    """A CSRF-protected button: submit, publish, archive, restore, capture…"""


class ScheduleForm(FlaskForm):
    publish_at = DateTimeLocalField(
        _l("Publish at (UTC)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )


class SynonymForm(FlaskForm):
    synonym_id = IntegerField(validators=[Optional()])
    term = StringField(_l("Word or phrase"))
    synonyms = StringField(_l("Means the same as"), description=_l("Separate words with commas."))


class MediaForm(FlaskForm):
    file = FileField(_l("Image (PNG, JPEG, GIF or WebP)"))
    article_id = HiddenField()


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"))
