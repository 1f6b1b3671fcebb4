"""Logging in and out of the UI: sessions, CSRF, safe redirects, and failed-login limits."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from fastapi import Request
from fastapi.testclient import TestClient

from otklik.access.models import User
from otklik.access.passwords import needs_rehash
from otklik.web.csrf import csrf_token
from otklik.web.deps import CurrentUser
from otklik.web.ui.auth import safe_next

PASSWORD = "long-enough-password"
PRIVATE = "/_test/me"


@pytest.fixture(scope="module")
def password_hash() -> str:
    """A real argon2id hash with light parameters: failed logins in these tests then cost
    milliseconds, while a successful one still upgrades it to today's (slow) parameters."""
    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)


@pytest.fixture
def olga(session, password_hash) -> User:
    user = User(email="olga@example.com", password_hash=password_hash, role="analyst")
    session.add_all([user, User(email="ivan@example.com", password_hash=password_hash)])
    session.commit()
    return user


@pytest.fixture
def app(app):
    """The app plus one tiny page that needs a logged-in user (and shows its CSRF token)."""

    @app.get(PRIVATE)
    def me(request: Request, user: CurrentUser) -> dict:
        return {"email": user.email, "csrf": csrf_token(request)}

    return app


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def login(client: TestClient, email: str, password: str, next_url: str | None = None, **kw):
    token = form_token(client.get("/login").text)
    data = {"email": email, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data, follow_redirects=False, **kw)


def test_login_page_is_an_accessible_form_with_a_csrf_token(client):
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert len(form_token(page.text)) >= 32
    assert '<label for="email">Email</label>' in page.text
    assert '<label for="password">Password</label>' in page.text
    assert 'autocomplete="username"' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert '<input type="hidden" name="next" value="/">' in page.text


def test_login_page_speaks_russian_by_default_and_english_on_request(client):
    assert "<h1>Вход</h1>" in client.get("/login").text
    assert "<h1>Sign in</h1>" in client.get("/login?lang=en").text


def test_login_sets_httponly_samesite_lax_cookie_and_redirects_to_next(client, olga):
    response = login(client, "OLGA@example.com", PASSWORD, next_url="/reports?period=30")
    assert response.status_code == 303
    assert response.headers["location"] == "/reports?period=30"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "otklik_session=" in c)
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert client.get(PRIVATE).json()["email"] == "olga@example.com"


def test_login_upgrades_a_weak_password_hash(client, session, olga):
    assert needs_rehash(olga.password_hash)
    assert login(client, "olga@example.com", PASSWORD).status_code == 303
    session.expire_all()
    assert not needs_rehash(session.get(User, olga.id).password_hash)
    assert session.get(User, olga.id).last_login_at is not None


def test_login_issues_a_new_csrf_token(client, olga):
    before = form_token(client.get("/login").text)
    login(client, "olga@example.com", PASSWORD)
    after = client.get(PRIVATE).json()["csrf"]
    assert after != before


