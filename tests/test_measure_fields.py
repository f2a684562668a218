"""A measure's owners (registry links and printed text kept consistent), the live reading of its
deadline, and the schools it concerns: the service, the views and the measure page."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.models import ControlPair, Measure, Report, Roadmap
from measures.services import measure_save
from schools.models import Organisation, SchoolDesignation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tenants):
    """The home tenant with its roadmap back to a draft: only a draft's measures are edited."""
    tenants.home.roadmap.status = Roadmap.Status.DRAFT
    tenants.home.roadmap.save(update_fields=["status"])
    return tenants.home


@pytest.fixture
def measure(home) -> Measure:
    return Measure.objects.select_related("roadmap__municipality").get(
        roadmap=home.roadmap, number="2.1"
    )  # «Руководители ОО», no links


@pytest.fixture
def boziev(home):
    return factories.PersonFactory(
        municipality=home.municipality, short_name="Бозиев А.Т.", full_name="Бозиев Алим Тахирович"
    )


def save(measure: Measure, **links) -> Measure:
    measure_save(measure=measure, links=links)
    return Measure.objects.get(pk=measure.pk)


# --- owners: the service -------------------------------------------------------------------


def test_linking_a_person_appends_their_name_to_the_text(measure, boziev):
    saved = save(measure, owners=[boziev], owner_organisations=[])
    assert saved.owners_text == "Руководители ОО, Бозиев А.Т."
    assert list(saved.owners.all()) == [boziev]


def test_a_name_already_printed_is_not_appended_again(measure, boziev):
    measure.owners_text = "Руководители ОО (Бозиев А. Т.)"
    saved = save(measure, owners=[boziev], owner_organisations=[])
    assert saved.owners_text == "Руководители ОО (Бозиев А. Т.)"
    assert list(saved.owners.all()) == [boziev]


def test_unlinking_a_person_takes_their_name_out_of_the_text(measure, boziev, home):
    measure.owners_text = "Руководители ОО, Бозиев А.Т., Отдел образования"
    saved = save(measure, owners=[boziev], owner_organisations=[home.authority])
    assert set(saved.owners.all()) == {boziev}
    saved.roadmap = measure.roadmap
    saved = save(saved, owners=[], owner_organisations=[home.authority])
    assert saved.owners_text == "Руководители ОО, Отдел образования"
    assert list(saved.owners.all()) == []
    assert list(saved.owner_organisations.all()) == [home.authority]


def test_typing_a_known_name_links_the_person_and_the_organisation(measure, boziev, home):
    measure.owners_text = "Бозиев Алим Тахирович; Отдел образования"
    saved = save(measure, owners=[], owner_organisations=[])
    assert list(saved.owners.all()) == [boziev]
    assert list(saved.owner_organisations.all()) == [home.authority]


def test_deleting_a_linked_name_from_the_text_unlinks_it(measure, boziev):
    measure.owners_text = "Руководители ОО, Бозиев А.Т."
    saved = save(measure, owners=[boziev], owner_organisations=[])
    saved.roadmap = measure.roadmap
    saved.owners_text = "Руководители ОО"
    saved = save(saved, owners=[boziev], owner_organisations=[])  # the box still ticked
    assert saved.owners_text == "Руководители ОО"
    assert list(saved.owners.all()) == []


def test_a_name_two_people_bear_links_nobody(measure, home):
    for short in ("Иванов И.И.", "Иванова И.И."):
        factories.PersonFactory(
            municipality=home.municipality, short_name=short, full_name="Иванов Иван"
        )
    measure.owners_text = "Иванов Иван"
    saved = save(measure, owners=[], owner_organisations=[])
    assert list(saved.owners.all()) == []


def test_a_person_of_another_municipality_is_refused_and_nothing_is_saved(measure, tenants):
    stranger = factories.PersonFactory(municipality=tenants.other.municipality)
    with pytest.raises(ValidationError) as refused:
        save(measure, owners=[stranger], owner_organisations=[])
    assert "Из другого муниципалитета" in str(refused.value.message_dict["owners"])
    measure.refresh_from_db()
    assert measure.owners_text == "Руководители ОО" and not measure.owners.exists()


