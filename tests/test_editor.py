"""The roadmap editor: its services (order, numbers, the draft-only rule) and its views (htmx and
plain POST answers, errors inline, refusals, query counts)."""

import threading
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from measures import editing
from measures.forms import next_school_year
from measures.models import Measure, Occurrence, Roadmap, Section
from tests import factories

pytestmark = pytest.mark.django_db


def draft(tenants, sections: int = 2, per_section: int = 2) -> Roadmap:
    """A draft of the home tenant with automatic numbers, built through the services."""
    roadmap = factories.RoadmapFactory(
        municipality=tenants.home.municipality,
        title=f"Проект {factories.UserFactory().username}",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 8, 31),
    )
    for s in range(sections):
        section = editing.section_add(roadmap=roadmap, title=f"Раздел {s + 1}")
        for m in range(per_section):
            add(roadmap, section, f"Мероприятие {s + 1}.{m + 1}")
    return roadmap


def add(roadmap: Roadmap, section: Section | None, title: str, number: str = "") -> Measure:
    return editing.measure_add(
        measure=Measure(
            roadmap=roadmap,
            section=section,
            title=title,
            number=number,
            deadline_text="Октябрь 2026 г.",
        )
    )


def layout(roadmap: Roadmap) -> list[tuple[str, str]]:
    """(number, title) of every row in print order; positions must be 1..n."""
    sections = list(roadmap.sections.order_by("position"))
    measures = list(roadmap.measures.order_by("position"))
    assert [s.position for s in sections] == list(range(1, len(sections) + 1))
    assert [m.position for m in measures] == list(range(1, len(measures) + 1))
    rows = [(m.number, m.title) for m in measures if m.section_id is None]
    for section in sections:
        rows.append((section.number, section.title))
        rows += [(m.number, m.title) for m in measures if m.section_id == section.pk]
    # the measures' order is the print order: each section's measures are together
    assert [m.title for m in measures] == [t for n, t in rows if t.startswith("Мероприятие")]
    return rows


# --- services ---------------------------------------------------------------------------------


def test_numbers_are_given_in_order(tenants):
    roadmap = draft(tenants)
    assert layout(roadmap) == [
        ("1", "Раздел 1"), ("1.1", "Мероприятие 1.1"), ("1.2", "Мероприятие 1.2"),
        ("2", "Раздел 2"), ("2.1", "Мероприятие 2.1"), ("2.2", "Мероприятие 2.2"),
    ]  # fmt: skip
    measure = roadmap.measures.get(title="Мероприятие 1.1")
    assert measure.occurrences.filter(kind=Occurrence.Kind.DUE).exists()  # the deadline read


def test_a_typed_number_is_kept(tenants):
    roadmap = draft(tenants, sections=1, per_section=1)
    section = roadmap.sections.get()
    add(roadmap, section, "Мероприятие особое", number="1.1а")
    add(roadmap, section, "Мероприятие третье")
    typed = roadmap.measures.get(number="1.1а")
    assert typed.number_typed
    first = roadmap.measures.get(title="Мероприятие 1.1")
    editing.measure_move(measure=first, direction="down")
    assert layout(roadmap)[1:] == [
        ("1.1а", "Мероприятие особое"), ("1.2", "Мероприятие 1.1"), ("1.3", "Мероприятие третье"),
    ]  # fmt: skip


def test_a_typed_section_number_leads_its_measures(tenants):
    roadmap = draft(tenants, sections=1, per_section=2)
    section = roadmap.sections.get()
    editing.section_update(section=section, title="Анализ", number="IV.")
    assert layout(roadmap) == [
        ("IV.", "Анализ"), ("IV.1", "Мероприятие 1.1"), ("IV.2", "Мероприятие 1.2"),
    ]  # fmt: skip
    editing.section_update(section=section, title="Анализ", number="")  # automatic again
    assert layout(roadmap)[0] == ("1", "Анализ")


def test_typed_number_rule():
    assert not editing.typed_number("1.2", False, "1.2")  # left as it was
    assert editing.typed_number("1.2", False, "1.2а")  # changed
    assert not editing.typed_number("1.2а", True, "  ")  # cleared: automatic again
    assert editing.typed_number("5", True, "5")  # imported, kept


