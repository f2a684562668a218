"""The admin speaks grammatical Russian: no English left by Django's or the installed apps'
catalogues, the object of «Выберите … для изменения» in the accusative."""

import json
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from roadmap_portal.admin_titles import AccusativeTitles

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Select an option",
    "Filter by",
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "Axes",
    "Locked Out",
    "Opened version",
    "Add ",
    "Change ",
]
UNGRAMMATICAL = re.compile(
    r"(Выберите|Добавить|Изменить) (дорожная карта|школа|организация|рабочая группа|группа|"
    r"пользователь|сотрудник|пара «)(?![а-яё])"
)


def admin_pages() -> list[str]:
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
    return pages


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_every_registered_admin_titles_in_the_accusative():
    plain = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, AccusativeTitles)
    ]
    assert plain == []


def test_admin_pages_have_no_english_and_no_nominative_objects(client, tenants):
    client.force_login(tenants.admin)
    client.get(reverse("login"))  # an access log row, so that the lockout pages have a row
    problems = []
    for page in admin_pages():
        response = client.get(page)
        if response.status_code == 403:  # read-only models: no add page
            continue
        assert response.status_code == 200, page
        text = visible_text(response.content.decode())
        problems += [f"{page}: {word}" for word in ENGLISH if word in text]
        problems += [f"{page}: {m[0]}" for m in UNGRAMMATICAL.finditer(text)]
    assert problems == []


@pytest.mark.parametrize(
    ("model", "title", "add"),
    [
        ("measures_roadmap", "Выберите дорожную карту для изменения", "Добавить дорожную карту"),
        ("schools_person", "Выберите сотрудника для изменения", "Добавить сотрудника"),
        ("schools_mentorpairing", "Выберите пару «наставник — школа» для изменения", None),
        ("auth_user", "Выберите пользователя для изменения", "Добавить пользователя"),
        ("measures_occurrence", "Выберите контрольный срок для просмотра", None),
    ],
)
def test_titles_and_buttons(client, tenants, model, title, add):
    client.force_login(tenants.admin)
    html = client.get(reverse(f"admin:{model}_changelist")).content.decode()
    assert f"<h1>{title}</h1>" in html
    if add:
        assert add in visible_text(html)
        page = client.get(reverse(f"admin:{model}_add")).content.decode()
        assert f"<h1>{add}</h1>" in page
        assert f'<li aria-current="page">{add}</li>' in page


def test_an_empty_choice_and_a_date_filter_read_in_russian(client, tenants):
    client.force_login(tenants.admin)
    legal_acts = client.get(reverse("admin:measures_legalact_changelist")).content.decode()
    assert "Отбор по полю «дата»" in legal_acts
    form = client.get(reverse("admin:measures_roadmap_add")).content.decode()
    assert "— Выберите —" in form


def test_the_admin_scripts_speak_russian_too(client, tenants):
    client.force_login(tenants.admin)
    catalogue = client.get(reverse("admin:jsi18n")).content.decode()
    for text in ("Время указывается по часовому поясу %(timezone)s", "Сегодня (%(date)s)"):
        assert json.dumps(text)[1:-1] in catalogue  # the catalogue is JSON in the script