def test_a_federal_body_is_linked_by_its_short_name(measure):
    federal = factories.OrganisationFactory(
        kind=Organisation.Kind.FEDERAL_BODY, municipality=None, region=None,
        name="Федеральная служба по надзору в сфере образования и науки", short_name="Рособрнадзор",
    )  # fmt: skip
    measure.owners_text = "Руководители ОО, Рособрнадзор"
    assert list(save(measure, owners=[], owner_organisations=[]).owner_organisations.all()) == [
        federal
    ]


def test_without_links_the_text_alone_is_saved(measure, boziev):
    measure.owners_text = "Бозиев А.Т."
    measure_save(measure=measure)
    assert not Measure.objects.get(pk=measure.pk).owners.exists()


@pytest.fixture
def ivanovas(home):
    """A registry name inside a longer one: «Иванова А.» and «Иванова А.П.»."""
    anna = factories.PersonFactory(
        municipality=home.municipality, short_name="Иванова А.", full_name="Иванова Анна"
    )
    anna_p = factories.PersonFactory(
        municipality=home.municipality,
        short_name="Иванова А.П.",
        full_name="Иванова Анна Петровна",
    )
    return anna, anna_p


def relinked(measure: Measure, text: str, **links) -> Measure:
    """The measure saved with this text and these links, then read back for the next save."""
    measure.owners_text = text
    saved = save(measure, **links)
    saved.roadmap = measure.roadmap
    return saved


def test_a_longer_name_printed_does_not_link_the_shorter_one(measure, ivanovas):
    _anna, anna_p = ivanovas
    saved = relinked(measure, "Иванова Анна Петровна", owners=[anna_p], owner_organisations=[])
    assert list(saved.owners.all()) == [anna_p]
    assert saved.owners_text == "Иванова Анна Петровна"
    saved = relinked(saved, "Иванова А.П.", owners=[anna_p], owner_organisations=[])
    assert list(saved.owners.all()) == [anna_p]  # «Иванова А.» is not «Иванова А.П.» either


def test_unticking_the_shorter_name_leaves_the_longer_one(measure, ivanovas):
    anna, anna_p = ivanovas
    text = "Иванова Анна Петровна, Иванова А."
    saved = relinked(measure, text, owners=[anna, anna_p], owner_organisations=[])
    assert set(saved.owners.all()) == {anna, anna_p}
    saved = relinked(saved, saved.owners_text, owners=[anna_p], owner_organisations=[])
    assert saved.owners_text == "Иванова Анна Петровна"
    assert list(saved.owners.all()) == [anna_p]


def test_an_organisation_inside_a_longer_ones_name_is_not_linked(measure, home, boziev):
    short, longer = (
        factories.OrganisationFactory(
            kind=Organisation.Kind.AUTHORITY,
            municipality=home.municipality,
            region=None,
            name=name,
            short_name=short_name,
        )
        for name, short_name in (
            ("Управление образования", "УО"),
            ("Управление образования и молодёжной политики", "УО и МП"),
        )
    )
    saved = relinked(measure, "УО и МП, Бозиев А.Т.", owners=[], owner_organisations=[])
    assert list(saved.owner_organisations.all()) == [longer]
    saved = relinked(saved, saved.owners_text, owners=[boziev], owner_organisations=[short, longer])
    assert saved.owners_text == "УО и МП, Бозиев А.Т., УО"  # ticked: appended
    saved = relinked(saved, saved.owners_text, owners=[boziev], owner_organisations=[longer])
    assert saved.owners_text == "УО и МП, Бозиев А.Т."
    assert list(saved.owner_organisations.all()) == [longer]


@pytest.mark.parametrize(
    "text",
    ["А.Т. Бозиев", "Бозиев А.Т", "бозиев а. т.", "А. Т. Бозиев", "Руководители ОО (Бозиев А.Т)"],
)
def test_a_name_spelt_otherwise_is_not_appended_again(measure, boziev, text):
    saved = relinked(measure, text, owners=[boziev], owner_organisations=[])
    assert saved.owners_text == text
    assert list(saved.owners.all()) == [boziev]


