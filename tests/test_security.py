"""Login, sessions and headers: locking, password reset, session limits, CSP, deploy checks."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.urls import reverse

from roadmap_portal.middleware import LOGIN_AT, SEEN_AT
from roadmap_portal.tasks import send_password_reset_mail
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "пароль-для-теста"


def attempt(client, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": "ivanov", "password": password}, REMOTE_ADDR=address
    )


def test_five_failures_lock_the_user_at_that_address_and_every_attempt_is_logged(client):
    factories.UserFactory(username="ivanov")
    for _ in range(4):
        assert attempt(client, "неверный").status_code == 200
    locked = attempt(client, "неверный")
    assert locked.status_code == 429
    assert "Вход временно заблокирован" in locked.text
    # even the right password is refused during the cool-off
    assert attempt(client, PASSWORD).status_code == 429
    assert AccessFailureLog.objects.filter(username="ivanov").count() >= 5
    # another address is not locked
    assert attempt(client, PASSWORD, address="10.0.0.2").status_code == 302
    assert AccessLog.objects.filter(username="ivanov").count() == 1


def test_password_reset_by_email(client, mailoutbox):
    user = factories.UserFactory(username="ivanov", email="ivanov@example.org")
    response = client.post(reverse("password_reset"), {"email": "ivanov@example.org"})
    assert response.status_code == 302
    send_password_reset_mail("ivanov@example.org", "testserver", False)  # what the worker does
    assert len(mailoutbox) == 1
    letter = mailoutbox[0]
    assert letter.subject == "Смена пароля на портале дорожных карт"
    link = re.search(r"http://testserver(/password/reset/\S+)", letter.body)[1]
    form = client.get(link, follow=True)
    assert "Новый пароль" in form.text
    weak = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345", "new_password2": "12345"}
    )
    assert "Введённый пароль слишком короткий" in weak.text
    strong = "Длинный-пароль-2026!"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": strong, "new_password2": strong}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)


def test_reset_for_an_unknown_address_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Проверьте почту" in response.text
    send_password_reset_mail("nobody@example.org", "testserver", False)
    assert mailoutbox == []


def test_password_change_needs_login_and_a_strong_password(client):
    assert client.get(reverse("password_change")).status_code == 302
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "qwerty123", "new_password2": "qwerty123",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Введённый пароль слишком широко распространён" in response.text


def test_login_starts_a_new_session(client):
    factories.UserFactory(username="ivanov")
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    attempt(client, PASSWORD)
    assert client.session.session_key != before


@pytest.mark.parametrize(
    ("key", "age"), [(SEEN_AT, 31 * 60), (LOGIN_AT, 13 * 3600)], ids=["idle", "lifetime"]
)
def test_a_session_ends_after_idle_time_and_after_its_lifetime(client, key, age):
    client.force_login(factories.UserFactory())
    assert client.get(reverse("measures:roadmap_list")).status_code == 200
    session = client.session
    session[LOGIN_AT] = session[SEEN_AT] = time.time() - 60
    session[key] = time.time() - age
    session.save()
    response = client.get(reverse("measures:roadmap_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("measures:roadmap_list")).status_code == 302


def test_a_deactivated_users_sessions_end(client):
    user = factories.UserFactory()
    client.force_login(user)
    assert client.get(reverse("measures:roadmap_list")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("measures:roadmap_list")).status_code == 302


def test_security_headers_and_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_our_templates_have_no_inline_scripts_or_styles():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if "mail" in path.parent.parts:
            # letters are read in mail programs, not under the portal's CSP: they carry their
            # styles inline (mail programs drop <link> and most <style>), and never a script
            assert "<script" not in text and not re.search(r"\son[a-z]+=", text), path
            continue
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert " style=" not in text and "<style" not in text, path
        assert not re.search(r"\son[a-z]+=", text), path  # no onclick= and the like


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "EMAIL_HOST": "smtp.example.ru",
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "roadmaps.example.ru",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
