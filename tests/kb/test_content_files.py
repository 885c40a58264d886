"""Parsing and writing content files."""

import pytest

from app.kb.content_files import ContentFileError, format_article, parse_article

VALID = """---
title: How do I reset my password?
translation_key: reset-your-password
kind: faq
summary: Use the link on the sign-in page.
tags: [password, sign-in]
---
## Steps

Click **Forgot password?**
"""

GUIDE = """---
title: Set up your workspace
translation_key: set-up
kind: guide
summary: Five steps.
steps:
  - key: name-it
    title: Name it
    body: |
      Pick a **name**.

      Then save.
  - key: invite
    title: Invite
---
Intro.
"""


def parse(text, slug="reset-your-password"):
    return parse_article(text, locale="en", category="account", slug=slug)


def test_valid_file_parses_with_defaults():
    fields = parse(VALID)
    assert fields.title == "How do I reset my password?"
    assert fields.status == "published"
    assert fields.tags == ("password", "sign-in")
    assert fields.body.startswith("## Steps")


def test_guide_steps_keep_order_and_markdown():
    fields = parse(GUIDE, slug="set-up")
    assert [s.key for s in fields.steps] == ["name-it", "invite"]
    assert fields.steps[0].body == "Pick a **name**.\n\nThen save."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no front matter", "must start with"),
        ("---\ntitle: [unclosed\n---\nbody", "not valid YAML"),
        ("---\n- a list\n---\nbody", "mapping"),
        (VALID.replace("kind: faq", "kind: recipe"), "'kind' must be"),
        (VALID.replace("summary: Use the link on the sign-in page.\n", ""), "missing"),
        (VALID.replace("tags: [password, sign-in]", "tags: 3"), "'tags'"),
        (VALID.replace("kind: faq", "kind: faq\ncolour: red"), "unknown front matter"),
        (VALID.replace("---\n## Steps", "## Steps"), "closing"),
        (GUIDE.replace("key: invite", "key: name-it"), "unique"),
        (VALID + "", None),
    ],
)
def test_broken_files_say_why(text, reason):
    if reason is None:
        parse(text)
        return
    with pytest.raises(ContentFileError, match=reason):
        parse(text)


def test_format_then_parse_is_lossless():
    for text, slug in ((VALID, "reset-your-password"), (GUIDE, "set-up")):
        fields = parse(text, slug=slug)
        again = parse(format_article(fields), slug=slug)
        assert again == fields
        assert again.digest() == fields.digest()


def test_unicode_survives_round_trip():
    text = VALID.replace(
        "How do I reset my password?", '"パスワードを再設定するには: 「再設定」"'
    ).replace("Click", "انقر على")
    fields = parse(text)
    assert parse(format_article(fields)) == fields
