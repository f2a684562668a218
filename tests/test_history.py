"""Every change is recorded by database triggers, shown to people, and cannot be undone."""

from datetime import date, timedelta

import pghistory
import pytest
from django.contrib.auth.models import User
from django.db import InternalError, transaction
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import (
    Measure,
    MeasureEvent,
    Occurrence,
    Report,
    Roadmap,
    RoadmapImport,
    Section,
)
from schools.models import AppointmentEvent, PermissionEvent
from schools.services import appoint, remove_appointment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap(tenants):
    """The roadmap of the factory-built tenant (conftest.py), its three measures in two
    sections (factories.MEASURES)), back to a draft: only a draft is edited."""
    roadmap = tenants.home.roadmap
    roadmap.status = Roadmap.Status.DRAFT
    roadmap.save(update_fields=["status"])
    return roadmap


def test_an_edit_in_the_browser_is_recorded_with_who_and_before_and_after(client, roadmap):
    coordinator = User.objects.get(username="koordinator")
    client.force_login(coordinator)
    roadmap.status = roadmap.Status.DRAFT  # only a draft is edited
    roadmap.save(update_fields=["status"])
    measure = roadmap.measures.get(number="2.1")
    client.post(reverse("measures:measure_edit", args=[roadmap.pk, measure.pk]), {
        "measure-number": "2.1", "measure-title": "Семинар для учителей (новая редакция)",
        "measure-owners_text": measure.owners_text, "measure-deadline_text": "Ежегодно в январе",
        "measure-planned_result": measure.planned_result, "measure-version": measure.version,
    })  # fmt: skip
    page = client.get(reverse("measures:measure_history", args=[roadmap.pk, measure.pk])).text
    assert "Изменение: Мероприятие 2.1" in page
    assert "Наименование мероприятия" in page
    assert "Семинар для учителей математики" in page  # before
    assert "Семинар для учителей (новая редакция)" in page  # after
    assert "Сроки реализации, как записаны" in page and "Ежегодно в январе" in page
    assert "Муниципальный координатор" in page  # who
    roadmap_page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    assert "Ежегодно в январе" in roadmap_page


def test_bulk_and_queryset_updates_are_recorded(roadmap):
    before = MeasureEvent.objects.count()
    roadmap.measures.update(planned_result="Массовая правка")
    assert MeasureEvent.objects.count() == before + 3
    assert (
        MeasureEvent.objects.filter(pgh_label="update", planned_result="Массовая правка").count()
        == 3
    )


def test_deletions_are_recorded(roadmap):
    measure = roadmap.measures.get(number="1.2")
    pk = measure.pk
    measure.delete()
    assert MeasureEvent.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()


def test_history_rows_cannot_be_changed_or_deleted(roadmap):
    roadmap.measures.update(planned_result="Правка")
    for action in (
        lambda: MeasureEvent.objects.update(title="Подделка"),
        lambda: MeasureEvent.objects.all().delete(),
    ):
        with pytest.raises(InternalError, match="Cannot update or delete"), transaction.atomic():
            action()
    assert not MeasureEvent.objects.filter(title="Подделка").exists()


def test_appointments_and_permissions_are_recorded(roadmap):
    user = factories.UserFactory()
    appointment = appoint(user=user, role="working_group", target=roadmap.municipality)
    pk = appointment.pk
    assert AppointmentEvent.objects.filter(pgh_obj_id=pk, pgh_label="insert").exists()
    granted = PermissionEvent.objects.filter(user_id=user.pk, action="insert")
    assert granted.count() == 2  # view_municipality, review_reports
    assert {e.object_pk for e in granted} == {str(roadmap.municipality_id)}
    remove_appointment(appointment=appointment)
    assert AppointmentEvent.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()
    assert PermissionEvent.objects.filter(user_id=user.pk, action="delete").count() == 2
    with pytest.raises(InternalError), transaction.atomic():
        PermissionEvent.objects.all().delete()