def test_yo_and_ye_are_the_same_letter(measure, home):
    semyonov = factories.PersonFactory(
        municipality=home.municipality, short_name="Семёнов С.С.", full_name="Семёнов Семён"
    )
    saved = relinked(measure, "Семенов С.С.", owners=[semyonov], owner_organisations=[])
    assert saved.owners_text == "Семенов С.С."
    saved = relinked(saved, "Руководители ОО, Семенов Семен", owners=[], owner_organisations=[])
    assert list(saved.owners.all()) == []  # unticked: its name left the text
    assert saved.owners_text == "Руководители ОО"


def test_a_name_typed_initials_first_links_the_person(measure, boziev):
    saved = relinked(measure, "Руководители ОО, А.Т. Бозиев", owners=[], owner_organisations=[])
    assert list(saved.owners.all()) == [boziev]


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Бозиев А.Т. и Кульбаева А.В.", "Кульбаева А.В."),
        ("Кульбаева А.В. и Бозиев А.Т.", "Кульбаева А.В."),
        ("Руководители ОО, Бозиев А.Т. и Кульбаева А.В.", "Руководители ОО и Кульбаева А.В."),
        ("Руководители ОО; А.Т. Бозиев; Кульбаева А.В.", "Руководители ОО; Кульбаева А.В."),
        ("Руководители ОО (Бозиев А.Т., Кульбаева А.В.)", "Руководители ОО (Кульбаева А.В.)"),
        ("Руководители ОО (Кульбаева А.В. и Бозиев А.Т)", "Руководители ОО (Кульбаева А.В.)"),
    ],
)
def test_unticking_takes_the_joiner_with_the_name(measure, boziev, text, left):
    saved = relinked(measure, text, owners=[boziev], owner_organisations=[])
    assert saved.owners_text == text and list(saved.owners.all()) == [boziev]
    saved = relinked(saved, text, owners=[], owner_organisations=[])
    assert saved.owners_text == left
    assert list(saved.owners.all()) == []


def test_tick_and_untick_never_take_other_words(measure, home, ivanovas):
    """Property: in any owners text of names and other words, ticking a person and unticking
    them again leaves every piece of the text that is not their name, and their name is gone
    (saved once more, the text does not link them again)."""
    anna, anna_p = ivanovas
    boziev = factories.PersonFactory(
        municipality=home.municipality, short_name="Бозиев А.Т.", full_name="Бозиев Алим"
    )
    semyonov = factories.PersonFactory(
        municipality=home.municipality, short_name="Семёнов С.С.", full_name="Семёнов Семён"
    )
    spellings = {
        anna: ["Иванова Анна", "иванова а."],
        anna_p: ["Иванова А.П.", "Иванова Анна Петровна", "А. П. Иванова"],
        boziev: ["А.Т. Бозиев", "Бозиев А.Т", "БОЗИЕВ А. Т."],
        semyonov: ["Семенов С.С.", "Семенов Семен"],
    }
    people = list(spellings)
    words = ["Руководители ОО", "Отдел образования", "Петровна", "МП", "Иванова", "Алим", "УО"]
    pieces = st.sampled_from(words + [name for names in spellings.values() for name in names])
    joiners = st.sampled_from([", ", "; ", " и ", ",\n", " (", ") "])

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(pieces, joiners), min_size=1, max_size=5), st.sampled_from(people))
    def round_trip(parts, person):
        text = "".join(piece + joiner for piece, joiner in parts)
        others = [piece for piece, _joiner in parts if piece not in spellings[person]]
        Measure.objects.filter(pk=measure.pk).update(owners_text="")
        measure.owners.set([])
        measure.owner_organisations.set([])
        fresh = Measure.objects.select_related("roadmap__municipality").get(pk=measure.pk)
        ticked = relinked(fresh, text, owners=[person], owner_organisations=[])
        assert person in set(ticked.owners.all())
        assert all(piece in ticked.owners_text for piece in others), ticked.owners_text
        kept = {"owners": list(set(ticked.owners.all()) - {person}),
                "owner_organisations": list(ticked.owner_organisations.all())}  # fmt: skip
        unticked = relinked(ticked, ticked.owners_text, **kept)
        assert all(piece in unticked.owners_text for piece in others), unticked.owners_text
        assert person not in set(unticked.owners.all())
        again = relinked(unticked, unticked.owners_text, owners=kept["owners"],
                         owner_organisations=kept["owner_organisations"])  # fmt: skip
        assert person not in set(again.owners.all()), again.owners_text

    round_trip()


