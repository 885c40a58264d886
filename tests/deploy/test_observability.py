"""Logs, request ids, proxy awareness, health and readiness, the media directory."""

from __future__ import annotations

import io
import json
import logging

import pytest

from app.extensions import db
from app.log_config import configure_logging


@pytest.fixture
def log_stream(app):
    stream = io.StringIO()
    handler = configure_logging(app, stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def test_text_logs_carry_time_level_logger_and_request_id(app, client, log_stream):
    @app.get("/boom-log")
    def boom_log():
        logging.getLogger("app.example").warning("something odd")
        return "ok"

    response = client.get("/boom-log")
    request_id = response.headers["X-Request-ID"]
    line = next(x for x in log_stream.getvalue().splitlines() if "something odd" in x)
    assert line.split()[1:4] == ["WARNING", "app.example", f"[{request_id}]"]
    assert line[:4].isdigit() and line[10] == "T"


def test_json_logs_are_one_object_per_line(app, client, log_stream):
    app.config["LOG_FORMAT"] = "json"
    configure_logging(app, log_stream)
    logging.getLogger("app.example").info("hello %s", "there")
    entry = json.loads(log_stream.getvalue().strip().splitlines()[-1])
    assert entry["message"] == "hello there" and entry["level"] == "INFO"
    assert entry["logger"] == "app.example" and entry["request_id"] == "-"


def test_an_unknown_log_format_is_refused(app):
    app.config["LOG_FORMAT"] = "xml"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        configure_logging(app, io.StringIO())


def test_a_client_cannot_choose_its_request_id_without_a_trusted_proxy(client):
    response = client.get("/healthz", headers={"X-Request-ID": "chosen-by-client-123"})
    assert response.headers["X-Request-ID"] != "chosen-by-client-123"
    assert len(response.headers["X-Request-ID"]) == 32


def test_behind_the_trusted_proxy_its_request_id_is_kept(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, PROXY_HOPS=1)
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "nginx-req-abc12345"})
    assert response.headers["X-Request-ID"] == "nginx-req-abc12345"


def test_error_pages_show_the_request_id(demo_client):
    response = demo_client.get("/en/articles/no-such-article")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)


def test_mail_without_smtp_is_logged_readably(app, caplog):
    from app.mail import send_mail

    with caplog.at_level(logging.INFO, logger="app.mail"):
        send_mail("aya@example.jp", "パスワードの再設定", "リンク: https://help.example.com/r/abc")
    assert "aya@example.jp" in caplog.text
    assert "Subject: パスワードの再設定" in caplog.text
    assert "リンク: https://help.example.com/r/abc" in caplog.text  # not base64


def _remote_seen(app, **environ):
    seen = []

    @app.get("/who")
    def who():
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get("/who", **environ)
    return seen[0]


def test_proxy_hops_off_by_default_ignores_x_forwarded_for(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path)
    headers = {"X-Forwarded-For": "203.0.113.9"}
    assert _remote_seen(app, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}) == (
        "10.0.0.2"
    )


def test_one_proxy_hop_takes_the_client_from_x_forwarded_for(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, PROXY_HOPS=1)
    # A client-forged entry comes first; only the one nginx appended is trusted.
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    assert _remote_seen(app, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}) == (
        "203.0.113.9"
    )


def test_sign_in_limit_keys_on_the_forwarded_client(tmp_path, fast_hashing):
    """Behind the proxy, one client's failed sign-ins do not lock out another client."""
    from tests.conftest import csrf_token_from, make_app

    app = make_app(tmp_path, PROXY_HOPS=1, RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="2 per minute")
    with app.app_context():
        db.create_all()
        client = app.test_client()

        def attempt(address):
            token = csrf_token_from(client.get("/account/sign-in").get_data(as_text=True))
            return client.post(
                "/account/sign-in",
                data={"email": "x@example.com", "password": "wrong", "csrf_token": token},
                headers={"X-Forwarded-For": address},
            ).status_code

        assert [attempt("203.0.113.1") for _ in range(3)][-1] == 429
        assert attempt("203.0.113.2") != 429
        db.session.remove()


def test_healthz_is_liveness_only(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_names_each_check(search_client):
    response = search_client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "search": "ok", "redis": "ok", "jobs": "ok"},
    }


def test_readyz_fails_when_search_fails(search_app, search_client, monkeypatch):
    from app.site_search import services

    def broken(_request):
        raise RuntimeError("analyzer exploded")

    monkeypatch.setattr(services, "run_search", broken)
    monkeypatch.setattr("app.site.health.run_search", broken)
    response = search_client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["checks"]["search"] == "failed (RuntimeError)"
    assert body["checks"]["database"] == "ok"
    assert "exploded" not in response.get_data(as_text=True)


def test_readyz_fails_when_redis_is_unreachable(search_app, search_client):
    search_app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/3"
    response = search_client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("failed")


def test_readyz_fails_on_a_job_backlog(search_app, search_client):
    from app.mail import send_mail

    search_app.config.update(JOBS_RUNNER="worker", JOBS_READY_BACKLOG=2)
    for _ in range(3):
        send_mail("ada@example.com", "Hi", "Body")
    db.session.commit()
    response = search_client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["jobs"] == "3 jobs due (limit 2)"


def test_media_dir_is_configurable(app, tmp_path):
    from app.editor.media import media_dir

    assert media_dir() == tmp_path / "media"
    app.config["MEDIA_DIR"] = str(tmp_path / "shared")
    assert media_dir() == tmp_path / "shared"


def test_static_urls_carry_a_content_version(app, tmp_path):
    from flask import url_for

    with app.test_request_context():
        url = url_for("static", filename="css/site.css")
    assert url.startswith("/static/css/site.css?v=") and len(url.split("v=")[1]) == 12