def test_logged_in_user_visiting_login_goes_to_next(client, olga):
    login(client, "olga@example.com", PASSWORD)
    response = client.get("/login?next=/cases", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/cases"


def test_wrong_password_rerenders_the_form_with_400_and_keeps_the_email(client, olga):
    response = login(client, "olga@example.com", "wrong-password", headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert "Неверная почта или пароль." in response.text
    assert 'value="olga@example.com"' in response.text
    assert client.get(PRIVATE, follow_redirects=False).status_code == 303


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, olga):
    response = login(client, "nobody@example.com", PASSWORD, cookies=None)
    assert response.status_code == 400
    assert "Неверная почта или пароль." in response.text


@pytest.mark.parametrize("token", [None, "", "forged-token-0123456789"])
def test_login_without_the_right_csrf_token_gets_a_friendly_403_page(client, olga, token):
    client.get("/login")  # the session has a real token; the form does not send it
    data = {"email": "olga@example.com", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post(
        "/login?lang=en",
        data=data,
        headers={"Referer": "http://testserver/login?next=/cases"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "The form expired. Please try again." in response.text
    assert 'href="/login?next=/cases"' in response.text
    assert client.get(PRIVATE, follow_redirects=False).status_code == 303


def test_csrf_error_page_never_links_to_another_site(client):
    response = client.post("/logout", data={}, headers={"Referer": "https://evil.example/phish"})
    assert response.status_code == 403
    assert 'href="/"' in response.text
    assert "evil.example" not in response.text


@pytest.mark.parametrize(
    "next_url",
    ["//evil.com", "https://evil.com"],
)
def test_login_ignores_next_pointing_off_site(client, olga, next_url):
    response = login(client, "olga@example.com", PASSWORD, next_url=next_url)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/cases?unit=3", "/cases?unit=3"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("//evil.com/x", "/"),
        ("/\\evil.com", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("javascript:alert(1)", "/"),
        ("https://evil.com", "/"),
        ("http:/evil.com", "/"),
        ("evil.com", "/"),
        ("///evil.com", "/"),
    ],
)
def test_safe_next_keeps_only_local_paths(value, expected):
    assert safe_next(value) == expected


def test_login_page_does_not_echo_an_unsafe_next(client):
    page = client.get("/login", params={"next": "//evil.com"})
    assert '<input type="hidden" name="next" value="/">' in page.text


def test_anonymous_visitor_is_sent_to_login_and_back_after(client, olga):
    response = client.get(f"{PRIVATE}?a=1&b=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={PRIVATE}%3Fa%3D1%26b%3D2"
    page = client.get(response.headers["location"])
    assert f'name="next" value="{PRIVATE}?a=1&amp;b=2"' in page.text
    done = client.post(
        "/login",
        data={
            "email": "olga@example.com",
            "password": PASSWORD,
            "csrf_token": form_token(page.text),
            "next": f"{PRIVATE}?a=1&b=2",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == f"{PRIVATE}?a=1&b=2"


def test_home_page_needs_login_and_its_logout_button_works(client, olga):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"
    login(client, "olga@example.com", PASSWORD)
    page = client.get("/")
    assert page.status_code == 200 and 'action="/logout"' in page.text
    bye = client.post("/logout", data={"csrf_token": form_token(page.text)}, follow_redirects=False)
    assert bye.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_requires_csrf_and_clears_the_session(client, olga):
    login(client, "olga@example.com", PASSWORD)
    token = client.get(PRIVATE).json()["csrf"]
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert client.get(PRIVATE).status_code == 200  # still logged in
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert client.get(PRIVATE, follow_redirects=False).status_code == 303


def test_bumping_session_version_logs_the_user_out(client, session, olga):
    login(client, "olga@example.com", PASSWORD)
    assert client.get(PRIVATE).status_code == 200
    olga.session_version += 1
    session.commit()
    response = client.get(PRIVATE, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_eleventh_failed_attempt_in_a_minute_gets_429_with_retry_after(client, settings, olga):
    assert settings.login_attempts_per_minute == 10
    for _ in range(10):
        assert login(client, "olga@example.com", "wrong-password").status_code == 400
    response = login(client, "olga@example.com", PASSWORD, headers={"Accept-Language": "en"})
    assert response.status_code == 429  # even the right password waits: guessing must stop
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "Too many attempts. Try again in" in response.text
    assert client.get(PRIVATE, follow_redirects=False).status_code == 303


@pytest.fixture
def strict_client(settings, olga):
    """An app allowing only 2 failed logins a minute, to test the limit keys quickly."""
    from otklik.web.app import create_app

    app = create_app(settings.model_copy(update={"login_attempts_per_minute": 2}))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def test_failures_are_also_limited_per_client_address(strict_client):
    for email in ("olga@example.com", "ivan@example.com"):
        assert login(strict_client, email, "wrong-password").status_code == 400
    assert login(strict_client, "olga@example.com", PASSWORD).status_code == 429


def test_successful_login_clears_the_failures_for_that_email(strict_client):
    limiter = strict_client.app.state.limiter
    assert login(strict_client, "olga@example.com", "wrong-password").status_code == 400
    assert login(strict_client, "olga@example.com", PASSWORD).status_code == 303
    limiter.reset("login:ip:testclient")  # leave only the per-email count in play
    assert login(strict_client, "olga@example.com", "wrong-password").status_code == 400
    assert login(strict_client, "olga@example.com", "wrong-password").status_code == 400
    assert login(strict_client, "olga@example.com", PASSWORD).status_code == 429
