"""Settings: defaults, then TOUCHPOINT_* environment variables, then create_app's mapping."""

import pytest

from app import create_app
from app.config import SettingError, database_uri, settings_from_env
from app.extensions import db


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("TOUCHPOINT_SITE_NAME", "Acme Help")
    monkeypatch.setenv("TOUCHPOINT_FEEDBACK_COMMENT_MAX", "500")
    monkeypatch.setenv("TOUCHPOINT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SITE_NAME"] == "Acme Help"
    assert app.config["FEEDBACK_COMMENT_MAX"] == 500


def test_values_are_read_as_the_declared_type():
    found = settings_from_env(
        {
            "TOUCHPOINT_LOCALES": "en, ja",
            "TOUCHPOINT_TESTING": "yes",
            "TOUCHPOINT_MAIL_PORT": " 2525 ",
            "TOUCHPOINT_WTF_CSRF_TIME_LIMIT": "3600",
            "TOUCHPOINT_SITE_NAME": " Acme ",
            "TOUCHPOINT_DEMO_PASSWORD": "not a setting, left to the tool that reads it",
            "OTHER": "x",
        }
    )
    assert found == {
        "LOCALES": ("en", "ja"),
        "TESTING": True,
        "MAIL_PORT": 2525,
        "WTF_CSRF_TIME_LIMIT": 3600,
        "SITE_NAME": " Acme ",
    }
    assert settings_from_env({"TOUCHPOINT_WTF_CSRF_TIME_LIMIT": "None"}) == {
        "WTF_CSRF_TIME_LIMIT": None
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(word, True) for word in ("true", "TRUE", "1", "yes", "On", " on ")]
    + [(word, False) for word in ("false", "False", "0", "no", "NO", "off", "Off ")],
)
def test_booleans_parse_every_usual_spelling(raw, expected):
    assert settings_from_env({"TOUCHPOINT_MAIL_USE_TLS": raw}) == {"MAIL_USE_TLS": expected}


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("TOUCHPOINT_RATELIMIT_ENABLED", "nope"),
        ("TOUCHPOINT_RATELIMIT_ENABLED", ""),
        ("TOUCHPOINT_MAIL_PORT", "25a"),
        ("TOUCHPOINT_FORUM_TOPICS_PER_PAGE", "2.5"),
        ("TOUCHPOINT_WTF_CSRF_TIME_LIMIT", "soon"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(monkeypatch, tmp_path, variable, raw):
    monkeypatch.setenv(variable, raw)
    with pytest.raises(SettingError, match=variable):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


@pytest.mark.parametrize(("raw", "limited"), [("false", False), ("OFF", False), ("true", True)])
def test_ratelimit_enabled_from_the_environment(monkeypatch, tmp_path, raw, limited):
    """TOUCHPOINT_RATELIMIT_ENABLED=false turns limits off; `false` is not a truthy string."""
    monkeypatch.setenv("TOUCHPOINT_RATELIMIT_ENABLED", raw)
    app = create_app(  # production defaults (limits on), not TestingConfig
        {
            "DATABASE_URL": "sqlite://",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_SIGN_IN": "2 per minute",
        }
    )
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [
            client.post("/account/sign-in", data={"email": "a@example.com", "password": "x"})
            for _ in range(3)
        ]
        db.session.remove()
    assert [c.status_code for c in codes] == [400, 400, 429 if limited else 400]


def test_database_url_defaults_to_sqlite_under_instance():
    assert database_uri("", "/srv/instance") == "sqlite:////srv/instance/touchpoint.sqlite3"
    assert database_uri("postgres://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