def test_history_is_not_editable_in_the_admin(admin_client):
    assert admin_client.get("/admin/measures/measureevent/").status_code == 404


def test_a_foreign_tenant_cannot_read_the_history(client, roadmap):
    client.force_login(User.objects.get(username="grechkina"))
    assert client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).status_code == 404
    assert Measure.objects.filter(roadmap=roadmap).exists()


def test_a_moved_measure_shows_section_names_not_ids(client, roadmap):
    measure = roadmap.measures.get(number="1.1")
    target = roadmap.sections.get(number="2.")
    type(measure).objects.filter(pk=measure.pk).update(section=target)
    client.force_login(User.objects.get(username="rabgruppa"))
    page = client.get(reverse("measures:measure_history", args=[roadmap.pk, measure.pk])).text
    assert "1. Анализ результатов" in page
    assert "2. Методическая помощь школам" in page


def test_saving_a_form_unchanged_records_no_change(client, roadmap):
    client.force_login(User.objects.get(username="koordinator"))
    measure = roadmap.measures.get(number="1.1")
    Measure.objects.filter(pk=measure.pk).update(owners_text="Отдел образования\nРуководители ОО")
    measure.refresh_from_db()  # owners on two lines, sent back by the browser with \r\n
    before = MeasureEvent.objects.filter(pgh_obj_id=measure.pk).count()
    data = {f"measure-{name}": getattr(measure, name).replace("\n", "\r\n") for name in
            ("number", "title", "owners_text", "deadline_text", "planned_result")}  # fmt: skip
    data["measure-version"] = measure.version
    client.post(reverse("measures:measure_edit", args=[roadmap.pk, measure.pk]), data)
    assert MeasureEvent.objects.filter(pgh_obj_id=measure.pk).count() == before


# --- issue 10: history that people can read ---------------------------------------------------


def _entries(page: str) -> int:
    return page.count('<section class="history-entry">')


def _entry_with(page: str, text: str) -> str:
    """The one entry that holds `text` (in a test every write shares one transaction's time,
    so the order of saves made in one test is not the order of their times)."""
    (entry,) = [e for e in page.split('<section class="history-entry">')[1:] if text in e]
    return entry


def _shown(page: str) -> str:
    """The page after its filter form (whose choices name every measure and person)."""
    return page.split('class="filters history-filters"')[1].split("</form>", 1)[1]


def _edit(client, roadmap, measure, **fields):
    """A measure's edit form posted as a browser does: one save of one person."""
    data = {f"measure-{name}": getattr(measure, name) for name in
            ("number", "title", "owners_text", "deadline_text", "planned_result")}  # fmt: skip
    data.update({f"measure-{name}": value for name, value in fields.items()})
    data["measure-version"] = measure.version
    response = client.post(reverse("measures:measure_edit", args=[roadmap.pk, measure.pk]), data)
    assert response.status_code == 302, response.text
    measure.refresh_from_db()


def test_rows_are_named_as_people_know_them_deleted_ones_too(client, roadmap):
    coordinator = User.objects.get(username="koordinator")
    client.force_login(coordinator)
    with pghistory.context(user=coordinator.pk):
        section = roadmap.sections.get(number="2.")
        section.title = "Методическая помощь школам и учителям"
        section.save()
        gone = roadmap.measures.get(number="2.1")
        services.row_delete(row=gone)
        roadmap.goal = "Повысить качество образования"
        roadmap.save()
    page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    assert "Удаление: Мероприятие 2.1 «Семинар для учителей математики»" in page
    assert "Изменение: Раздел 2 «Методическая помощь школам и учителям»" in page
    assert f"Изменение: Дорожная карта «{roadmap.title}»" in page
    assert "Дорожная карта 1" not in page.replace(roadmap.title, "")
    assert "запись №" not in page  # no database ids, every related row found by name
    # the measure's filter still offers the deleted measure, by its number and title
    assert "2.1 Семинар для учителей математики" in page


