"""Settings: defaults, then TOUCHPOINT_* environment variables, then create_app's mapping."""

from app import create_app
from app.config import database_uri, settings_from_env


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("TOUCHPOINT_SITE_NAME", "Acme Help")
    monkeypatch.setenv("TOUCHPOINT_FEEDBACK_COMMENT_MAX", "500")
    monkeypatch.setenv("TOUCHPOINT_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SITE_NAME"] == "Acme Help"
    assert app.config["FEEDBACK_COMMENT_MAX"] == 500


def test_values_are_read_as_the_default_type():
    found = settings_from_env(
        {"LOCALES": ("en",), "TESTING": False},
        {"TOUCHPOINT_LOCALES": "en, ja", "TOUCHPOINT_TESTING": "yes", "OTHER": "x"},
    )
    assert found == {"LOCALES": ("en", "ja"), "TESTING": True}


def test_database_url_defaults_to_sqlite_under_instance():
    assert database_uri("", "/srv/instance") == "sqlite:////srv/instance/touchpoint.sqlite3"
    assert database_uri("postgres://u@h/db", "/x") == "postgresql+psycopg://u@h/db"
