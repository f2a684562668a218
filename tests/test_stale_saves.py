"""No lost edit on a stale save: sections and a roadmap's header carry versions like measures
(`roadmap_portal.concurrency`); the automatic renumbering does not make a section's form stale."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from measures import editing
from measures.models import Roadmap, Section
from roadmap_portal.concurrency import StaleEdit
from schools import registry
from schools.models import MentorPairing
from tests.test_editor import draft, login

pytestmark = pytest.mark.django_db


def sections(roadmap: Roadmap) -> list[Section]:
    return list(roadmap.sections.order_by("position"))


# --- services ---------------------------------------------------------------------------------


def test_a_stale_section_edit_is_refused_and_nothing_saved(tenants):
    roadmap = draft(tenants, sections=2, per_section=1)
    section = sections(roadmap)[1]
    opened = section.version
    editing.section_update(section=section, title="Кадры", number="", expected_version=opened)
    section.refresh_from_db()
    assert section.version == opened + 1
    with pytest.raises(StaleEdit) as refused:
        editing.section_update(
            section=Section.objects.get(pk=section.pk),
            title="Методическая работа",
            number="",
            expected_version=opened,
        )
    assert refused.value.current.title == "Кадры"
    section.refresh_from_db()
    assert (section.title, section.version) == ("Кадры", opened + 1)


def test_a_no_op_save_keeps_the_version(tenants):
    roadmap = draft(tenants, sections=2, per_section=1)
    section = sections(roadmap)[0]
    before = section.version
    editing.section_update(
        section=section, title=section.title, number=section.number, expected_version=before
    )
    section.refresh_from_db()
    assert section.version == before and not section.number_typed
    roadmap.refresh_from_db()
    version = roadmap.version
    editing.roadmap_update(roadmap=roadmap, expected_version=version)
    roadmap.refresh_from_db()
    assert roadmap.version == version
    roadmap.goal = "Новая цель"
    editing.roadmap_update(roadmap=roadmap, expected_version=version)
    roadmap.refresh_from_db()
    assert roadmap.version == version + 1


def test_renumbering_does_not_make_a_title_edit_stale(tenants):
    """The rule: a person's change of a section's title or number grows its version; moves
    and the automatic renumbering do not."""
    roadmap = draft(tenants, sections=3, per_section=1)
    first, second, third = sections(roadmap)
    opened_version, opened_number = third.version, third.number  # the form shows «3»
    assert opened_number == "3"
    # meanwhile another coordinator adds a section, moves one and deletes the first
    editing.section_add(roadmap=roadmap, title="Раздел 4")
    editing.section_move(section=second, direction="up")
    editing.section_delete(section=Section.objects.get(pk=first.pk))
    third.refresh_from_db()
    assert third.number == "2" and third.version == opened_version
    editing.section_update(
        section=third,
        title="Работа с родителями",
        number=opened_number,  # left as shown: the number stays automatic
        expected_version=opened_version,
        number_opened=opened_number,
    )
    third.refresh_from_db()
    assert third.title == "Работа с родителями"
    assert (third.number, third.number_typed) == ("2", False)
    assert third.version == opened_version + 1
    # a number typed by a person is a change: the title form opened before it is stale
    editing.section_update(section=third, title=third.title, number="II", expected_version=None)
    with pytest.raises(StaleEdit):
        editing.section_update(
            section=third, title="Другое", number="2", expected_version=opened_version + 1
        )


def test_a_stale_roadmap_header_is_refused_and_nothing_saved(tenants):
    roadmap = draft(tenants, sections=1, per_section=1)
    opened = roadmap.version
    theirs = Roadmap.objects.get(pk=roadmap.pk)
    theirs.title = "Дорожная карта (их правка)"
    editing.roadmap_update(roadmap=theirs, expected_version=opened)
    mine = Roadmap.objects.get(pk=roadmap.pk)
    mine.goal = "Моя цель"
    with pytest.raises(StaleEdit):
        editing.roadmap_update(roadmap=mine, expected_version=opened)
    roadmap.refresh_from_db()
    assert roadmap.goal != "Моя цель" and roadmap.version == opened + 1


# --- views ------------------------------------------------------------------------------------


def section_data(section: Section, **changes: str) -> dict[str, object]:
    p = f"section-{section.pk}-"
    data = {"number": section.number, "title": section.title, "version": section.version,
            "number_opened": section.number}  # fmt: skip
    data.update(changes)
    return {p + name: value for name, value in data.items()}


@pytest.mark.parametrize("htmx", [True, False])
def test_a_stale_section_form_answers_409_with_the_typed_text(client, tenants, htmx):
    roadmap = draft(tenants, sections=2, per_section=1)
    section = sections(roadmap)[1]
    url = reverse("measures:section_edit", args=[roadmap.pk, section.pk])
    opened = section.version
    mine = section_data(section, title="Мой раздел: кадровое обеспечение")
    # another coordinator types a number meanwhile
    editing.section_update(section=section, title=section.title, number="II.")
    login(client)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(url, mine, headers=headers)
    assert response.status_code == 409
    assert "Не сохранено: раздел изменили" in response.text
    assert "Мой раздел: кадровое обеспечение" in response.text  # nothing typed lost
    p = f"section-{section.pk}-"
    # the number the user did not touch takes the other person's value, on the new version
    assert f'name="{p}number" value="II."' in response.text
    assert f'name="{p}version" value="{opened + 1}"' in response.text
    assert ("<html" in response.text) is not htmx
    section.refresh_from_db()
    assert section.title == "Раздел 2"
    # saving again (the form as answered) keeps both changes
    mine.update({p + "number": "II.", p + "version": section.version, p + "number_opened": "II."})
    again = client.post(url, mine, headers=headers)
    assert again.status_code == (200 if htmx else 302)
    section.refresh_from_db()
    assert (section.number, section.title) == ("II.", "Мой раздел: кадровое обеспечение")


def test_a_section_form_outlives_renumbering(client, tenants):
    roadmap = draft(tenants, sections=2, per_section=1)
    first, second = sections(roadmap)
    data = section_data(second, title="Мониторинг")
    editing.section_delete(section=first)  # «2» is «1» now
    response = login(client).post(
        reverse("measures:section_edit", args=[roadmap.pk, second.pk]), data
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.number, second.number_typed, second.title) == ("1", False, "Мониторинг")


def roadmap_data(roadmap: Roadmap, **changes: object) -> dict[str, object]:
    data = {"municipality": roadmap.municipality_id, "starts_on": roadmap.starts_on.isoformat(),
            "ends_on": roadmap.ends_on.isoformat(), "title": roadmap.title, "goal": roadmap.goal,
            "tasks": roadmap.tasks, "expected_results": roadmap.expected_results,
            "legal_basis": roadmap.legal_basis, "developers": roadmap.developers,
            "control": roadmap.control, "version": roadmap.version}  # fmt: skip
    data.update(changes)
    return data


def test_a_stale_roadmap_header_answers_409_with_the_typed_text(client, tenants):
    roadmap = draft(tenants, sections=1, per_section=1)
    url = reverse("measures:roadmap_edit", args=[roadmap.pk])
    login(client)
    page = client.get(url)
    assert f'name="version" value="{roadmap.version}"' in page.text
    mine = roadmap_data(roadmap, goal="Повысить долю выпускников, сдавших ЕГЭ")
    theirs = Roadmap.objects.get(pk=roadmap.pk)
    theirs.title = "Дорожная карта на 2026–2027 годы (новая редакция)"
    editing.roadmap_update(roadmap=theirs)
    response = client.post(url, mine)
    assert response.status_code == 409
    assert "Не сохранено: заголовок изменили" in response.text
    assert "Дорожную карту изменил(а)" in response.text
    assert "Повысить долю выпускников, сдавших ЕГЭ" in response.text
    assert "(новая редакция)</textarea>" in response.text  # their title in the form
    roadmap.refresh_from_db()
    assert roadmap.goal == "" and roadmap.version == theirs.version
    mine.update(title=theirs.title, version=roadmap.version)
    assert client.post(url, mine).status_code == 302
    roadmap.refresh_from_db()
    assert roadmap.title == theirs.title
    assert roadmap.goal == "Повысить долю выпускников, сдавших ЕГЭ"


def test_a_roadmap_form_without_a_version_is_refused_inline(client, tenants):
    roadmap = draft(tenants, sections=1, per_section=1)
    data = roadmap_data(roadmap, goal="Цель")
    del data["version"]
    response = login(client).post(reverse("measures:roadmap_edit", args=[roadmap.pk]), data)
    assert response.status_code == 400
    assert "Форма устарела" in response.text and "Цель" in response.text


def test_working_group_cannot_edit_a_section_or_the_header(client, tenants):
    roadmap = draft(tenants, sections=1, per_section=1)
    section = sections(roadmap)[0]
    login(client, "rabgruppa")
    edit = reverse("measures:section_edit", args=[roadmap.pk, section.pk])
    assert client.post(edit, section_data(section, title="Чужое")).status_code == 403
    header = reverse("measures:roadmap_edit", args=[roadmap.pk])
    assert client.post(header, roadmap_data(roadmap, goal="Чужое")).status_code == 403
    section.refresh_from_db()
    assert section.title == "Раздел 1"


# --- the registry: a mentor pairing ---------------------------------------------------------


def a_pairing(tenants):
    first, second = tenants.home.schools
    return registry.pairing_save(
        pairing=MentorPairing(mentor=second, supported=first, starts_on=date(2022, 1, 1),
                              ends_on=date(2022, 12, 31)),
        municipality=tenants.home.municipality,
    )  # fmt: skip


def test_a_stale_pairing_is_refused_in_the_service(tenants):
    pairing = a_pairing(tenants)
    opened = pairing.version
    municipality = tenants.home.municipality
    registry.pairing_save(pairing=pairing, municipality=municipality, expected_version=opened)
    assert MentorPairing.objects.get(pk=pairing.pk).version == opened  # nothing changed
    registry.pairing_end(pairing=pairing, municipality=municipality, ends_on=date(2022, 6, 30))
    mine = MentorPairing.objects.get(pk=pairing.pk)
    mine.starts_on = date(2022, 2, 1)
    with pytest.raises(StaleEdit):
        registry.pairing_save(pairing=mine, municipality=municipality, expected_version=opened)
    pairing.refresh_from_db()
    assert pairing.starts_on == date(2022, 1, 1) and pairing.version == opened + 1


def test_a_stale_pairing_form_answers_409_with_the_typed_dates(client, tenants):
    pairing = a_pairing(tenants)
    municipality = tenants.home.municipality
    url = reverse("schools:registry_pairing", args=[municipality.pk, pairing.pk])
    login(client)
    assert f'name="version" value="{pairing.version}"' in client.get(url).text
    mine = {"mentor": pairing.mentor_id, "supported": pairing.supported_id,
            "starts_on": "2022-03-01", "ends_on": "2022-12-31", "version": pairing.version}  # fmt: skip
    registry.pairing_end(pairing=pairing, municipality=municipality, ends_on=date(2022, 9, 30))
    response = client.post(url, mine)
    assert response.status_code == 409
    assert "Не сохранено: пару изменили" in response.text
    assert 'value="2022-03-01"' in response.text  # the typed start kept
    assert 'value="2022-09-30"' in response.text  # the untouched end: the other person's
    pairing.refresh_from_db()
    assert pairing.starts_on == date(2022, 1, 1)
    mine.update(ends_on="2022-09-30", version=pairing.version)
    assert client.post(url, mine).status_code == 302
    pairing.refresh_from_db()
    assert (pairing.starts_on, pairing.ends_on) == (date(2022, 3, 1), date(2022, 9, 30))
