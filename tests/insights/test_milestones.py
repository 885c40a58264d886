"""Onboarding milestones: who reached which and when, cohorts, stuck customers, outcomes,
the CS page that defines them, exports and the API."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.clock import utcnow
from app.events import Event
from app.extensions import db
from app.insights import customer_firsts, milestones
from app.insights.milestone_models import Milestone
from app.kb.models import GuideProgress
from tests.conftest import csrf_token_from, sign_in
from tests.insights.demo_seed import PASSWORD
from tests.insights.scenario import quick_user


def staff(app, role):
    client = app.test_client()
    assert sign_in(client, f"{role}@example.com", PASSWORD).status_code == 303
    return client


def names_reaching(report, milestone_name):
    milestone = next(m for m in report.milestones if m.name == milestone_name)
    return {c.name for c in report.customers if milestone.id in c.reached}


def test_demo_milestones_show_which_customers_reached_them(demo):
    now = utcnow()
    report = milestones.milestone_report(now.date() - timedelta(days=181), now.date(), now, 14)
    guide = names_reaching(report, "Finished the Set up your workspace guide")
    assert guide == {"Maya Chen", "Kenji Sato", "Layla Haddad"}
    assert {"Maya Chen", "Tom Becker"} <= names_reaching(report, "Asked a first question")
    assert "Maya Chen" in names_reaching(report, "First accepted answer")
    # Tom ticked two steps only: stuck on the guide, four months after signing up.
    stuck = {c.name: c for c in report.stuck}
    assert stuck["Tom Becker"].stuck_on.name == "Finished the Set up your workspace guide"
    assert "Maya Chen" not in stuck or stuck["Maya Chen"].stuck_on.name != report.milestones[0].name
    # Everyone signed up the same week: one cohort.
    assert len(report.cohorts) == 1 and report.cohorts[0].customers == len(report.customers)


@pytest.mark.parametrize("seek_up_to", [500, 0])  # customers looked up one by one, or a scan
def test_time_to_milestone_cohorts_and_outcomes(any_db_app, monkeypatch, seek_up_to):
    monkeypatch.setattr(customer_firsts, "SEEK_UP_TO", seek_up_to)
    signed_up = datetime(2025, 3, 3, 9, 0)  # a Monday
    fast = quick_user("fast@example.com", "customer", "Fast")
    slow = quick_user("slow@example.com", "customer", "Slow")
    never = quick_user("never@example.com", "customer", "Never")
    for user in (fast, slow, never):
        user.created_at = signed_up
    db.session.add(Milestone(name="Asked", kind="event", target="ask_posted", position=1))
    for user, days in ((fast, 2), (slow, 4)):
        for name, offset in (("article_view", 0), ("ask_posted", days)):
            db.session.add(
                Event(
                    name=name,
                    occurred_at=signed_up + timedelta(days=offset),
                    session_key=f"k{user.id}",
                    user_id=user.id,
                    data={},
                )
            )
    db.session.commit()
    now = datetime(2025, 4, 30)
    report = milestones.milestone_report(signed_up.date(), now.date(), now, 14)
    (cohort,) = report.cohorts
    cell = cohort.cells[report.milestones[0].id]
    assert (cohort.week.isoformat(), cohort.customers, cell.reached) == ("2025-03-03", 3, 2)
    assert cell.median_days == 3.0
    assert [c.name for c in report.stuck] == ["Never"]
    read = next(o for o in report.outcomes if o.key == "event:article_view")
    assert (read.reached_share, read.others_share) == (1.0, 0.0)
    assert report.outcomes[0].difference == 1.0  # what sets them apart comes first


def test_guide_milestone_needs_every_step(demo):
    guide = "set-up-your-workspace"
    tom = db.session.scalar(db.select(User.id).filter_by(email="tom.becker@example.com"))
    milestone = Milestone(name="Guide", kind="guide", target=guide, position=9)
    db.session.add(milestone)
    db.session.commit()
    assert tom not in milestones.reached_at([milestone], [tom])[milestone.id]
    steps = milestones._guide_steps(guide)
    have = set(db.session.scalars(db.select(GuideProgress.step_key).filter_by(user_id=tom)))
    for key in steps - have:
        db.session.add(GuideProgress(user_id=tom, translation_key=guide, step_key=key))
    db.session.commit()
    assert tom in milestones.reached_at([milestone], [tom])[milestone.id]


def test_cs_defines_a_milestone_and_sees_who_reached_it(demo):
    client = staff(demo, "cs_editor")
    page = client.get("/insights/milestones/")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    sent = client.post(
        "/insights/milestones/",
        data={"csrf_token": token, "name": "Read help", "target": "event:article_view"},
    )
    assert sent.status_code == 303
    html = client.get("/insights/milestones/").get_data(as_text=True)
    assert "Read help" in html and "Maya Chen" in html
    report = milestones.milestone_report(
        utcnow().date() - timedelta(days=181), utcnow().date(), utcnow(), 14
    )
    assert "Maya Chen" in names_reaching(report, "Read help")
    assert "Omar Khalil" not in names_reaching(report, "Read help")
    bad = client.post(
        "/insights/milestones/", data={"csrf_token": token, "name": "X", "target": "event:nope"}
    )
    assert bad.status_code == 400
    assert "Choose what reaching the milestone means." in bad.get_data(as_text=True)
    maya = next(c for c in report.customers if c.name == "Maya Chen")
    detail = client.get(f"/insights/milestones/customers/{maya.id}")
    assert detail.status_code == 200 and "Read help" in detail.get_data(as_text=True)


def test_product_reads_but_cannot_define(demo):
    client = staff(demo, "product")
    page = client.get("/insights/milestones/")
    assert page.status_code == 200
    assert "Define a milestone" not in page.get_data(as_text=True)
    token = csrf_token_from(client.get("/insights/tokens").get_data(as_text=True))
    sent = client.post(
        "/insights/milestones/",
        data={"csrf_token": token, "name": "X", "target": "event:article_view"},
    )
    assert sent.status_code == 403


def test_exports_and_api_include_milestones(demo):
    client = staff(demo, "product")
    start = (utcnow().date() - timedelta(days=181)).isoformat()
    body = client.get(f"/insights/export/milestones.csv?start={start}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    maya_guide = [
        r
        for r in rows
        if r["milestone"] == "Finished the Set up your workspace guide" and r["reached_at"]
    ]
    assert len(maya_guide) == 3 and all(float(r["days_to_reach"]) > 0 for r in maya_guide)
    api = client.get(f"/api/v1/insights/milestone_cohorts?start={start}").get_json()
    assert api["columns"][:2] == ["signup_week", "customers"] and api["rows"]
    outcomes = client.get(f"/api/v1/insights/milestone_outcomes?start={start}").get_json()
    assert {"event:article_view", "forum:topic"} <= {r["action"] for r in outcomes["rows"]}


def test_demo_seeding_runs_again_without_adding(demo):
    from app.insights.demo import seed_demo_insights

    again = seed_demo_insights(utcnow())
    assert (again.milestones, again.progress, again.events, again.groups) == (0, 0, 0, 0)
    assert db.session.query(Milestone).count() == 3


def test_event_milestone_outlives_pruned_events_and_live_equals_rolled(any_db_app):
    from app.insights.rollup_models import CustomerFirstEvent
    from app.insights.rollups import prune, roll_up

    signed_up = datetime(2025, 3, 3, 9, 0)
    user = quick_user("asker@example.com", "customer", "Asker")
    user.created_at = signed_up
    db.session.add(Milestone(name="Asked", kind="event", target="ask_posted", position=1))
    for day, hour in ((3, 10), (2, 15), (5, 8)):  # the first question on day 2, at 15:00
        db.session.add(
            Event(
                name="ask_posted",
                occurred_at=signed_up + timedelta(days=day, hours=hour - 9),
                session_key="k",
                user_id=user.id,
                data={},
            )
        )
    db.session.commit()
    first = datetime(2025, 3, 5, 15, 0)

    def reached(now):
        report = milestones.milestone_report(signed_up.date(), now.date(), now, 14)
        return {c.name: list(c.reached.values()) for c in report.customers}

    # Live (nothing rolled yet) on day 4: from raw events.
    assert reached(datetime(2025, 3, 7, 12)) == {"Asker": [first]}
    # Rolled up three days later: the stored first time is the live one.
    now = datetime(2025, 3, 10, 12)
    assert roll_up(now=now).days
    rows = db.session.execute(sa.select(CustomerFirstEvent.name, CustomerFirstEvent.first_at))
    assert [(n, _as_naive(w)) for n, w in rows] == [("ask_posted", first)]
    assert reached(now) == {"Asker": [first]}
    # Raw events pruned (retention 1 day): the milestone stays reached, at the same time.
    assert prune(1, now=now) == 3
    assert reached(now) == {"Asker": [first]}
    # A later question, still raw (not rolled), does not move the first one.
    db.session.add(
        Event(name="ask_posted", occurred_at=now, session_key="k", user_id=user.id, data={})
    )
    db.session.commit()
    assert reached(now) == {"Asker": [first]}
    assert customer_firsts.first_events(["ask_posted"], [user.id]) == {
        (user.id, "ask_posted"): first
    }


def _as_naive(value):
    value = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return value.replace(tzinfo=None)
