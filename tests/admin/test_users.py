"""The admin user list (/admin/users): search, filters, and role changes with their rules."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.accounts.models import Role, User
from app.admin import users as admin
from app.audit import AuditEntry
from app.extensions import db
from tests.accounts.conftest import token_for
from tests.conftest import NAUGHTY_SAMPLE, make_user, naughty_chunks, sign_in
from tests.test_naughty_strings import assert_handled

USERS = "/admin/users"


def role_url(user_id: int) -> str:
    return f"/admin/users/{user_id}/role"


def add_user(email: str, role: str = "customer", name: str | None = None, days_ago: int = 0):
    """A user whose account is `days_ago` days old (the list is newest first)."""
    user = make_user(email=email, role=role, name=name or email.split("@")[0])
    user.created_at = datetime(2026, 1, 31) - timedelta(days=days_ago)
    db.session.commit()
    return user


@pytest.fixture
def boss(app):
    return add_user("boss@example.com", "admin", "Boss", days_ago=30)


@pytest.fixture
def admin_client(client, boss):
    sign_in(client, boss.email)
    return client


def role_logs() -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.area == "admin", AuditEntry.action == "role_change")
    ).all()


def role_of(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).role


def rows_of(html: str) -> str:
    """The table body: the header shows the signed-in admin's name too."""
    return html.partition("<tbody>")[2].partition("</tbody>")[0]


def change(client, user_id: int, role: str, **extra):
    csrf = token_for(client, USERS)
    return client.post(role_url(user_id), data={"role": role, "csrf_token": csrf, **extra})


# --- The list -----------------------------------------------------------------------------


def test_list_shows_every_account_newest_first_with_labels(admin_client, boss):
    add_user("old@example.com", "moderator", "Olga", days_ago=20)
    newer = add_user("new@example.com", "cs_editor", "Nina", days_ago=1)
    newer.is_suspended = True
    db.session.commit()

    html = admin_client.get(USERS).get_data(as_text=True)

    rows = rows_of(html)
    assert rows.index("Nina") < rows.index("Olga") < rows.index("Boss")
    assert "Customer success editor" in html and "Moderator" in html
    assert "Administrator" in html and "3 accounts" in html
    assert "Suspended" in html and "Active" in html
    assert 'datetime="2026-01-30T00:00:00Z"' in html and "Jan 30, 2026" in html
    assert "<caption" in html and '<label for="users-q">' in html
    assert f'for="role-{newer.id}"' in html  # every role select has a label
    assert f'action="{role_url(boss.id)}"' not in html  # no form for one's own role
    assert 'aria-current="page">Users and roles</a>' in html


def test_search_matches_email_or_name_in_any_case(admin_client):
    add_user("maya.chen@example.com", name="Maya Chen")
    add_user("first_last@example.com", name="Kenji")
    add_user("firstxlast@example.com", name="Layla")

    def names(**args) -> set[str]:
        html = rows_of(admin_client.get(USERS, query_string=args).get_data(as_text=True))
        return {n for n in ("Maya Chen", "Kenji", "Layla", "Boss") if n in html}

    assert names(q="MAYA") == {"Maya Chen"}
    assert names(q="chen@EXAMPLE") == {"Maya Chen"}
    assert names(q="layla") == {"Layla"}
    assert names(q="first_last") == {"Kenji"}  # "_" is a character, not a wildcard
    assert names(q="%") == set()
    assert names(q="   ") == {"Maya Chen", "Kenji", "Layla", "Boss"}
    assert "No account matches these filters." in admin_client.get(
        USERS, query_string={"q": "nobody"}
    ).get_data(as_text=True)


def test_filter_by_role(admin_client):
    add_user("mod@example.com", "moderator", "Mona")
    add_user("pat@example.com", "product", "Pat")

    moderators = admin_client.get(USERS, query_string={"role": "moderator"}).get_data(as_text=True)
    assert "Mona" in moderators and "Pat" not in moderators and "1 account" in moderators
    assert '<option value="moderator" selected>' in moderators
    everyone = admin_client.get(USERS, query_string={"role": "root"}).get_data(as_text=True)
    assert "Mona" in everyone and "Pat" in everyone  # an unknown role filters nothing


