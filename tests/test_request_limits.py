"""Issue 7, item 7: request bodies are limited before they are read (413 with a Russian page),
and the production stack puts nginx in front of gunicorn with a body limit and timeouts."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from measures.models import RoadmapImport

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def post_declaring(client, url, length):
    """A POST whose Content-Length announces `length` bytes; the body itself is a few bytes, so
    a server that tried to read it would wait or fail instead of answering."""
    return client.post(
        url,
        data=b"x=1",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
    )


def test_a_300_mb_anonymous_post_is_refused_before_the_login_redirect(client):
    response = post_declaring(client, reverse("measures:import_upload"), 300 * MB)
    assert response.status_code == 413
    assert "Слишком большой запрос" in response.text
    assert "не больше 64 КБ" in response.text
    assert "Connection" not in response  # a hop-by-hop header breaks WSGI servers


def test_an_anonymous_login_post_of_ordinary_size_still_works(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "x" * 20})
    assert response.status_code == 200  # the form again, with its error


def test_anonymous_limit_is_tiny(client):
    assert post_declaring(client, reverse("login"), 65 * 1024).status_code == 413
    assert post_declaring(client, reverse("password_reset"), 65 * 1024).status_code == 413


def test_signed_in_limits_depend_on_the_url(client, tenants):
    client.force_login(User.objects.get(username="koordinator"))
    roadmap_list = reverse("measures:roadmap_list")
    assert post_declaring(client, roadmap_list, 3 * MB).status_code == 413
    assert post_declaring(client, roadmap_list, 1 * MB).status_code != 413
    upload = reverse("measures:import_upload")
    response = post_declaring(client, upload, 12 * MB)
    assert response.status_code == 413
    assert "не больше 11 МБ" in response.text
    assert post_declaring(client, upload, 10 * MB).status_code != 413
    assert RoadmapImport.objects.count() == 0


def test_django_upload_settings_are_bounded():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 11 * MB
    assert settings.REQUEST_BODY_MAX_LARGE <= 11 * MB


def compose_services() -> dict[str, str]:
    """The text of each service of docker-compose.yml (without a YAML parser)."""
    text = (ROOT / "docker-compose.yml").read_text()
    body = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    parts = re.split(r"^  ([\w-]+):\n", body, flags=re.M)[1:]
    return dict(zip(parts[::2], parts[1::2], strict=True))


def test_compose_exposes_only_nginx_with_limits_and_static_files():
    services = compose_services()
    assert "ports:" not in services["web"]
    assert "ports:" in services["proxy"]
    assert '"127.0.0.1:8025:8025"' in services["mailpit"]  # the mail catcher: this machine only
    assert {name for name, text in services.items() if "ports:" in text} == {"proxy", "mailpit"}
    proxy = services["proxy"]
    assert "image: nginx" in proxy
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy
    assert "static:/srv/static:ro" in proxy
    assert "static:/app/staticfiles" in services["web"]
    assert "collectstatic" in services["web"]
    assert "--timeout 30" in services["web"]
    assert 'PROXY_COUNT: "1"' in (ROOT / "docker-compose.yml").read_text()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for directive in (
        "client_max_body_size 2m;",
        "client_max_body_size 11m;",
        "proxy_read_timeout",
        "client_body_timeout",
        "location /static/",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_pass http://web:8000;",
        "error_page 413 @too_large;",
    ):
        assert directive in conf, directive


def test_up_starts_gunicorn_with_a_timeout():
    source = (ROOT / "roadmap_portal" / "management" / "commands" / "up.py").read_text()
    assert '"--timeout"' in source
