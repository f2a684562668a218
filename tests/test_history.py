"""Every change is recorded by database triggers, shown to people, and cannot be undone."""

import pytest
from django.contrib.auth.models import User
from django.db import InternalError, transaction
from django.urls import reverse

from measures.models import Measure, MeasureEvent
from schools.models import AppointmentEvent, PermissionEvent
from schools.services import appoint, remove_appointment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap(tenants):
    """The roadmap of the factory-built tenant (conftest.py), its three measures in two
    sections (factories.MEASURES)."""
    return tenants.home.roadmap


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
