"""What an editor typed → validated ArticleFields, in the exact form content files hold."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from app.editor.errors import EditorError
from app.editor.slugs import slugify, suggest_slug
from app.kb.content_files import (
    SLUG_PATTERN,
    STEP_KEY_PATTERN,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    ArticleFields,
    ContentFileError,
    StepFields,
    format_article,
    normalize_markdown,
    parse_article,
)
from app.kb.models import ArticleKind

STEPS_MAX = 30
STEP_MOVES = {"up": -1, "down": 1}  # the "Move up" / "Move down" buttons of the step editor


@dataclass
class StepInput:
    key: str = ""
    title: str = ""
    body: str = ""


@dataclass
class DraftInput:
    """The edit form's values, before validation."""

    locale: str
    slug: str
    title: str
    summary: str
    kind: str
    body: str
    tags: str = ""  # comma-separated
    translation_key: str = ""
    steps: list[StepInput] = field(default_factory=list)


@dataclass(frozen=True)
class StepMove:
    """One press of "Move up" or "Move down": the step at `index` trades places with a neighbour."""

    index: int
    direction: str

    @property
    def target(self) -> int:
        return self.index + STEP_MOVES[self.direction]

    def focus_direction(self, count: int) -> str:
        """Which button of the moved step keeps the focus: the one pressed, unless the step
        reached the end it pointed to (then that button is hidden and the other one is used)."""
        if self.direction == "up":
            return "up" if self.target > 0 else "down"
        return "down" if self.target < count - 1 else "up"


def body_limit() -> int:
    return current_app.config["EDITOR_BODY_MAX"]


def clean_text(value: str | None) -> str:
    """Drop NUL and other control characters a database or YAML file cannot hold."""
    value = value or ""
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def one_line(value: str | None) -> str:
    return " ".join(clean_text(value).split())


def with_generated_slug(data: DraftInput, fallback: str = "article") -> DraftInput:
    """An empty URL name becomes one made from the title, unique in the article's language."""
    if one_line(data.slug):
        return data
    return replace(data, slug=suggest_slug(one_line(data.title), data.locale, fallback))


def parse_tags(raw: str) -> tuple[str, ...]:
    tags = tuple(dict.fromkeys(t for t in (one_line(p) for p in raw.split(",")) if t))
    if len(tags) > TAGS_MAX or any(len(t) > TAG_MAX for t in tags):
        raise EditorError(
            _(
                "Use at most %(tags)s of at most %(characters)s each.",
                tags=ngettext("%(num)d tag", "%(num)d tags", TAGS_MAX),
                characters=ngettext("%(num)d character", "%(num)d characters", TAG_MAX),
            ),
            field="tags",
        )
    return tags


def step_is_filled(step: StepInput) -> bool:
    """A step with neither a title nor text is dropped when the article is saved."""
    return bool(one_line(step.title) or clean_text(step.body).strip())


def movable_step_count(steps: list[StepInput]) -> int:
    """How many rows can be reordered: up to the last filled step. The empty rows after it
    are there to add a step, so nothing moves into or out of them."""
    filled = [index for index, step in enumerate(steps) if step_is_filled(step)]
    return filled[-1] + 1 if filled else 0


def _cannot_move() -> EditorError:
    return EditorError(_("That step cannot be moved there."), field="steps")


def parse_step_move(value: str | None) -> StepMove:
    """A move button's value, "<index>:up" or "<index>:down"; EditorError if malformed."""
    index, _sep, direction = (value or "").partition(":")
    if not (index.isascii() and index.isdigit() and len(index) <= 3) or direction not in STEP_MOVES:
        raise _cannot_move()
    return StepMove(int(index), direction)


def move_step(steps: list[StepInput], move: StepMove) -> list[StepInput]:
    """The steps with one swapped with its neighbour, keys and all; nothing else changes."""
    count = movable_step_count(steps)
    if not (0 <= move.index < count and 0 <= move.target < count):
        raise _cannot_move()
    moved = list(steps)
    moved[move.index], moved[move.target] = moved[move.target], moved[move.index]
    return moved