def test_moves_cross_section_boundaries(tenants):
    roadmap = draft(tenants)
    last_of_first = roadmap.measures.get(title="Мероприятие 1.2")
    editing.measure_move(measure=last_of_first, direction="down")
    assert layout(roadmap) == [
        ("1", "Раздел 1"), ("1.1", "Мероприятие 1.1"),
        ("2", "Раздел 2"), ("2.1", "Мероприятие 1.2"), ("2.2", "Мероприятие 2.1"),
        ("2.3", "Мероприятие 2.2"),
    ]  # fmt: skip
    editing.measure_move(measure=last_of_first, direction="up")
    editing.measure_move(measure=last_of_first, direction="up")
    assert [t for _n, t in layout(roadmap)][:3] == [
        "Раздел 1", "Мероприятие 1.2", "Мероприятие 1.1",
    ]  # fmt: skip
    first = roadmap.measures.get(title="Мероприятие 1.2")
    assert editing.measure_move(measure=first, direction="up") is False  # the very top
    last = roadmap.measures.get(title="Мероприятие 2.2")
    assert editing.measure_move(measure=last, direction="down") is False


def test_sections_move_with_their_measures(tenants):
    roadmap = draft(tenants)
    second = roadmap.sections.get(title="Раздел 2")
    assert editing.section_move(section=second, direction="up")
    assert layout(roadmap) == [
        ("1", "Раздел 2"), ("1.1", "Мероприятие 2.1"), ("1.2", "Мероприятие 2.2"),
        ("2", "Раздел 1"), ("2.1", "Мероприятие 1.1"), ("2.2", "Мероприятие 1.2"),
    ]  # fmt: skip
    assert not editing.section_move(section=second, direction="up")


def test_deleting_renumbers(tenants):
    roadmap = draft(tenants)
    editing.measure_delete(measure=roadmap.measures.get(title="Мероприятие 1.1"))
    editing.section_delete(section=roadmap.sections.get(title="Раздел 1"))
    assert layout(roadmap) == [
        ("1", "Раздел 2"), ("1.1", "Мероприятие 2.1"), ("1.2", "Мероприятие 2.2"),
    ]  # fmt: skip


def test_measures_before_the_first_section(tenants):
    roadmap = draft(tenants, sections=0)
    add(roadmap, None, "Мероприятие А")
    add(roadmap, None, "Мероприятие Б")
    section = editing.section_add(roadmap=roadmap, title="Раздел 1")
    assert layout(roadmap) == [
        ("1", "Мероприятие А"), ("2", "Мероприятие Б"), ("1", "Раздел 1"),
    ]  # fmt: skip
    editing.measure_move(measure=roadmap.measures.get(title="Мероприятие Б"), direction="down")
    assert layout(roadmap)[1:] == [("1", "Раздел 1"), ("1.1", "Мероприятие Б")]
    assert roadmap.measures.get(title="Мероприятие Б").section == section


def test_a_reported_measure_is_not_deleted(tenants):
    roadmap = draft(tenants, sections=1, per_section=1)
    measure = roadmap.measures.get()
    factories.ReportFactory(occurrence=measure.occurrences.first(), school=tenants.home.schools[0])
    with pytest.raises(ValidationError):
        editing.measure_delete(measure=measure)
    assert roadmap.measures.count() == 1


