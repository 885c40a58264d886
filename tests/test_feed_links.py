"""Every page's Atom link (base.html's <link rel="alternate">) answers 200 (issue 18, item 8).

The walk reads the URL map like tests/test_route_security.py: each GET page an admin with a
Japanese profile can open, under an Arabic browser, and the feed each names must exist.
"""

from __future__ import annotations

import re

from app.extensions import db
from tests.conftest import sign_in
from tests.test_route_security import _rules, _url_for_rule, seeded_app  # noqa: F401

FEED_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"')


def test_every_pages_feed_link_resolves(seeded_app):  # noqa: F811
    from app.accounts.models import User

    admin = db.session.scalar(db.select(User).where(User.email == "admin@example.com"))
    admin.locale = "ja"
    db.session.commit()
    client = seeded_app.test_client()
    assert sign_in(client, "admin@example.com", "correct horse battery").status_code == 303
    answers: dict[str, int] = {}
    pages = 0
    for rule in _rules(seeded_app, {"GET"}):
        response = client.get(_url_for_rule(rule), headers={"Accept-Language": "ar"})
        if response.mimetype != "text/html":
            continue
        for href in FEED_LINK.findall(response.get_data(as_text=True)):
            pages += 1
            if href not in answers:
                answers[href] = client.get(href).status_code
    assert pages > 20
    assert answers and all(status == 200 for status in answers.values()), answers