# --- schools concerned: the service -------------------------------------------------------


def test_a_subset_of_schools_is_saved_and_the_control_pairs_follow(measure, home):
    first, second = home.schools
    assert set(ControlPair.objects.filter(measure=measure).values_list("school", flat=True)) == {
        first.pk, second.pk,
    }  # fmt: skip
    measure.all_designated_schools = False
    saved = save(measure, schools=[second])
    assert list(saved.schools.all()) == [second]
    pairs = ControlPair.objects.filter(measure=measure)
    assert set(pairs.values_list("school", flat=True)) == {second.pk}
    assert pairs.count() == measure.occurrences.count()


def test_a_school_outside_the_roadmap_is_refused(measure, home, tenants):
    undesignated = factories.SchoolFactory(municipality=home.municipality, short_name="МКОУ ООШ")
    SchoolDesignation.objects.create(school=undesignated, kind="low_results", year=2019)
    foreign = tenants.other.schools[0]
    measure.all_designated_schools = False
    for school, message in [
        (undesignated, "Не входят в дорожную карту"), (foreign, "Из другого муниципалитета"),
    ]:  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            save(measure, schools=[school])
        assert message in str(refused.value.message_dict["schools"])
    assert Measure.objects.get(pk=measure.pk).all_designated_schools


def test_a_school_with_reports_cannot_leave_the_measure(measure, home):
    first, second = home.schools
    Report.objects.create(occurrence=measure.occurrences.first(), school=first)
    measure.all_designated_schools = False
    with pytest.raises(ValidationError) as refused:
        save(measure, schools=[second])
    assert "уже есть отчёты" in str(refused.value.message_dict["schools"])
    assert "МКОУ СОШ № 1" in str(refused.value.message_dict["schools"])


# --- the measure page ---------------------------------------------------------------------


def form_data(measure: Measure, **changes) -> dict:
    data = {
        "measure-number": measure.number, "measure-title": measure.title,
        "measure-owners_text": measure.owners_text, "measure-deadline_text": measure.deadline_text,
        "measure-planned_result": measure.planned_result, "measure-version": measure.version,
        "measure-links_shown": "True", "measure-schools_scope": "all",
    }  # fmt: skip
    for name, value in changes.items():
        data[f"measure-{name}"] = value
    return data


@pytest.fixture
def coordinator(client, tenants):
    client.force_login(User.objects.get(username="koordinator"))
    return client


def edit_url(measure: Measure) -> str:
    return reverse("measures:measure_edit", args=[measure.roadmap_id, measure.pk])