def test_a_report_and_the_people_in_it_are_named(client, roadmap):
    coordinator = User.objects.get(username="koordinator")
    coordinator.first_name, coordinator.last_name = "Анна", "Иванова"
    coordinator.save()
    occurrence = roadmap.measures.get(number="1.1").occurrences.get()
    report = factories.ReportFactory(
        occurrence=occurrence, school=roadmap.municipality.schools.get(short_name="МКОУ СОШ № 1"),
        due_on=occurrence.due_on,
    )  # fmt: skip
    with pghistory.context(user=coordinator.pk):
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.ACCEPTED,
            reviewed_by=coordinator,
            reviewed_at=timezone.now(),
            submitted_at=timezone.now(),
            review_comment="Принято",
        )
    client.force_login(coordinator)
    page = client.get(reverse("measures:report_history", args=[report.pk])).text
    assert "Отчёт школы МКОУ СОШ № 1 по мероприятию 1.1 на 28.02.2022" in page
    assert "Анна Иванова" in page  # who saved, and whom «проверил» names
    assert "Проверил" in page or "проверил" in page
    assert f"№ {coordinator.pk}" not in page


def test_one_save_is_one_entry_with_its_control_dates_explained(client, roadmap):
    client.force_login(User.objects.get(username="koordinator"))
    measure = roadmap.measures.get(number="1.1")
    _edit(client, roadmap, measure, deadline_text="Март 2022г.", planned_result="Новый результат")
    page = client.get(reverse("measures:measure_history", args=[roadmap.pk, measure.pk])).text
    newest = _entry_with(page, "Новый результат")
    assert "Муниципальный координатор" in newest
    assert "Февраль 2022г." in newest and "Март 2022г." in newest
    assert "Новый результат" in newest
    assert (
        "Контрольные даты мероприятия 1.1 пересчитаны по его сроку: добавлены 31.03.2022; "
        "убраны 28.02.2022." in newest
    )
    assert "Кто: система" not in page and "система" not in page


def test_a_long_text_is_shown_as_a_word_diff(client, roadmap):
    client.force_login(User.objects.get(username="koordinator"))
    measure = roadmap.measures.get(number="1.1")
    long = " ".join(f"слово{n}" for n in range(40))
    _edit(client, roadmap, measure, planned_result=long)
    _edit(client, roadmap, measure, planned_result=long.replace("слово20", "исправлено"))
    page = client.get(reverse("measures:measure_history", args=[roadmap.pk, measure.pk])).text
    newest = _entry_with(page, "исправлено")
    assert "<del>слово20</del>" in newest and "<ins>исправлено</ins>" in newest
    assert "слово0 " not in newest  # the long unchanged start is shortened
    assert "…" in newest


def test_the_portals_own_entries_are_explained_and_noise_is_hidden(client, roadmap):
    """Rows written without a person (a demo load, a shell) say so in plain words; a copy
    names its source; a save that changed only a version is not shown; no note about
    database triggers."""
    coordinator = User.objects.get(username="koordinator")
    client.force_login(coordinator)
    measure = roadmap.measures.get(number="1.1")
    Measure.objects.filter(pk=measure.pk).update(version=measure.version + 5)  # noise
    page = client.get(reverse("measures:measure_history", args=[roadmap.pk, measure.pk])).text
    assert "Внесено не через страницы портала" in page
    assert "триггер" not in page and "сама база данных" not in page
    assert _entries(page) == 1  # the creation only, the version bump hidden
    copy, _flagged = services.roadmap_copy(
        roadmap=roadmap, starts_on=date(2023, 1, 1), ends_on=date(2023, 12, 31), by=None
    )
    page = client.get(reverse("measures:roadmap_history", args=[copy.pk])).text
    assert _entries(page) == 1
    assert f"Создано при копировании дорожной карты «{roadmap.title}» на новый период." in page
    assert "Создание: 3 мероприятия" in page or "Мероприятие 1.1" in page


