"""Reordering a guide's steps: "Move up" / "Move down" without JavaScript, saving the order."""

from __future__ import annotations

import re

import pytest

from app.editor.diffing import diff_snapshots
from app.editor.drafts import (
    StepInput,
    StepMove,
    movable_step_count,
    move_step,
    parse_step_move,
)
from app.editor.errors import EditorError
from app.extensions import db
from app.kb.models import Article
from tests.conftest import reader_token
from tests.editor.conftest import action, article, edit_form, form_values

GUIDE = "set-up-your-workspace"


def step_titles(values: dict[str, str]) -> list[str]:
    count = len([name for name in values if re.fullmatch(r"steps-\d+-title", name)])
    return [values[f"steps-{i}-title"] for i in range(count)]


def step_keys(values: dict[str, str]) -> list[str]:
    count = len([name for name in values if re.fullmatch(r"steps-\d+-key", name)])
    return [values[f"steps-{i}-key"] for i in range(count)]


def move(client, guide_id: int, values: dict[str, str], button: str):
    return client.post(f"/editor/articles/{guide_id}/edit", data={**values, "move_step": button})


def test_move_without_javascript_swaps_keeps_typed_text_and_saves_nothing(editor_client):
    guide = article(slug=GUIDE)
    keys = [s.key for s in guide.steps]
    revisions = len(guide.revisions)
    values = edit_form(editor_client, guide.id)
    values["summary"] = "A summary typed but not saved"
    values["steps-1-title"] = "Typed second title"
    values["steps-1-body"] = "Typed second text"

    response = move(editor_client, guide.id, values, "1:up")

    assert response.status_code == 200
    again = form_values(response.text)
    assert again["summary"] == "A summary typed but not saved"
    assert again["steps-0-title"] == "Typed second title"
    assert again["steps-0-body"] == "Typed second text"
    assert again["steps-1-title"] == values["steps-0-title"]
    assert step_keys(again)[: len(keys)] == [keys[1], keys[0], *keys[2:]]
    assert again["base_revision"] == values["base_revision"]
    # The moved step keeps the focus (its "Move up" is gone at the top) and it is announced.
    html = response.text
    assert re.search(r'value="0:down"[^>]*\bautofocus\b', html)
    assert "Step moved to position 1" in html
    assert 'value="0:up" class="button-secondary" data-move="up" hidden' in html
    # Nothing was saved.
    stored = article(slug=GUIDE)
    assert len(stored.revisions) == revisions
    assert [s.key for s in stored.steps] == keys


def test_buttons_only_where_a_move_makes_sense(editor_client):
    guide = article(slug=GUIDE)
    count = len(guide.steps)
    html = editor_client.get(f"/editor/articles/{guide.id}/edit").text
    hidden = set(re.findall(r'value="(\d+:(?:up|down))"[^>]*\bhidden\b', html))
    shown = set(re.findall(r'value="(\d+:(?:up|down))"(?:(?!\bhidden\b)[^>])*>', html))
    assert hidden == {"0:up", f"{count - 1}:down", f"{count}:up", f"{count}:down"}  # + empty row
    assert shown == {f"{i}:up" for i in range(1, count)} | {f"{i}:down" for i in range(count - 1)}
    assert "Move down: step 1" in html and f"Move up: step {count}" in html
    # Enter in a text field submits with the first submit button: it must be "Save".
    form = html[html.index('class="editor-form"') :]
    assert re.search(r"<button\b[^>]*>", form).group(0).count('value="save"') == 1


def test_save_after_move_stores_order_keys_and_progress(editor_client, demo_app):
    guide = article(slug=GUIDE)
    keys = [s.key for s in guide.steps]
    titles = [s.title for s in guide.steps]
    reader = demo_app.test_client()
    assert reader.get(f"/en/articles/{GUIDE}").status_code == 200
    reader.post(
        f"/en/articles/{GUIDE}/steps/{keys[0]}",
        data={"csrf_token": reader_token(reader), "done": "1"},
    )

    values = form_values(
        move(editor_client, guide.id, edit_form(editor_client, guide.id), "0:down").text
    )
    values = form_values(move(editor_client, guide.id, values, "1:down").text)
    assert step_titles(values)[: len(titles)] == [titles[1], titles[2], titles[0], *titles[3:]]
    values["action"] = "save"
    assert editor_client.post(f"/editor/articles/{guide.id}/edit", data=values).status_code == 303

    pending = article(slug=GUIDE).revisions[-1]
    assert [s["key"] for s in pending.snapshot["steps"]] == [keys[1], keys[2], keys[0], *keys[3:]]
    assert "steps" in pending.changed_fields
    diff = editor_client.get(f"/editor/articles/{guide.id}/diff").text
    assert "Order of the steps" in diff and f"{titles[0]} [{keys[0]}]" in diff

    action(editor_client, f"/editor/articles/{guide.id}/publish")
    stored = article(slug=GUIDE).steps
    assert [s.key for s in stored] == [keys[1], keys[2], keys[0], *keys[3:]]
    assert [s.position for s in stored] == list(range(1, len(keys) + 1))
    public = reader.get(f"/en/articles/{GUIDE}").text
    shown = re.findall(r'<li class="step[^"]*" id="step-([^"]+)"', public)
    assert shown == [keys[1], keys[2], keys[0], *keys[3:]]
    assert f'<li class="step step-done" id="step-{keys[0]}"' in public  # progress kept


