"""Sign-in, sign-up and reset requests are rate limited: a localized 429, memory or Redis."""

from __future__ import annotations

import uuid

import pytest

from app.extensions import db, limiter
from tests.accounts.conftest import token_for
from tests.conftest import make_app

LIMITED = [
    ("/account/sign-in", "RATELIMIT_SIGN_IN", {"email": "a@example.com", "password": "x"}),
    ("/account/sign-up", "RATELIMIT_SIGN_UP", {"email": "bad"}),
    ("/account/password-reset", "RATELIMIT_PASSWORD_RESET", {"email": "a@example.com"}),
]


@pytest.fixture
def limited_app(tmp_path):
    def build(**overrides):
        app = make_app(
            tmp_path,
            RATELIMIT_ENABLED=True,
            RATELIMIT_SIGN_IN="2 per minute",
            RATELIMIT_SIGN_UP="2 per minute",
            RATELIMIT_PASSWORD_RESET="2 per minute",
            **overrides,
        )
        with app.app_context():
            db.create_all()
        return app

    return build


@pytest.mark.parametrize(("path", "setting", "data"), LIMITED)
def test_third_post_in_a_minute_is_a_localized_429(limited_app, path, setting, data):
    app = limited_app()
    client = app.test_client()
    headers = {"Accept-Language": "ja"}
    csrf = token_for(client, path)
    for _ in range(2):
        response = client.post(path, data={**data, "csrf_token": csrf}, headers=headers)
        assert response.status_code in (200, 400)
    response = client.post(path, data={**data, "csrf_token": csrf}, headers=headers)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert '<html lang="ja"' in html
    assert "リクエストが多すぎます" in html  # "Too many requests", translated
    assert client.get(path).status_code == 200  # reading the form is never limited


def test_limits_use_redis_when_configured(limited_app):
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    prefix = f"touchpoint-test-{uuid.uuid4().hex}"
    app = limited_app(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix},
    )
    try:
        assert type(limiter.storage).__name__ == "RedisStorage"
        client = app.test_client()
        csrf = token_for(client, "/account/sign-in")
        data = {"email": "a@example.com", "password": "x", "csrf_token": csrf}
        statuses = [client.post("/account/sign-in", data=data).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        assert server.keys(f"{prefix}*"), "the counters live in Redis"

        # A second app process on the same Redis shares the counters.
        second = limited_app(
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
            RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix},
        ).test_client()
        csrf = token_for(second, "/account/sign-in")
        response = second.post("/account/sign-in", data={**data, "csrf_token": csrf})
        assert response.status_code == 429
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        server.close()


def test_redis_down_does_not_500(limited_app):
    pytest.importorskip("redis")
    app = limited_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    csrf = token_for(client, "/account/sign-in")
    data = {"email": "a@example.com", "password": "x", "csrf_token": csrf}
    statuses = [client.post("/account/sign-in", data=data).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]  # limited in memory meanwhile