def test_an_imported_roadmap_names_its_file_and_who_confirmed(client, roadmap):
    coordinator = User.objects.get(username="koordinator")
    RoadmapImport.objects.create(
        municipality=roadmap.municipality, file_name="Дорожная карта 2022.docx", sha256="0" * 64,
        starts_on=roadmap.starts_on, ends_on=roadmap.ends_on, roadmap=roadmap,
        created_by=coordinator, confirmed_by=coordinator,
    )  # fmt: skip
    with pghistory.context(user=coordinator.pk, task="confirm_import"):
        Section.objects.filter(roadmap=roadmap).update(title="Раздел из файла")
    client.force_login(coordinator)
    page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    # (in a test every write shares one transaction's time: the entry is found by its text)
    (entry,) = [e for e in page.split('<section class="history-entry">') if "из файла" in e]
    assert "Муниципальный координатор" in entry
    assert "Загружено при импорте файла «Дорожная карта 2022.docx»." in entry
    assert "Изменение: Раздел 1 «Раздел из файла»" in entry


def test_the_history_is_filtered_by_measure_person_and_date(client, roadmap):
    coordinator = User.objects.get(username="koordinator")
    other = factories.appointed("vtoroy", "coordinator", roadmap.municipality, first_name="Пётр")
    first, second = roadmap.measures.get(number="1.1"), roadmap.measures.get(number="2.1")
    client.force_login(other)
    _edit(client, roadmap, first, title="Правка второго координатора")
    client.force_login(coordinator)
    _edit(client, roadmap, second, title="Правка первого координатора")
    url = reverse("measures:roadmap_history", args=[roadmap.pk])
    page = client.get(url, {"who": other.pk}).text
    assert 'value="system"' in page  # the portal's own entries can be chosen too
    page = _shown(page)
    assert "Правка второго координатора" in page and "Правка первого координатора" not in page
    page = _shown(client.get(url, {"measure": second.pk}).text)
    assert "Правка первого координатора" in page and "Правка второго координатора" not in page
    page = _shown(client.get(url, {"who": "system"}).text)
    assert "Правка" not in page and "Внесено не через страницы портала" in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.get(url, {"since": tomorrow}).text
    assert _entries(page) == 0 and "По этому отбору изменений нет." in page
    today = timezone.localdate().isoformat()
    page = _shown(client.get(url, {"since": today, "until": today}).text)
    assert "Правка второго координатора" in page and "Правка первого координатора" in page
    # a wrong range: a Russian message, the typed dates kept, no 500
    response = client.get(url, {"since": tomorrow, "until": today})
    assert response.status_code == 200
    assert "Дата «по» раньше даты «с»." in response.text and tomorrow in response.text
    assert client.get(url, {"since": "вчера", "who": "чужой"}).status_code == 200


def test_the_history_is_paged_newest_first(client, roadmap):
    coordinator = User.objects.get(username="koordinator")
    measure = roadmap.measures.get(number="1.1")
    for n in range(55):
        with transaction.atomic(), pghistory.context(user=coordinator.pk):
            Measure.objects.filter(pk=measure.pk).update(planned_result=f"Результат {n:02}")
    client.force_login(coordinator)
    url = reverse("measures:measure_history", args=[roadmap.pk, measure.pk])
    page = client.get(url).text
    assert _entries(page) == 50
    assert "Страница 1 из 2" in page
    assert page.index("Результат 54") < page.index("Результат 10")  # newest first
    second = client.get(url, {"page": 2}).text
    assert _entries(second) == 6  # 5 more saves and the creation
    assert "Результат 54" not in second
    filtered = client.get(url, {"who": coordinator.pk, "page": 2}).text
    assert f"who={coordinator.pk}" in filtered  # the filter kept in the page links