def test_pages_keep_the_search(admin_client, monkeypatch):
    monkeypatch.setattr(admin, "PAGE_SIZE", 2)
    for number in range(5):
        add_user(f"user{number}@example.com", name=f"User {number}", days_ago=number)

    first = admin_client.get(USERS, query_string={"q": "user"}).get_data(as_text=True)
    assert "User 0" in first and "User 2" not in first and "Page 1 of 3" in first
    assert 'href="/admin/users?q=user&amp;page=2" rel="next"' in first
    last = admin_client.get(USERS, query_string={"q": "user", "page": 3}).get_data(as_text=True)
    assert "User 4" in last and "User 3" not in last
    for page in ("0", "-5", "x", "9" * 5000, str(10**30)):
        assert admin_client.get(USERS, query_string={"page": page}).status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("naughty_strings", naughty_chunks(NAUGHTY_SAMPLE))
def test_naughty_strings_in_the_search_box(admin_client, naughty_strings):
    for text in naughty_strings:
        response = admin_client.get(USERS, query_string={"q": text, "role": text, "page": text})
        assert_handled(response)
        assert response.status_code == 200
    huge = admin_client.get(USERS, query_string={"q": "a" * 100_000})
    assert huge.status_code == 200


# --- Changing a role ----------------------------------------------------------------------


def test_admin_changes_a_role_and_it_is_logged(admin_client, boss):
    ada = add_user("ada@example.com", name="Ada")

    response = change(admin_client, ada.id, "moderator", q="ada", filter_role="customer", page="1")

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users?q=ada&role=customer"
    assert role_of(ada.id) == "moderator"
    [entry] = role_logs()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (boss.id, "user", ada.id)
    assert entry.reason == "customer → moderator" and entry.created_at is not None
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada now has the role Moderator." in page


def test_the_moderation_log_shows_a_role_change(admin_client):
    ada = add_user("ada@example.com", name="Ada")
    change(admin_client, ada.id, "cs_editor")

    html = admin_client.get("/moderation/log").get_data(as_text=True)

    assert "Role changed" in html
    assert "From Customer to Customer success editor" in html
    assert f'href="/moderation/users/{ada.id}"><bdi>Ada</bdi></a>' in html


def test_the_same_role_again_changes_nothing(admin_client):
    ada = add_user("ada@example.com", name="Ada")
    response = change(admin_client, ada.id, "customer")
    assert response.status_code == 303
    assert role_logs() == []
    assert "already has that role" in admin_client.get(USERS).get_data(as_text=True)


def test_an_admin_cannot_change_their_own_role(admin_client, boss):
    add_user("other-admin@example.com", "admin")
    response = change(admin_client, boss.id, "customer")
    assert response.status_code == 403
    assert "You cannot change your own role." in response.get_data(as_text=True)
    assert role_of(boss.id) == "admin" and role_logs() == []


def test_the_last_admin_is_never_demoted(app):
    """Unreachable through the page (no self-change), so checked where it can happen: a
    second admin demoted in between, as when two admins demote each other at once."""
    first = add_user("first@example.com", "admin")
    second = add_user("second@example.com", "admin")
    db.session.execute(User.__table__.update().where(User.id == first.id).values(role="customer"))
    db.session.commit()

    with pytest.raises(admin.RoleChangeError) as refused:
        admin.change_role(first, second, "customer")
    db.session.rollback()

    assert refused.value.code == "last_admin"
    assert role_of(second.id) == "admin" and role_logs() == []


def test_a_former_admin_cannot_change_roles(app):
    first = add_user("first@example.com", "admin")
    ada = add_user("ada@example.com")
    db.session.execute(User.__table__.update().where(User.id == first.id).values(role="moderator"))
    db.session.commit()
    with pytest.raises(admin.RoleChangeError) as refused:
        admin.change_role(first, ada, "moderator")
    db.session.rollback()
    assert refused.value.code == "forbidden" and role_of(ada.id) == "customer"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(postgres_app):
    """On PostgreSQL only: the in-memory SQLite test database has a single connection."""
    ids = [add_user(f"admin{n}@example.com", "admin").id for n in (1, 2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def demote(actor_id: int, target_id: int) -> None:
        with postgres_app.app_context():
            actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
            barrier.wait()
            try:
                admin.change_role(actor, target, "customer")
                db.session.commit()
                results.append("ok")
            except admin.RoleChangeError as error:
                db.session.rollback()
                results.append(error.code)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=demote, args=pair) for pair in ((ids[0], ids[1]), (ids[1], ids[0]))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["last_admin", "ok"]
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(User.id)).where(User.role == "admin")) == 1
    assert len(role_logs()) == 1