@pytest.mark.parametrize(
    "button",
    ["99:down", "4:down", "5:up", "0:up", "-1:down", "abc:up", "1:sideways", "", ":", "²:up",
     "1" * 40 + ":up", "1:up:down"],
)  # fmt: skip
def test_bad_moves_rerender_the_form_with_a_400(editor_client, button):
    guide = article(slug=GUIDE)
    assert len(guide.steps) == 5  # 4:down and 5:up would move into / out of the empty row
    values = edit_form(editor_client, guide.id)
    values["steps-2-title"] = "Still here"
    response = move(editor_client, guide.id, values, button)
    assert response.status_code == 400
    assert "That step cannot be moved there." in response.text
    assert form_values(response.text)["steps-2-title"] == "Still here"
    assert len(article(slug=GUIDE).revisions) == len(guide.revisions)


def new_guide_values(client, url: str = "/editor/articles/new") -> dict[str, str]:
    values = form_values(client.get(url).text)
    values.update(
        {
            "title": "Print a timeline",
            "summary": "Print your timeline on paper.",
            "category": "getting-started",
            "kind": "guide",
            "slug": "print-a-timeline",
            "steps-0-title": "Open the timeline",
            "steps-0-body": "Choose **Timeline**.",
        }
    )
    return values


def test_moving_with_one_step_is_refused_and_creates_nothing(editor_client):
    values = new_guide_values(editor_client)
    for button in ("0:down", "0:up", "1:up"):
        response = editor_client.post("/editor/articles/new", data={**values, "move_step": button})
        assert response.status_code == 400, button
        assert "That step cannot be moved there." in response.text
        assert form_values(response.text)["steps-0-title"] == "Open the timeline"
    values["steps-1-title"] = "Print it"
    response = editor_client.post("/editor/articles/new", data={**values, "move_step": "1:up"})
    assert response.status_code == 200
    assert step_titles(form_values(response.text))[:2] == ["Print it", "Open the timeline"]
    assert db.session.query(Article).filter_by(slug="print-a-timeline").count() == 0


def test_move_in_a_new_translation_does_not_create_it(editor_client):
    values = new_guide_values(editor_client)
    values["steps-1-title"] = "Print it"
    values["action"] = "save"
    assert editor_client.post("/editor/articles/new", data=values).status_code == 303
    source = article(slug="print-a-timeline")
    url = f"/editor/articles/{source.id}/translate/ja"
    theirs = form_values(editor_client.get(url).text)
    response = editor_client.post(url, data={**theirs, "move_step": "0:down"})
    assert response.status_code == 200
    assert step_titles(form_values(response.text))[:2] == ["Print it", "Open the timeline"]
    assert editor_client.get(url).status_code == 200  # still no translation: no redirect


def test_move_needs_csrf(editor_client):
    guide = article(slug=GUIDE)
    values = edit_form(editor_client, guide.id)
    values["csrf_token"] = "forged"
    assert move(editor_client, guide.id, values, "1:up").status_code == 400


def steps(*titles: str) -> list[StepInput]:
    return [StepInput(key=t.lower(), title=t) for t in titles]


def test_move_step_rules():
    assert parse_step_move("2:down") == StepMove(2, "down")
    assert movable_step_count(steps("A", "", "B", "", "")) == 3
    assert movable_step_count(steps("", "")) == 0
    moved = move_step(steps("A", "B", "C", ""), StepMove(2, "up"))
    assert [s.key for s in moved] == ["a", "c", "b", ""]
    with pytest.raises(EditorError):
        move_step(steps("A", "B", ""), StepMove(1, "down"))  # into the empty row
    assert StepMove(1, "up").focus_direction(3) == "down"  # now first: no "Move up"
    assert StepMove(1, "down").focus_direction(3) == "up"  # now last: no "Move down"
    assert StepMove(0, "down").focus_direction(3) == "down"


def test_diff_shows_the_new_order():
    a = {"key": "a", "title": "Alpha", "body": "x"}
    b = {"key": "b", "title": "Beta", "body": "y"}
    c = {"key": "c", "title": "Gamma", "body": "z"}
    diffs = diff_snapshots({"steps": [a, b, c]}, {"steps": [b, a, c]})
    assert [d.name for d in diffs] == ["step_order", "steps"]
    assert "Alpha [a]" in diffs[0].html and "<ins>" in diffs[0].html
    added = diff_snapshots({"steps": [a, b]}, {"steps": [a, b, c]})
    assert [d.name for d in added] == ["steps"]  # a new step is not a change of order