def _steps(raw: list[StepInput], kind: str) -> tuple[StepFields, ...]:
    filled = [s for s in raw if step_is_filled(s)]
    if kind != ArticleKind.GUIDE.value:
        return ()
    if not filled:
        raise EditorError(_("A guide needs at least one step with a title."), field="steps")
    if len(filled) > STEPS_MAX:
        raise EditorError(
            ngettext(
                "A guide can have at most %(num)d step.",
                "A guide can have at most %(num)d steps.",
                STEPS_MAX,
            ),
            field="steps",
        )
    steps, keys = [], set()
    for number, step in enumerate(filled, start=1):
        title = one_line(step.title)
        if not title or len(title) > TITLE_MAX:
            raise EditorError(
                ngettext(
                    "Step %(number)s needs a title of at most %(num)d character.",
                    "Step %(number)s needs a title of at most %(num)d characters.",
                    TITLE_MAX,
                    number=number,
                ),
                field="steps",
            )
        key = one_line(step.key).lower() or slugify(title, f"step-{number}")
        if key in keys:
            key = f"{key}-{number}"[:80]
        if not STEP_KEY_PATTERN.match(key) or key in keys:
            raise EditorError(
                _(
                    "Step %(number)s needs a unique key of lower-case letters, digits and dashes.",
                    number=number,
                ),
                field="steps",
            )
        keys.add(key)
        body = normalize_markdown(clean_text(step.body))
        if len(body) > body_limit():
            raise EditorError(_("Step %(number)s is too long.", number=number), field="steps")
        steps.append(StepFields(key=key, title=title, body=body))
    return tuple(steps)


def build_fields(data: DraftInput, category_slug: str, status: str) -> ArticleFields:
    """Validate the editor's input; raises EditorError naming the field at fault."""
    title = one_line(data.title)
    if not title:
        raise EditorError(_("Give the article a title."), field="title")
    if len(title) > TITLE_MAX:
        raise EditorError(
            ngettext(
                "The title is longer than %(num)d character.",
                "The title is longer than %(num)d characters.",
                TITLE_MAX,
            ),
            field="title",
        )
    summary = one_line(data.summary)
    if not summary:
        raise EditorError(_("Write a one-sentence summary."), field="summary")
    if len(summary) > SUMMARY_MAX:
        raise EditorError(
            ngettext(
                "The summary is longer than %(num)d character.",
                "The summary is longer than %(num)d characters.",
                SUMMARY_MAX,
            ),
            field="summary",
        )
    slug = one_line(data.slug).lower()
    if not SLUG_PATTERN.match(slug):
        raise EditorError(
            _("The URL name may use lower-case letters, digits and dashes (at most 120)."),
            field="slug",
        )
    kind = data.kind if data.kind in {k.value for k in ArticleKind} else ""
    if not kind:
        raise EditorError(_("Choose FAQ or guide."), field="kind")
    body = normalize_markdown(clean_text(data.body))
    if len(body) > body_limit():
        raise EditorError(
            ngettext(
                "The text is %(length)s character long; the limit is %(size)s. Split it into "
                "several articles.",
                "The text is %(length)s characters long; the limit is %(size)s. Split it into "
                "several articles.",
                len(body),
                length=f"{len(body):,}",
                size=f"{body_limit():,}",
            ),
            field="body",
        )
    translation_key = one_line(data.translation_key).lower() or slug
    if not SLUG_PATTERN.match(translation_key):
        raise EditorError(_("The translation key must look like a URL name."), field="slug")
    fields = ArticleFields(
        locale=data.locale,
        slug=slug,
        category=category_slug,
        title=title,
        translation_key=translation_key,
        kind=kind,
        summary=summary,
        body=body,
        tags=parse_tags(data.tags),
        status=status,
        steps=_steps(data.steps, kind),
    )
    ensure_round_trip(fields)
    return fields


def ensure_round_trip(fields: ArticleFields) -> None:
    """What is saved must export to a content file and import back identical."""
    try:
        again = parse_article(
            format_article(fields),
            locale=fields.locale,
            category=fields.category,
            slug=fields.slug,
        )
    except ContentFileError:
        again = None
    if again != fields:
        raise EditorError(
            _(
                "This text cannot be stored as a content file. Check the title and steps for "
                "unusual characters."
            ),
            field="body",
        )


def fields_to_input(fields: ArticleFields) -> DraftInput:
    """The other way: stored fields as form values (for editing, restoring, conflicts)."""
    return DraftInput(
        locale=fields.locale,
        slug=fields.slug,
        title=fields.title,
        summary=fields.summary,
        kind=fields.kind,
        body=fields.body,
        tags=", ".join(fields.tags),
        translation_key=fields.translation_key,
        steps=[StepInput(s.key, s.title, s.body) for s in fields.steps],
    )