def test_list_and_change_on_both_databases(any_db_app):
    boss = add_user("boss@example.com", "admin", "Boss")
    add_user("Ünal_Ç@example.com", name="Ünal")
    ada = add_user("ada@example.com", name="Ada 100%")
    found = admin.list_users(admin.user_filter("ADA 100%", None, 1))
    assert [user.id for user in found.items] == [ada.id] and found.total == 1
    # "_" matched literally, non-ASCII passed through (SQLite folds only ASCII case).
    assert admin.list_users(admin.user_filter("NAL_Ç", "customer", 1)).total == 1
    assert admin.list_users(admin.user_filter("a\x00da", None, 1)).total == 1  # NUL dropped
    admin.change_role(boss, ada, "product")
    db.session.commit()
    assert role_of(ada.id) == "product" and len(role_logs()) == 1


@pytest.mark.parametrize("role", ["root", "", "ADMIN", "admin\x00", "x" * 5000])
def test_an_unknown_role_is_refused(admin_client, role):
    ada = add_user("ada@example.com", name="Ada")
    response = change(admin_client, ada.id, role)
    assert response.status_code == 400
    assert "Choose a role from the list." in response.get_data(as_text=True)
    assert role_of(ada.id) == "customer" and role_logs() == []


def test_a_missing_role_field_is_refused(admin_client):
    ada = add_user("ada@example.com", name="Ada")
    csrf = token_for(admin_client, USERS)
    response = admin_client.post(role_url(ada.id), data={"csrf_token": csrf})
    assert response.status_code == 400 and role_of(ada.id) == "customer"


def test_an_unknown_user_is_a_404_with_a_message(admin_client):
    response = change(admin_client, 9999, "moderator")
    assert response.status_code == 404
    assert "That account does not exist." in response.get_data(as_text=True)
    assert role_logs() == []


def test_a_missing_csrf_token_changes_nothing(admin_client):
    ada = add_user("ada@example.com", name="Ada")
    response = admin_client.post(role_url(ada.id), data={"role": "admin"})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert role_of(ada.id) == "customer" and role_logs() == []


def test_refusals_are_in_the_admins_language(app, client, boss):
    boss.locale = "ja"
    db.session.commit()
    sign_in(client, boss.email)
    response = change(client, boss.id, "customer")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and '<html lang="ja"' in html
    with app.test_request_context(), force_locale("ja"):
        assert gettext("You cannot change your own role.") in html


# --- Who may see the page -----------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role if r is not Role.ADMIN])
def test_every_other_role_gets_403(app, client, boss, role):
    member = add_user(f"{role}@example.com", role)
    ada = add_user("ada@example.com", name="Ada")
    sign_in(client, member.email)
    assert client.get(USERS).status_code == 403
    csrf = token_for(client, "/account/profile")
    for target in (ada.id, member.id, boss.id):
        response = client.post(role_url(target), data={"role": "admin", "csrf_token": csrf})
        assert response.status_code == 403
    assert role_of(ada.id) == "customer" and role_of(member.id) == role
    assert role_logs() == []


def test_anonymous_visitors_are_sent_to_sign_in(app, client, boss):
    ada = add_user("ada@example.com", name="Ada")
    response = client.get(USERS)
    assert response.status_code == 302
    assert "/account/sign-in" in response.headers["Location"]
    csrf = token_for(client, "/account/sign-in")
    response = client.post(role_url(ada.id), data={"role": "admin", "csrf_token": csrf})
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    assert role_of(ada.id) == "customer"


def test_only_admins_see_the_link_in_the_moderation_nav(app, client, boss):
    add_user("mod@example.com", "moderator")
    sign_in(client, "mod@example.com")
    assert "Users and roles" not in client.get("/moderation/").get_data(as_text=True)
    admin_client = app.test_client()
    sign_in(admin_client, boss.email)
    assert 'href="/admin/users"' in admin_client.get("/moderation/").get_data(as_text=True)