def test_only_a_draft_is_edited(tenants):
    approved = tenants.home.roadmap
    section = approved.sections.first()
    measure = approved.measures.first()
    for write in [
        lambda: editing.section_add(roadmap=approved, title="Новый"),
        lambda: editing.section_move(section=section, direction="down"),
        lambda: editing.section_delete(section=section),
        lambda: add(approved, section, "Мероприятие новое"),
        lambda: editing.measure_move(measure=measure, direction="down"),
        lambda: editing.measure_delete(measure=measure),
        lambda: editing.roadmap_delete(roadmap=approved),
    ]:
        with pytest.raises(PermissionDenied, match="Внести"):
            write()
    assert approved.measures.count() == 3 and approved.sections.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_keep_positions_unique(tenants):
    """Two coordinators move at once: the roadmap lock makes them take turns."""
    roadmap = draft(tenants, sections=2, per_section=3)
    measures = list(roadmap.measures.order_by("position"))
    errors = []

    def move(measure: Measure, direction: str) -> None:
        try:
            for _ in range(3):
                editing.measure_move(measure=measure, direction=direction)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(measures[0], "down")),
        threading.Thread(target=move, args=(measures[-1], "up")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = layout(roadmap)
    numbers = [n for n, t in rows if t.startswith("Мер")]
    assert len(numbers) == len(set(numbers)) == 6


# --- views ------------------------------------------------------------------------------------


def login(client, username: str = "koordinator"):
    client.force_login(User.objects.get(username=username))
    return client


def urls(roadmap: Roadmap) -> dict[str, str]:
    section = roadmap.sections.order_by("position").first()
    measure = roadmap.measures.order_by("position").first()
    return {
        "roadmap_edit": reverse("measures:roadmap_edit", args=[roadmap.pk]),
        "roadmap_delete": reverse("measures:roadmap_delete", args=[roadmap.pk]),
        "section_add": reverse("measures:section_add", args=[roadmap.pk]),
        "section_edit": reverse("measures:section_edit", args=[roadmap.pk, section.pk]),
        "section_move": reverse("measures:section_move", args=[roadmap.pk, section.pk]),
        "section_delete": reverse("measures:section_delete", args=[roadmap.pk, section.pk]),
        "measure_add": reverse("measures:measure_add", args=[roadmap.pk]),
        "measure_inline": reverse("measures:measure_inline", args=[roadmap.pk, measure.pk]),
        "measure_move": reverse("measures:measure_move", args=[roadmap.pk, measure.pk]),
        "measure_delete": reverse("measures:measure_delete", args=[roadmap.pk, measure.pk]),
        "measure_edit": reverse("measures:measure_edit", args=[roadmap.pk, measure.pk]),
        "measure_deadline": reverse("measures:measure_deadline", args=[roadmap.pk, measure.pk]),
    }


def test_create_a_roadmap(client, tenants):
    login(client)
    page = client.get(reverse("measures:roadmap_create"))
    assert page.status_code == 200
    starts_on, ends_on = next_school_year(timezone.localdate())
    assert f'value="{starts_on.isoformat()}"' in page.text  # the school year, 01.09–31.08
    assert f'value="{ends_on.isoformat()}"' in page.text
    response = client.post(
        reverse("measures:roadmap_create"),
        {
            "municipality": tenants.home.municipality.pk,
            "starts_on": "2026-09-01",
            "ends_on": "2027-08-31",
            "title": "Дорожная карта на 2026–2027 учебный год",
            "goal": "Повысить качество образования",
        },
    )
    roadmap = Roadmap.objects.get(title="Дорожная карта на 2026–2027 учебный год")
    assert response.status_code == 302
    assert response["Location"] == reverse("measures:roadmap_editor", args=[roadmap.pk])
    assert roadmap.status == Roadmap.Status.DRAFT


def test_create_refuses_bad_input_inline(client, tenants):
    login(client)
    response = client.post(
        reverse("measures:roadmap_create"),
        {
            "municipality": tenants.other.municipality.pk,  # not coordinated
            "starts_on": "2027-09-01",
            "ends_on": "2026-08-31",
            "title": "Карта с ошибками",
        },
    )
    assert response.status_code == 400
    assert "Окончание периода раньше его начала." in response.text
    assert "Выберите корректный вариант" in response.text
    assert "Карта с ошибками" in response.text  # nothing typed lost
    assert not Roadmap.objects.filter(title="Карта с ошибками").exists()


def test_the_editor_shows_rows_and_controls(client, tenants):
    roadmap = draft(tenants)
    page = login(client).get(reverse("measures:roadmap_editor", args=[roadmap.pk]))
    assert page.status_code == 200
    assert "Мероприятие 2.2" in page.text and "↑ Выше" in page.text
    u = urls(roadmap)  # the rows' URLs are built from a base in the template: they must resolve
    for name in ["section_move", "measure_move"]:
        assert f'action="{u[name]}"' in page.text, name
    for state, name in [("edit=section-", "section_edit"), ("edit=measure-", "measure_inline"),
                        ("delete=section-", "section_delete"), ("delete=measure-", "measure_delete"),
                        ("add=section", "section_add"), ("add=measure-", "measure_add")]:  # fmt: skip
        pk = u[name].rstrip("/").split("/")[-1 if "delete" not in name else -2]
        if name == "measure_add":
            pk = str(roadmap.sections.order_by("position").first().pk)
        query = state + (pk if state.endswith("-") else "")
        shown = client.get(reverse("measures:roadmap_editor", args=[roadmap.pk]) + "?" + query)
        assert f'action="{u[name]}"' in shown.text, name
    detail = client.get(reverse("measures:roadmap_detail", args=[roadmap.pk]))
    assert reverse("measures:roadmap_editor", args=[roadmap.pk]) in detail.text


def test_htmx_and_plain_answers(client, tenants):
    roadmap = draft(tenants)
    login(client)
    u = urls(roadmap)
    measure = roadmap.measures.order_by("position").first()
    plain = client.post(u["measure_move"], {"direction": "down"})
    assert plain.status_code == 302
    assert plain["Location"].endswith(f"focus=measure-{measure.pk}-down")  # autofocus
    htmx = client.post(u["measure_move"], {"direction": "up"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200
    assert htmx.text.lstrip().startswith('<div id="editor-rows"')  # the list, not a page
    assert "<html" not in htmx.text
    assert f'id="measure-{measure.pk}-up" autofocus' in htmx.text  # focus stays on the control
    edit = client.get(
        reverse("measures:roadmap_editor", args=[roadmap.pk]) + f"?edit=measure-{measure.pk}",
        headers={"HX-Request": "true"},
    )
    assert f'name="measure-{measure.pk}-title"' in edit.text and "autofocus" in edit.text


def test_measure_saved_in_place_with_errors_inline(client, tenants):
    roadmap = draft(tenants)
    login(client)
    u = urls(roadmap)
    measure = roadmap.measures.order_by("position").first()
    p = f"measure-{measure.pk}-"
    data = {p + "number": "1.1", p + "title": "", p + "deadline_text": "Май 2027",
            p + "owners_text": "Отдел", p + "planned_result": "Итог", p + "version": measure.version}  # fmt: skip
    bad = client.post(u["measure_inline"], data, headers={"HX-Request": "true"})
    assert bad.status_code == 400
    assert "Обязательное поле" in bad.text and "Итог" in bad.text
    data[p + "title"] = "Семинар для заместителей"
    good = client.post(u["measure_inline"], data)
    assert good.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Семинар для заместителей" and not measure.number_typed
    stale = client.post(u["measure_inline"], data, headers={"HX-Request": "true"})
    assert stale.status_code == 409
    assert "изменил(а)" in stale.text and "Семинар для заместителей" in stale.text


def test_section_and_measure_added_without_js(client, tenants):
    roadmap = draft(tenants, sections=0)
    login(client)
    u = {
        "section_add": reverse("measures:section_add", args=[roadmap.pk]),
        "measure_add": reverse("measures:measure_add", args=[roadmap.pk]),
    }
    assert client.post(u["section_add"], {"title": ""}).status_code == 400
    assert client.post(u["section_add"], {"title": "Анализ"}).status_code == 302
    section = roadmap.sections.get()
    response = client.post(
        u["measure_add"],
        {"section": section.pk, "new-title": "Совещание", "new-deadline_text": "Ежемесячно",
         "new-version": 1},
    )  # fmt: skip
    assert response.status_code == 302
    assert roadmap.measures.get().number == "1.1"
    foreign = factories.SectionFactory(roadmap=tenants.other.roadmap)
    response = client.post(
        u["measure_add"], {"section": foreign.pk, "new-title": "Чужой", "new-version": 1}
    )
    assert response.status_code == 400 and "Раздел не найден" in response.text


def test_delete_asks_then_deletes(client, tenants):
    roadmap = draft(tenants)
    login(client)
    u = urls(roadmap)
    measure = roadmap.measures.order_by("position").first()
    ask = client.get(
        reverse("measures:roadmap_editor", args=[roadmap.pk]) + f"?delete=measure-{measure.pk}"
    )
    assert "Да, удалить" in ask.text and ask.status_code == 200
    assert client.post(u["measure_delete"], headers={"HX-Request": "true"}).status_code == 200
    assert not Measure.objects.filter(pk=measure.pk).exists()
    assert client.get(u["roadmap_delete"]).status_code == 200
    assert client.post(u["roadmap_delete"]).status_code == 302
    assert not Roadmap.objects.filter(pk=roadmap.pk).exists()


def test_an_approved_roadmap_is_refused_everywhere(client, tenants):
    approved = tenants.home.roadmap
    login(client)
    page = client.get(reverse("measures:roadmap_editor", args=[approved.pk]))
    assert page.status_code == 403 and "Внести изменения" in page.text
    for name, url in urls(approved).items():
        response = client.post(url, {"direction": "up", "title": "x"})
        assert response.status_code == 403, name
        assert "документом о внесении изменений" in response.text, name
    detail = client.get(reverse("measures:roadmap_detail", args=[approved.pk]))
    assert "документом о внесении изменений" in detail.text
    assert reverse("measures:roadmap_editor", args=[approved.pk]) not in detail.text


def test_working_group_forged_posts_are_refused(client, tenants):
    roadmap = draft(tenants)
    login(client, "rabgruppa")
    for name, url in {
        **urls(roadmap), "create": reverse("measures:roadmap_create"),
    }.items():  # fmt: skip
        assert client.post(url, {"direction": "up", "title": "x"}).status_code == 403, name
    assert roadmap.measures.count() == 4 and roadmap.sections.count() == 2


def action_queries(client, roadmap: Roadmap) -> dict[str, int]:
    """The queries of the editor page and of each editor action (as htmx sends them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor = reverse("measures:roadmap_editor", args=[roadmap.pk])
    client.get(editor)  # warm up
    u = urls(roadmap)
    measure = roadmap.measures.order_by("position").first()
    section = roadmap.sections.order_by("position").first()
    p, s = f"measure-{measure.pk}-", f"section-{section.pk}-"
    actions = [
        ("open", "get", editor, {}),
        ("open a row", "get", editor + f"?edit=measure-{measure.pk}", {}),
        ("add section", "post", u["section_add"], {"title": "Новый раздел"}),
        ("add measure", "post", u["measure_add"], {"section": section.pk, "new-title": "Новое",
                                                   "new-deadline_text": "Май 2027",
                                                   "new-version": 1}),
        ("edit measure", "post", u["measure_inline"], {p + "title": "Другое",
                                                       p + "deadline_text": "Июнь 2027",
                                                       p + "version": measure.version}),
        ("edit section", "post", u["section_edit"], {s + "title": "Другой раздел",
                                                     s + "number": section.number,
                                                     s + "number_opened": section.number,
                                                     s + "version": section.version}),
        ("move down", "post", u["measure_move"], {"direction": "down"}),
        ("move up", "post", u["measure_move"], {"direction": "up"}),
        ("move section", "post", u["section_move"], {"direction": "down"}),
        ("delete measure", "post", u["measure_delete"], {}),
    ]  # fmt: skip
    counts = {}
    for name, method, url, data in actions:
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_editor_query_counts_do_not_grow(client, tenants):
    """The page and each action on 2 and on 60 measures: the same number of queries."""
    login(client)
    small = action_queries(client, draft(tenants, sections=2, per_section=1))
    large = action_queries(client, draft(tenants, sections=2, per_section=30))
    assert small == large
    # an edit also reconciles the owners with the registry and checks the schools chosen, and
    # a control date it removes takes its reminders with it (one DELETE)
    assert max(small.values()) <= 33, small


def test_the_measure_page_keeps_a_typed_number_and_renumbers_a_cleared_one(client, tenants):
    roadmap = draft(tenants, sections=1, per_section=2)
    measure = roadmap.measures.order_by("position").last()
    url = reverse("measures:measure_edit", args=[roadmap.pk, measure.pk])
    data = {"measure-title": measure.title, "measure-deadline_text": "Май 2027",
            "measure-number": "1.2-бис", "measure-version": measure.version}  # fmt: skip
    assert login(client).post(url, data).status_code == 302
    measure.refresh_from_db()
    assert (measure.number, measure.number_typed) == ("1.2-бис", True)
    data.update({"measure-number": "", "measure-version": measure.version})
    assert client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert (measure.number, measure.number_typed) == ("1.2", False)


def test_deleting_a_section_asks_with_its_measures(client, tenants):
    roadmap = draft(tenants, sections=1, per_section=2)
    section = roadmap.sections.get()
    editor = reverse("measures:roadmap_editor", args=[roadmap.pk])
    page = login(client).get(editor + f"?delete=section-{section.pk}")
    assert "Удалить раздел «Раздел 1» вместе с его мероприятиями (всего: 2)?" in page.text
    url = reverse("measures:section_delete", args=[roadmap.pk, section.pk])
    assert client.post(url).status_code == 302
    assert not roadmap.sections.exists() and not roadmap.measures.exists()


def test_a_copy_keeps_which_numbers_are_automatic(tenants):
    from measures.services import roadmap_copy

    roadmap = draft(tenants, sections=1, per_section=1)
    add(roadmap, roadmap.sections.get(), "Мероприятие особое", number="1.1а")
    copy, _flagged = roadmap_copy(
        roadmap=roadmap, starts_on=date(2027, 9, 1), ends_on=date(2028, 8, 31)
    )
    typed = dict(copy.measures.values_list("number", "number_typed"))
    assert typed == {"1.1": False, "1.1а": True}
    assert not copy.sections.get().number_typed


def test_an_automatic_number_never_repeats_a_typed_one(tenants):
    """Typed «1.1», «1.2», «1.3», «1.2» deleted, a measure added without a number: «1.4»,
    not a second «1.3»; a section likewise skips a typed section number."""
    roadmap = draft(tenants, sections=0)
    section = editing.section_add(roadmap=roadmap, title="Раздел", number="1")
    rows = [add(roadmap, section, f"Мероприятие {n}", number=f"1.{n}") for n in (1, 2, 3)]
    editing.measure_delete(measure=rows[1])
    add(roadmap, section, "Без номера")
    numbers = list(roadmap.measures.order_by("position").values_list("number", flat=True))
    assert numbers == ["1.1", "1.3", "1.4"]
    editing.section_add(roadmap=roadmap, title="Второй", number="2")
    editing.section_add(roadmap=roadmap, title="Без номера")
    sections = list(roadmap.sections.order_by("position").values_list("number", flat=True))
    assert sections == ["1", "2", "3"] and len(set(sections)) == 3
    editing.section_add(roadmap=roadmap, title="Четвёртый", number="5")
    editing.section_move(
        section=roadmap.sections.get(title="Без номера"), direction="down"
    )  # automatic «3» now in fourth place: «4», never the typed «5»
    sections = list(roadmap.sections.order_by("position").values_list("number", flat=True))
    assert sections == ["1", "2", "5", "4"]


def test_imported_numbers_the_editor_would_give_follow_moves(tenants):
    """An imported «1.1, 1.2» or «IV.1» under «IV.» is what the editor would give: automatic
    (a move renumbers it); an imported «IV.» section or a bare «1» under it stays as written."""
    from measures.importing import read_roadmap_file
    from measures.services import roadmap_import_confirm, roadmap_import_preview
    from tests.test_hostile_input import csv_bytes

    rows = [
        ["№ п/п", "Наименование мероприятия", "Ответственные", "Сроки", "Результат"],
        ["1.", "Первый раздел", "", "", ""],
        ["1.1", "Семинар", "Отдел", "Май 2026 г.", "Проведён"],
        ["1.2", "Совещание", "Отдел", "Июнь 2026 г.", "Проведено"],
        ["IV.", "Другой раздел", "", "", ""],
        ["IV.1", "Педсовет", "Отдел", "Август 2026 г.", "Проведён"],
        ["1", "Собрание", "Отдел", "Сентябрь 2026 г.", "Проведено"],
    ]
    assert read_roadmap_file("план.csv", csv_bytes(rows), (date(2026, 1, 1), date(2026, 12, 31)))
    record = roadmap_import_preview(
        municipality=tenants.home.municipality, file_name="план.csv", data=csv_bytes(rows),
        period=(date(2026, 1, 1), date(2026, 12, 31)), title="Импорт",
    )  # fmt: skip
    roadmap = roadmap_import_confirm(roadmap_import=record, user=tenants.home.coordinator)
    typed = dict(roadmap.measures.values_list("number", "number_typed"))
    assert typed == {"1.1": False, "1.2": False, "IV.1": False, "1": True}
    assert dict(roadmap.sections.values_list("number", "number_typed")) == {
        "1.": False, "IV.": True,
    }  # fmt: skip
    editing.measure_move(measure=roadmap.measures.get(title="Семинар"), direction="down")
    order = roadmap.measures.order_by("position").values_list("title", "number")
    assert list(order) == [
        ("Совещание", "1.1"), ("Семинар", "1.2"), ("Педсовет", "IV.1"), ("Собрание", "1"),
    ]  # fmt: skip