def test_a_director_is_offered_only_the_measures_of_their_school(client, roadmap):
    measure = roadmap.measures.get(number="2.1")
    Measure.objects.filter(pk=measure.pk).update(all_designated_schools=False)
    client.force_login(User.objects.get(username="direktor"))
    page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    assert "Семинар для учителей математики" not in page
    assert "1.1 Анализ результатов оценочных процедур" in page  # among the filter's choices


def test_a_working_group_member_cannot_post_to_the_history(client, roadmap):
    client.force_login(User.objects.get(username="rabgruppa"))
    url = reverse("measures:roadmap_history", args=[roadmap.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"who": "system"}).status_code == 405


@pytest.mark.parametrize("view", ["roadmap", "measure"])
def test_the_history_keeps_a_flat_query_count(client, roadmap, django_assert_max_num_queries, view):
    """10 saves or 200 saves of several rows: the same number of queries for a page."""
    coordinator = User.objects.get(username="koordinator")
    client.force_login(coordinator)
    measure = roadmap.measures.get(number="1.1")
    url = (
        reverse("measures:roadmap_history", args=[roadmap.pk])
        if view == "roadmap"
        else reverse("measures:measure_history", args=[roadmap.pk, measure.pk])
    )
    client.get(url)
    counts = []
    for size in (10, 200):
        while MeasureEvent.objects.filter(pgh_obj_id=measure.pk).count() < size:
            with transaction.atomic(), pghistory.context(user=coordinator.pk):
                n = MeasureEvent.objects.count()
                Measure.objects.filter(pk=measure.pk).update(planned_result=f"Результат {n}")
                Occurrence.objects.create(measure=measure, due_on=date(2022, 3, 1) + timedelta(n))
        with django_assert_max_num_queries(18) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[1] <= counts[0]  # (the first page of the smaller one holds the creation)


def test_a_demo_roadmaps_history_is_short_and_readable_in_chromium(live_server, browser):
    """The demo's history after an edit in the browser: a few screens, not 33,000 pixels; who
    and what by name; the demo's own rows explained; nothing wider than a phone."""
    from measures.demo import load_demo
    from tests.test_browser import login

    load_demo()
    cherek = Roadmap.objects.filter(municipality__name="Черекский муниципальный район")
    roadmap = cherek.order_by("-starts_on").first()
    roadmap.status = Roadmap.Status.DRAFT  # only a draft is edited
    roadmap.save(update_fields=["status"])
    measure = roadmap.measures.get(number="3.1")
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server, "koordinator")
        page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/measures/{measure.pk}/")
        page.locator('[name="measure-deadline_text"]').fill("Ежеквартально")
        page.get_by_role("button", name="Сохранить").first.click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/history/")
        entries = page.locator(".history-entry")
        first = entries.first.inner_text()
        assert "Муниципальный координатор" in first
        assert "Изменение: Мероприятие 3.1 «Утверждение состава" in first
        assert "Ежегодно в декабре" in first and "Ежеквартально" in first
        assert "Контрольные даты пересчитаны по новому сроку" in first
        text = page.locator("main").inner_text() if page.locator("main").count() else ""
        assert "система" not in text.lower().split("история изменений", 1)[-1]
        assert "Внесено не через страницы портала" in text or "Создано при копировании" in text
        assert page.evaluate("document.documentElement.scrollHeight") < 4000
        page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/measures/{measure.pk}/history/")
        newest = page.locator(".history-entry").first.inner_text()
        assert (
            "Контрольные даты мероприятия 3.1 пересчитаны по его сроку: добавлены 31.03." in newest
        )
        page.set_viewport_size({"width": 390, "height": 844})
        for url in (
            f"/roadmaps/{roadmap.pk}/history/",
            f"/roadmaps/{roadmap.pk}/measures/{measure.pk}/history/",
        ):
            page.goto(live_server.url + url)
            assert page.evaluate("document.documentElement.scrollWidth") == 390
    finally:
        context.close()