def test_the_page_links_an_owner_and_chooses_schools(coordinator, measure, boziev, home):
    page = coordinator.get(edit_url(measure)).text
    assert "Бозиев А.Т." in page and "Все школы дорожной карты (2)" in page
    response = coordinator.post(
        edit_url(measure),
        form_data(
            measure, owners=[boziev.pk], schools_scope="chosen", schools=[home.schools[1].pk]
        ),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.owners_text == "Руководители ОО, Бозиев А.Т."
    assert not measure.all_designated_schools
    assert list(measure.schools.all()) == [home.schools[1]]


def test_the_page_refuses_a_foreign_school_inline_and_keeps_the_text(coordinator, measure, tenants):
    response = coordinator.post(
        edit_url(measure),
        form_data(
            measure, title="Новое название", schools_scope="chosen",
            schools=[tenants.other.schools[0].pk],
        ),
    )  # fmt: skip
    assert response.status_code == 400
    assert "Школа не входит в дорожную карту" in response.text
    assert "Новое название</textarea>" in response.text
    assert Measure.objects.get(pk=measure.pk).title != "Новое название"


def test_the_page_asks_for_a_school_when_only_chosen_ones_and_none(coordinator, measure):
    response = coordinator.post(edit_url(measure), form_data(measure, schools_scope="chosen"))
    assert response.status_code == 400
    assert "Выберите хотя бы одну школу" in response.text


def test_a_school_with_reports_is_refused_on_the_page(coordinator, measure, home):
    Report.objects.create(occurrence=measure.occurrences.first(), school=home.schools[0])
    response = coordinator.post(
        edit_url(measure),
        form_data(measure, schools_scope="chosen", schools=[home.schools[1].pk]),
    )
    assert response.status_code == 400
    assert "уже есть отчёты по мероприятию" in response.text


def test_a_working_group_members_forged_post_is_refused(client, measure, boziev):
    client.force_login(User.objects.get(username="rabgruppa"))
    response = client.post(edit_url(measure), form_data(measure, owners=[boziev.pk]))
    assert response.status_code == 403
    assert not Measure.objects.get(pk=measure.pk).owners.exists()


@pytest.mark.parametrize("people", [20, 200])
def test_measure_page_query_count_is_flat(
    coordinator, measure, home, people, django_assert_max_num_queries
):
    factories.PersonFactory.create_batch(people, municipality=home.municipality)
    # session, user, the roadmap (visibility) and its amendments, may change it, the measure;
    # the linked people, organisations and schools, how many schools are designated; the
    # reading's control dates (for the field and for the correction panel); the header's
    # links; the people, organisations and schools listed; the session saved
    with django_assert_max_num_queries(19):
        response = coordinator.get(edit_url(measure))
    assert response.status_code == 200
    assert response.text.count('name="measure-owners"') == people + 3


# --- the live reading of the deadline -----------------------------------------------------


def reading_url(roadmap_pk: int, **params) -> str:
    from urllib.parse import urlencode

    return reverse("measures:deadline_reading", args=[roadmap_pk]) + "?" + urlencode(params)


def test_the_reading_answers_a_fragment_with_dates(coordinator, home):
    response = coordinator.get(reading_url(home.roadmap.pk, text="Ежеквартально"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "ежеквартально" in response.text and "31.03.2022" in response.text
    assert "needs-review" not in response.text


def test_an_unsure_reading_is_orange_with_the_engines_note(coordinator, home):
    response = coordinator.get(
        reading_url(home.roadmap.pk, **{"measure-deadline_text": "в течение месяца"})
    )
    assert response.status_code == 200
    assert "needs-review" in response.text
    assert "срок отсчитывается от события" in response.text


def test_the_reading_refuses_bad_input_with_400(coordinator, home):
    assert coordinator.get(reading_url(home.roadmap.pk)).status_code == 400
    response = coordinator.get(reading_url(home.roadmap.pk, text="я" * 501))
    assert response.status_code == 400
    assert "длиннее 500 символов" in response.text


@pytest.mark.parametrize(
    ("username", "status"),
    [("koordinator", 200), ("rabgruppa", 403), ("direktor", 403), ("nablyudatel", 403),
     ("grechkina", 404)],
)  # fmt: skip
def test_only_the_roadmaps_coordinator_reads_deadlines(client, home, username, status):
    client.force_login(User.objects.get(username=username))
    assert client.get(reading_url(home.roadmap.pk, text="Май 2022")).status_code == status


# --- the roadmap page's warning -----------------------------------------------------------


def test_the_roadmap_page_gives_the_reason_and_one_note_after_a_correction(coordinator, measure):
    from measures.services import measure_correct_deadline

    measure.deadline_text = "в течение месяца"
    measure_save(measure=measure)
    roadmap_url = reverse("measures:roadmap_detail", args=[measure.roadmap_id])
    assert "срок отсчитывается от события" in coordinator.get(roadmap_url).text
    measure = Measure.objects.get(pk=measure.pk)
    measure_correct_deadline(measure=measure, kind="continuous")
    assert "срок отсчитывается от события" not in coordinator.get(roadmap_url).text
    page = coordinator.get(edit_url(measure)).text
    assert page.count("исправлен вручную") + page.count("уточнён вручную") == 1
