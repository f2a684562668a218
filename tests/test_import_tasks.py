"""Issue 7, item 6: reading and confirming an import run in Celery tasks; the web request only
stores the file and queues it. The tasks are called directly here (no eager mode), and one test
runs a real worker process on the real Redis broker."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from measures import tasks
from measures.history import history_of
from measures.models import Roadmap, RoadmapImport
from tests import docx_builders, factories

REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def cherek(tenants):
    """A roadmap of the factory-built tenant (conftest.py), whose coordinator is koordinator;
    the uploads are the seed 000 document."""
    return tenants.home.roadmap


def upload(client, cherek, data, name="план.docx", title="Импортированный план"):
    client.force_login(User.objects.get(username="koordinator"))
    return client.post(
        reverse("measures:import_upload"),
        {
            "municipality": cherek.municipality_id,
            "starts_on": "2022-01-01",
            "ends_on": "2022-12-31",
            "title": title,
            "file": SimpleUploadedFile(name, data),
        },
    )


def preview_url(record):
    return reverse("measures:import_preview", args=[record.pk])


@pytest.mark.django_db
def test_the_upload_only_stores_the_file_and_queues_it(client, cherek):
    data = docx_builders.seed_000_docx()
    response = upload(client, cherek, data)
    record = RoadmapImport.objects.get()
    assert response.url == preview_url(record)
    assert record.status == "queued"
    assert bytes(record.data) == data
    assert record.parsed == {}  # nothing read in the request
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Файл в очереди на чтение…" in page.text
    assert REFRESH in page.text  # refreshes itself without a script (CSP allows it)
    assert "Подтвердить импорт" not in page.text

    RoadmapImport.objects.filter(pk=record.pk).update(status="reading")
    assert "Файл читается…" in client.get(response.url).text


@pytest.mark.django_db
def test_the_reading_task_makes_the_preview_and_is_safe_to_run_twice(client, cherek):
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    tasks.read_import(record.pk)
    record.refresh_from_db()
    assert record.status == "preview"
    assert len(record.parsed["measures"]) == 31
    parsed, changed = record.parsed, record.updated_at

    tasks.read_import(record.pk)  # delivered twice: nothing happens
    record.refresh_from_db()
    assert (record.status, record.parsed, record.updated_at) == ("preview", parsed, changed)
    page = client.get(preview_url(record))
    assert "Подтвердить импорт" in page.text
    assert REFRESH not in page.text


@pytest.mark.django_db
def test_a_worker_that_died_while_reading_is_replaced_by_the_redelivered_task(client, cherek):
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    RoadmapImport.objects.filter(pk=record.pk).update(status="reading")  # the first one died
    tasks.read_import(record.pk)
    record.refresh_from_db()
    assert record.status == "preview"


@pytest.mark.django_db
def test_a_file_without_a_table_ends_refused_with_the_reason(client, cherek):
    upload(client, cherek, docx_builders.docx_table([], ("Просто текст без таблицы",)))
    record = RoadmapImport.objects.get()
    tasks.read_import(record.pk)
    record.refresh_from_db()
    assert record.status == "refused"
    page = client.get(preview_url(record)).text
    assert "В файле не найдена таблица мероприятий" in page
    assert "Подтвердить импорт" not in page


@pytest.mark.django_db
def test_confirming_is_queued_once_and_the_task_twice_makes_one_roadmap(client, cherek):
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    tasks.read_import(record.pk)
    confirm = reverse("measures:import_confirm", args=[record.pk])
    response = client.post(confirm)
    assert response.url == preview_url(record) + "?confirmed=1"
    client.post(confirm)  # pressed twice
    record.refresh_from_db()
    assert record.status == "importing"
    page = client.get(response.url).text
    assert "Импорт выполняется…" in page
    assert REFRESH in page
    assert Roadmap.objects.filter(title="Импортированный план").count() == 0

    tasks.confirm_import(record.pk)
    tasks.confirm_import(record.pk)  # delivered twice
    assert Roadmap.objects.filter(title="Импортированный план").count() == 1
    record.refresh_from_db()
    assert record.status == "done"
    assert bytes(record.data) == b""  # the file is no longer kept
    assert record.confirmed_by.username == "koordinator"
    coordinator = record.confirmed_by
    history = history_of(record.roadmap)
    assert history and {entry["who"] for entry in history} == {
        coordinator.get_full_name() or coordinator.username
    }  # the history names who confirmed, not «система»
    response = client.get(preview_url(record) + "?confirmed=1")
    assert response.url == reverse("measures:roadmap_detail", args=[record.roadmap_id])
    assert "Дорожная карта импортирована: мероприятий 31." in client.get(response.url).text


@pytest.mark.django_db
def test_any_exception_in_a_task_ends_in_an_error_on_the_page(client, cherek):
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    # A preview whose structure the confirmation cannot use (a row without its fields).
    RoadmapImport.objects.filter(pk=record.pk).update(
        status="importing", parsed={"title": "План", "measures": [{"row": 1}], "errors": []}
    )
    roadmaps = Roadmap.objects.count()
    tasks.confirm_import(record.pk)
    record.refresh_from_db()
    assert record.status == "failed"
    assert Roadmap.objects.count() == roadmaps  # nothing half-saved
    page = client.get(preview_url(record) + "?confirmed=1")
    assert page.status_code == 200
    assert "Ошибка — ничего не сохранено" in page.text
    assert "Импорт не выполнен из-за внутренней ошибки портала" in page.text
    assert REFRESH not in page.text


@pytest.mark.django_db
def test_a_refusal_at_confirmation_ends_in_an_error_with_the_reason(client, cherek):
    upload(client, cherek, docx_builders.seed_000_docx(), title=cherek.title)
    record = RoadmapImport.objects.get()
    tasks.read_import(record.pk)
    record.refresh_from_db()
    Roadmap.objects.filter(pk=cherek.pk).update(starts_on=record.starts_on, ends_on=record.ends_on)
    client.post(reverse("measures:import_confirm", args=[record.pk]))
    tasks.confirm_import(record.pk)
    record.refresh_from_db()
    assert record.status == "failed"
    assert "уже есть" in record.error
    assert record.error in client.get(preview_url(record)).text


@pytest.mark.django_db
def test_an_import_no_worker_took_is_reported_not_left_spinning(client, cherek):
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    RoadmapImport.objects.filter(pk=record.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )
    page = client.get(preview_url(record)).text
    assert REFRESH not in page
    assert "фоновые задачи портала, похоже, не выполняются" in page


def wait_for(record, statuses, seconds=90):
    """Wait for the worker process (not a timing assertion: only a bound on waiting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        record.refresh_from_db()
        if record.status in statuses:
            return record.status
        time.sleep(0.2)
    return record.status


def test_a_real_worker_reads_and_confirms_an_upload(client, celery_worker_process):
    home = factories.tenant(factories.HOME, coordinator="koordinator", working_group="rabgruppa")
    cherek = home.roadmap
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    assert wait_for(record, {"preview", "refused", "failed"}) == "preview", "".join(
        celery_worker_process.log
    )
    assert len(record.parsed["measures"]) == 31
    client.post(reverse("measures:import_confirm", args=[record.pk]))
    assert wait_for(record, {"done", "failed"}) == "done", record.error
    assert record.roadmap.measures.count() == 31
