"""Every URL of the project, for every role, on its own and on a foreign tenant.

A new URL pattern with no entry in EXPECTED makes test_every_url_has_an_entry fail."""

import itertools
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from measures.models import Report, Roadmap
from measures.services import roadmap_import_preview
from schools.models import Appointment
from schools.services import appoint
from tests import docx_builders, factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "admin", "koordinator", "rabgruppa", "direktor", "nablyudatel", "grechkina"]
# The `tenants` fixture (conftest.py): grechkina coordinates another municipality, of another
# region: everything of factories.HOME is a foreign tenant to her.


def row(anonymous, admin, koordinator, rabgruppa, direktor, nablyudatel, grechkina):
    return dict(zip(ROLES, [anonymous, admin, koordinator, rabgruppa, direktor, nablyudatel,
                            grechkina], strict=True))  # fmt: skip


def home() -> Roadmap:
    roadmaps = Roadmap.objects.filter(municipality__name=factories.HOME)
    return roadmaps.order_by("pk").first()  # the tenant's own (imports in these tests add more)


def home_school(short_name: str):
    from schools.models import School

    return School.objects.get(municipality__name=factories.HOME, short_name=short_name)


def fresh_import() -> dict:
    roadmap = home()
    record = roadmap_import_preview(
        municipality=roadmap.municipality, file_name="план.docx", period=(date(2022, 1, 1),
        date(2022, 12, 31)), title=f"Импорт {factories.UserFactory().username}",
        data=docx_builders.docx_table([["№", "Мероприятие", "Сроки"], ["1", "Семинар", "Май 2022"]]),
    )  # fmt: skip
    return {"pk": record.pk}


def fresh_appointment() -> dict:
    municipality = home().municipality
    appointment = appoint(user=factories.UserFactory(), role="working_group", target=municipality)
    return {"pk": municipality.pk, "appointment_pk": appointment.pk}


def report_kwargs() -> dict:
    from measures.models import Occurrence, Report

    occurrence = Occurrence.objects.filter(measure__roadmap=home()).order_by("pk").first()
    school = home_school("МКОУ СОШ № 1")  # direktor's school
    report, _ = Report.objects.get_or_create(occurrence=occurrence, school=school)
    return {"pk": report.pk}


def other_school_report_kwargs() -> dict:
    from measures.models import Occurrence, Report

    occurrence = Occurrence.objects.filter(measure__roadmap=home()).order_by("pk").first()
    school = home_school("МКОУ СОШ № 2")
    report, _ = Report.objects.get_or_create(occurrence=occurrence, school=school)
    return {"pk": report.pk}


def pair_kwargs() -> dict:
    from measures.models import Occurrence

    occurrence = Occurrence.objects.filter(measure__roadmap=home()).order_by("pk").first()
    school = home_school("МКОУ СОШ № 1")
    return {"occurrence_pk": occurrence.pk, "school_pk": school.pk}


def evidence_kwargs() -> dict:
    """A file of the direktor's school's report."""
    from django.core.files.base import ContentFile

    from measures.models import Evidence

    report = Report.objects.get(pk=report_kwargs()["pk"])
    evidence = Evidence.objects.create(
        report=report, file=ContentFile(b"%PDF-1.4\n", name="справка.pdf"),
        original_name="справка.pdf", content_type="application/pdf", size=9,
    )  # fmt: skip
    return {"pk": evidence.pk}


def school_kwargs() -> dict:
    return {"pk": home_school("МКОУ СОШ № 1").pk}


def roadmap_kwargs() -> dict:
    return {"pk": home().pk}


def edition_kwargs() -> dict:
    return {"pk": home().pk, "number": 1}  # the tenant's roadmap was approved: its edition 1


def measure_kwargs() -> dict:
    roadmap = home()
    return {"roadmap_pk": roadmap.pk, "pk": roadmap.measures.get(number="1.1").pk}


# --- the registry of people (schools/views.py) -----------------------------------------------

_fresh_years = iter(range(2000, 2101))


def municipality_kwargs() -> dict:
    return {"pk": home().municipality_id}


def person_kwargs() -> dict:
    person = factories.PersonFactory(municipality=home().municipality)
    return {"pk": person.municipality_id, "person_pk": person.pk}


def organisation_kwargs() -> dict:
    organisation = factories.OrganisationFactory(municipality=home().municipality)
    return {"pk": organisation.municipality_id, "organisation_pk": organisation.pk}


def group_kwargs() -> dict:
    group = factories.WorkingGroupFactory(municipality=home().municipality, year=next(_fresh_years))
    return {"pk": group.municipality_id, "group_pk": group.pk}


def member_kwargs() -> dict:
    from schools.models import WorkingGroup, WorkingGroupMember

    group = WorkingGroup.objects.get(pk=group_kwargs()["group_pk"])
    person = factories.PersonFactory(municipality=group.municipality)
    member = WorkingGroupMember.objects.create(group=group, person=person, position=1)
    return {"pk": group.municipality_id, "member_pk": member.pk}


def registry_school_kwargs() -> dict:
    return {"pk": home().municipality_id, "school_pk": home_school("МКОУ СОШ № 1").pk}


def registry_designation_kwargs() -> dict:
    school = home_school("МКОУ СОШ № 1")
    designation = school.designations.order_by("pk").first()
    return {"pk": school.municipality_id, "school_pk": school.pk, "designation_pk": designation.pk}


def registry_pairing_kwargs() -> dict:
    from schools.models import MentorPairing

    pairing, _ = MentorPairing.objects.get_or_create(
        mentor=home_school("МКОУ СОШ № 2"), supported=home_school("МКОУ СОШ № 1"),
        starts_on=date(2022, 1, 1), defaults={"ends_on": date(2022, 12, 31)},
    )  # fmt: skip
    return {"pk": home().municipality_id, "pairing_pk": pairing.pk}


def draft_kwargs() -> dict:
    """A fresh draft of the home tenant (of the year its schools are designated: the director
    sees it) with a section and a measure, made by the editor's services."""
    from measures import editing
    from measures.models import Measure

    roadmap = factories.RoadmapFactory(
        municipality=home().municipality, title=f"Проект {factories.UserFactory().username}",
    )  # fmt: skip
    section = editing.section_add(roadmap=roadmap, title="Раздел")
    measure = Measure(roadmap=roadmap, section=section, title="Мероприятие", deadline_text="Май")
    editing.measure_add(measure=measure)
    return {"roadmap_pk": roadmap.pk, "section_pk": section.pk, "measure_pk": measure.pk}


def draft_roadmap_kwargs() -> dict:
    return {"pk": draft_kwargs()["roadmap_pk"]}


def draft_section_kwargs() -> dict:
    draft = draft_kwargs()
    return {"roadmap_pk": draft["roadmap_pk"], "pk": draft["section_pk"]}


def draft_measure_kwargs() -> dict:
    draft = draft_kwargs()
    return {"roadmap_pk": draft["roadmap_pk"], "pk": draft["measure_pk"]}


# --- orders (measures/order_views.py) -----------------------------------------------------------


def draft_order_kwargs() -> dict:
    """A fresh draft order approving a fresh draft of the home tenant."""
    from measures import orders

    roadmap = Roadmap.objects.get(pk=draft_roadmap_kwargs()["pk"])
    return {"pk": orders.order_new(roadmap=roadmap, by=None).pk}


def draft_appendix_kwargs() -> dict:
    from measures.models import LegalAct

    act = LegalAct.objects.get(pk=draft_order_kwargs()["pk"])
    return {"pk": act.pk, "appendix_pk": act.appendices.get().pk}


def signed_order_kwargs() -> dict:
    """The order that approved the home roadmap, carrying it as appendix 1, with a signature."""
    from django.core.files.base import ContentFile

    from measures.models import ActAppendix

    roadmap = home()
    act = roadmap.approved_by
    ActAppendix.objects.get_or_create(
        act=act, position=1, defaults={"kind": "roadmap", "roadmap": roadmap}
    )
    if not act.signature:
        act.signature.save("приказ.sig", ContentFile(b"0" * 10), save=False)
        act.signature_name = "приказ.sig"
        act.save(update_fields=["signature", "signature_name"])
    return {"pk": act.pk}


def order_kwargs() -> dict:
    """A signed order of the home tenant carrying its roadmap, with its PDF stored."""
    from django.core.files.base import ContentFile

    from measures.models import ActAppendix, LegalAct

    roadmap = home()
    act = factories.LegalActFactory(
        issuer=roadmap.municipality.organisations.order_by("pk").first(),
        number=f"П-{factories.UserFactory().username}",
    )
    ActAppendix.objects.create(act=act, position=1, kind="roadmap", roadmap=roadmap)
    act.pdf.save("приказ.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    LegalAct.objects.filter(pk=act.pk).update(pdf=act.pdf.name, pdf_status="ready")
    return {"pk": act.pk}


def unsubscribe_kwargs() -> dict:
    from measures.reminders import unsubscribe_token

    return {"token": unsubscribe_token(User.objects.get(username="direktor").pk, "digest")}


# name: (method, kwargs, expected status per role)
EXPECTED = {
    "home": ("get", dict, row(302, 302, 302, 302, 302, 302, 302)),
    "login": ("get", dict, row(200, 200, 200, 200, 200, 200, 200)),
    "logout": ("post", dict, row(302, 302, 302, 302, 302, 302, 302)),
    "password_change": ("get", dict, row(302, 200, 200, 200, 200, 200, 200)),
    "password_change_done": ("get", dict, row(302, 200, 200, 200, 200, 200, 200)),
    "password_reset": ("get", dict, row(200, 200, 200, 200, 200, 200, 200)),
    "password_reset_done": ("get", dict, row(200, 200, 200, 200, 200, 200, 200)),
    "password_reset_confirm": (
        "get", lambda: {"uidb64": "MQ", "token": "set-password"},
        row(200, 200, 200, 200, 200, 200, 200),
    ),
    "password_reset_complete": ("get", dict, row(200, 200, 200, 200, 200, 200, 200)),
    "measures:roadmap_list": ("get", dict, row(302, 200, 200, 200, 200, 200, 200)),
    "measures:my_school": ("get", dict, row(302, 403, 403, 403, 200, 403, 403)),
    "measures:review_queue": ("get", dict, row(302, 200, 200, 200, 403, 403, 200)),
    "measures:roadmap_detail": ("get", roadmap_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "measures:roadmap_export": (
        "get", lambda: {**roadmap_kwargs(), "fmt": "csv"}, row(302, 200, 200, 200, 200, 200, 404),
    ),
    "measures:roadmap_history": ("get", roadmap_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "measures:roadmap_copy": ("get", roadmap_kwargs, row(302, 200, 200, 403, 403, 403, 404)),
    "measures:roadmap_copy_review": (
        "get", roadmap_kwargs, row(302, 200, 200, 403, 403, 403, 404),
    ),
    "measures:measure_history": ("get", measure_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "measures:report_detail": ("get", report_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "measures:report_edit": ("get", pair_kwargs, row(302, 200, 200, 403, 200, 403, 404)),
    "measures:report_review": ("post", report_kwargs, row(302, 400, 400, 400, 403, 403, 404)),
    "measures:report_history": (
        "get", other_school_report_kwargs, row(302, 200, 200, 200, 404, 200, 404),
    ),
    "measures:evidence_download": (
        "get", evidence_kwargs, row(302, 200, 200, 200, 200, 200, 404),
    ),
    "measures:order_pdf": ("get", order_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "measures:order_preview": ("get", order_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "measures:import_upload": ("get", dict, row(302, 200, 200, 403, 403, 403, 200)),
    "measures:import_preview": ("get", fresh_import, row(302, 200, 200, 404, 404, 404, 404)),
    "measures:import_confirm": ("post", fresh_import, row(302, 302, 302, 404, 404, 404, 404)),
    "measures:import_columns": ("post", fresh_import, row(302, 302, 302, 404, 404, 404, 404)),
    "measures:measure_edit": (
        "get", draft_measure_kwargs, row(302, 200, 200, 403, 403, 403, 404),
    ),
    "measures:deadline_reading": (  # no ?text=: 400 for those who may ask
        "get", lambda: {"roadmap_pk": home().pk}, row(302, 400, 400, 403, 403, 403, 404),
    ),
    "measures:measure_deadline": (
        "post", draft_measure_kwargs, row(302, 400, 400, 403, 403, 403, 404),
    ),
    "measures:measure_deadline_reset": (
        "post", draft_measure_kwargs, row(302, 302, 302, 403, 403, 403, 404),
    ),
    # editions (measures/edition_views.py): readers read them; coordinators amend
    "measures:roadmap_amend": ("post", roadmap_kwargs, row(302, 302, 302, 403, 403, 403, 404)),
    "measures:edition_detail": (
        "get", edition_kwargs, row(302, 200, 200, 200, 200, 200, 404),
    ),
    "measures:edition_compare": ("get", roadmap_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    # the editor (a draft; an approved roadmap is refused: tests/test_editor.py)
    "measures:roadmap_create": ("get", dict, row(302, 200, 200, 403, 403, 403, 200)),
    "measures:roadmap_edit": (
        "get", draft_roadmap_kwargs, row(302, 200, 200, 403, 403, 403, 404),
    ),
    "measures:roadmap_delete": (
        "get", draft_roadmap_kwargs, row(302, 200, 200, 403, 403, 403, 404),
    ),
    "measures:roadmap_editor": (
        "get", draft_roadmap_kwargs, row(302, 200, 200, 403, 403, 403, 404),
    ),
    "measures:section_add": ("post", draft_roadmap_kwargs, row(302, 400, 400, 403, 403, 403, 404)),
    "measures:section_edit": (
        "post", draft_section_kwargs, row(302, 400, 400, 403, 403, 403, 404),
    ),
    "measures:section_move": (
        "post", draft_section_kwargs, row(302, 302, 302, 403, 403, 403, 404),
    ),
    "measures:section_delete": (
        "post", draft_section_kwargs, row(302, 302, 302, 403, 403, 403, 404),
    ),
    "measures:measure_add": ("post", draft_roadmap_kwargs, row(302, 400, 400, 403, 403, 403, 404)),
    "measures:measure_inline": (
        "post", draft_measure_kwargs, row(302, 400, 400, 403, 403, 403, 404),
    ),
    "measures:measure_move": (
        "post", draft_measure_kwargs, row(302, 302, 302, 403, 403, 403, 404),
    ),
    "measures:measure_delete": (
        "post", draft_measure_kwargs, row(302, 302, 302, 403, 403, 403, 404),
    ),
    "schools:people": (
        "get", lambda: {"pk": home().municipality_id}, row(302, 200, 200, 200, 404, 200, 404),
    ),
    "schools:school_people": ("get", school_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "schools:appointment_remove": (
        "post", fresh_appointment, row(302, 302, 302, 403, 404, 403, 404),
    ),
    "schools:registry": ("get", dict, row(302, 200, 302, 302, 404, 302, 302)),
    "schools:person_list": ("get", municipality_kwargs, row(302, 200, 200, 200, 404, 200, 404)),
    "schools:person_add": ("get", municipality_kwargs, row(302, 200, 200, 403, 404, 403, 404)),
    "schools:person_detail": ("get", person_kwargs, row(302, 200, 200, 200, 404, 200, 404)),
    "schools:person_edit": ("get", person_kwargs, row(302, 200, 200, 403, 404, 403, 404)),
    "schools:person_delete": ("post", person_kwargs, row(302, 302, 302, 403, 404, 403, 404)),
    "schools:organisation_list": (
        "get", municipality_kwargs, row(302, 200, 200, 200, 404, 200, 404),
    ),
    "schools:organisation_add": (
        "get", municipality_kwargs, row(302, 200, 200, 403, 404, 403, 404),
    ),
    "schools:organisation_edit": (
        "get", organisation_kwargs, row(302, 200, 200, 403, 404, 403, 404),
    ),
    "schools:organisation_delete": (
        "post", organisation_kwargs, row(302, 302, 302, 403, 404, 403, 404),
    ),
    "schools:working_group": ("get", municipality_kwargs, row(302, 200, 200, 200, 404, 200, 404)),
    "schools:working_group_add": (
        "post", municipality_kwargs, row(302, 400, 400, 403, 404, 403, 404),
    ),
    "schools:working_group_edit": ("post", group_kwargs, row(302, 400, 400, 403, 404, 403, 404)),
    "schools:member_add": ("post", group_kwargs, row(302, 400, 400, 403, 404, 403, 404)),
    "schools:member_edit": ("post", member_kwargs, row(302, 400, 400, 403, 404, 403, 404)),
    "schools:member_move": ("post", member_kwargs, row(302, 302, 302, 403, 404, 403, 404)),
    "schools:member_remove": ("post", member_kwargs, row(302, 302, 302, 403, 404, 403, 404)),


    "schools:registry_schools": ("get", municipality_kwargs, row(302, 200, 200, 200, 404, 200, 404)),
    "schools:registry_school": (
        "get", registry_school_kwargs, row(302, 200, 200, 200, 404, 200, 404),
    ),
    "schools:registry_designation_add": (
        "post", registry_school_kwargs, row(302, 400, 400, 403, 404, 403, 404),
    ),
    "schools:registry_designation_end": (
        "get", registry_designation_kwargs, row(302, 200, 200, 403, 404, 403, 404),
    ),
    "schools:registry_pairings": ("get", municipality_kwargs, row(302, 200, 200, 200, 404, 200, 404)),
    "schools:registry_pairing": (
        "get", registry_pairing_kwargs, row(302, 200, 200, 200, 404, 200, 404),
    ),
    "schools:registry_pairing_end": (
        "post", registry_pairing_kwargs, row(302, 400, 400, 403, 404, 403, 404),
    ),
    "schools:registry_agreement": (
        "get", registry_pairing_kwargs, row(302, 200, 200, 403, 404, 403, 404),
    ),
    "measures:order_list": ("get", dict, row(302, 200, 200, 200, 200, 200, 200)),
    "measures:order_new": ("get", dict, row(302, 200, 200, 403, 403, 403, 200)),
    "measures:order_detail": ("get", draft_order_kwargs, row(302, 200, 200, 200, 404, 200, 404)),
    "measures:order_edit": ("get", draft_order_kwargs, row(302, 200, 200, 403, 404, 403, 404)),
    "measures:order_delete": ("get", draft_order_kwargs, row(302, 200, 200, 403, 404, 403, 404)),
    "measures:order_sign": ("get", draft_order_kwargs, row(302, 200, 200, 403, 404, 403, 404)),
    "measures:order_appendix_add": (
        "post", draft_order_kwargs, row(302, 400, 400, 403, 404, 403, 404),
    ),
    "measures:order_appendix_move": (
        "post", draft_appendix_kwargs, row(302, 302, 302, 403, 404, 403, 404),
    ),
    "measures:order_appendix_delete": (
        "post", draft_appendix_kwargs, row(302, 302, 302, 403, 404, 403, 404),
    ),
    "measures:order_pdf_status": (
        "get", signed_order_kwargs, row(302, 200, 200, 200, 200, 200, 404),
    ),
    "measures:order_render": ("post", signed_order_kwargs, row(302, 302, 302, 403, 403, 403, 404)),
    "measures:order_signature": (
        "get", signed_order_kwargs, row(302, 200, 200, 403, 403, 403, 404),
    ),
    "measures:order_signature_download": (
        "get", signed_order_kwargs, row(302, 200, 200, 200, 200, 200, 404),
    ),
    # deadline reminders (measures/reminder_views.py): one's own settings and letters; the log
    # for those who read a municipality; the unsubscribe link needs no login (its token)
    "measures:reminder_settings": ("get", dict, row(302, 200, 200, 200, 200, 200, 200)),
    "measures:my_letters": ("get", dict, row(302, 200, 200, 200, 200, 200, 200)),
    "measures:reminder_log": ("get", dict, row(302, 200, 200, 200, 403, 403, 200)),
    "measures:reminders_unsubscribe": (
        "get", unsubscribe_kwargs, row(200, 200, 200, 200, 200, 200, 200),
    ),
}  # fmt: skip
# --- Monitoring (/monitoring/): each group of pages keeps its own block --------------------


# The catalogue of indicators and the monitoring stages
def indicator_kwargs() -> dict:
    from tests.factories import IndicatorFactory

    municipality = home().municipality
    return {"pk": IndicatorFactory(municipality=municipality).pk}


_stage_years = itertools.cycle(range(2000, 2101))


def stage_kwargs() -> dict:
    from tests.factories import MonitoringStageFactory

    municipality = home().municipality
    return {"pk": MonitoringStageFactory(municipality=municipality, year=next(_stage_years)).pk}


MONITORING_CATALOGUE: dict = {
    "monitoring:index": ("get", dict, row(302, 200, 302, 302, 302, 200, 302)),
    "monitoring:indicator_list": (
        "get",
        municipality_kwargs,
        row(302, 200, 200, 200, 200, 200, 404),
    ),
    "monitoring:indicator_create": (
        "get",
        municipality_kwargs,
        row(302, 200, 200, 403, 403, 403, 404),
    ),
    "monitoring:indicator_detail": (
        "get",
        indicator_kwargs,
        row(302, 200, 200, 200, 200, 200, 404),
    ),
    "monitoring:indicator_edit": ("get", indicator_kwargs, row(302, 200, 200, 403, 403, 403, 404)),
    "monitoring:indicator_delete": (
        "post",
        indicator_kwargs,
        row(302, 302, 302, 403, 403, 403, 404),
    ),
    "monitoring:stage_list": ("get", municipality_kwargs, row(302, 200, 200, 200, 200, 200, 404)),
    "monitoring:stage_edit": ("get", stage_kwargs, row(302, 200, 200, 403, 403, 403, 404)),
    "monitoring:stage_delete": ("post", stage_kwargs, row(302, 302, 302, 403, 403, 403, 404)),
}

# (the values entered one by one, a school's values and the history follow below)


# Values entered one by one, a school's values, the history
def municipal_indicator_kwargs() -> dict:
    """A municipality-level indicator of HOME (its value is entered without a school)."""
    municipality = home().municipality
    indicator = factories.IndicatorFactory(municipality=municipality, level="municipality")
    if not municipality.monitoring_stages.exists():
        factories.MonitoringStageFactory(municipality=municipality, year=2031)
    return {"pk": indicator.pk}


def direktor_school_kwargs() -> dict:
    return {"pk": home_school("МКОУ СОШ № 1").pk}


MONITORING_VALUES: dict = {
    "monitoring:value_enter": (
        "get", municipal_indicator_kwargs, row(302, 200, 200, 403, 403, 403, 404),
    ),
    "monitoring:indicator_history": (
        "get", municipal_indicator_kwargs, row(302, 200, 200, 200, 200, 200, 404),
    ),
    # a director's own page; others who read monitoring are sent to its index
    "monitoring:my_school_values": ("get", dict, row(302, 302, 302, 302, 200, 302, 302)),
    "monitoring:school_values": (
        "get", direktor_school_kwargs, row(302, 200, 200, 200, 200, 200, 404),
    ),
    "monitoring:school_export": (
        "get", lambda: {**direktor_school_kwargs(), "table": "measures"},
        row(302, 200, 200, 200, 200, 200, 404),
    ),
}  # fmt: skip

# (the tables of values follow below)


# Tables of values: the upload, the template, the preview, the confirmation
def values_import_kwargs() -> dict:
    """A fresh table of values of the home tenant, read and waiting for its confirmation."""
    from monitoring.models import ValuesImport

    municipality = home().municipality
    stage = factories.MonitoringStageFactory(municipality=municipality, year=next(_fresh_years))
    record = ValuesImport.objects.create(
        municipality=municipality, stage=stage, file_name="впр.xlsx", sha256="0" * 64,
        measured_on=date(2025, 10, 1), parsed={"columns": [], "rows": [], "problems": []},
    )  # fmt: skip
    return {"pk": record.pk}


MONITORING_IMPORT: dict = {
    "monitoring:import_upload": (
        "get",
        municipality_kwargs,
        row(302, 200, 200, 403, 403, 403, 404),
    ),
    "monitoring:import_template": (
        "get",
        municipality_kwargs,
        row(302, 200, 200, 403, 403, 403, 404),
    ),
    "monitoring:import_preview": (
        "get",
        values_import_kwargs,
        row(302, 200, 200, 404, 404, 404, 404),
    ),
    "monitoring:import_confirm": (
        "post",
        values_import_kwargs,
        row(302, 302, 302, 404, 404, 404, 404),
    ),
}

EXPECTED.update(MONITORING_CATALOGUE | MONITORING_VALUES | MONITORING_IMPORT)


def home_region_kwargs() -> dict:
    return {"pk": home().municipality.region_id}


# The dashboards (a director has their school's page; the region's is the regional viewer's)
MONITORING_DASHBOARDS: dict = {
    "monitoring:dashboard": (
        "get", municipality_kwargs, row(302, 200, 200, 200, 403, 200, 404),
    ),
    "monitoring:dashboard_export": (
        "get", lambda: {**municipality_kwargs(), "table": "overdue"},
        row(302, 200, 200, 200, 403, 200, 404),
    ),
    "monitoring:region_dashboard": (
        "get", home_region_kwargs, row(302, 200, 403, 403, 404, 200, 404),
    ),
    "monitoring:region_dashboard_export": (
        "get", lambda: {**home_region_kwargs(), "table": "municipalities"},
        row(302, 200, 403, 403, 404, 200, 404),
    ),
}  # fmt: skip
EXPECTED.update(MONITORING_DASHBOARDS)


ADMIN_EXPECTED = row(302, 200, 302, 302, 302, 302, 302)  # the whole admin: staff only


def url_names() -> list[str]:
    names = []

    def walk(patterns: list, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.append("admin:*")
                    continue
                prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"URL без имени: {pattern.pattern}"
                names.append(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_an_entry():
    assert sorted(set(url_names()) - {"admin:*"}) == sorted(EXPECTED)
    assert "admin:*" in url_names()


@pytest.mark.parametrize("role", ROLES)
def test_every_url_for_every_role(client, tenants, role):
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    failures = []
    for name, (method, kwargs, expected) in EXPECTED.items():
        url = reverse(name, kwargs=kwargs())
        response = getattr(client, method)(url)
        if response.streaming:  # a download holds its file open until it is read
            b"".join(response.streaming_content)
        status = response.status_code
        if status != expected[role]:
            failures.append(f"{method.upper()} {name}: {status}, ожидалось {expected[role]}")
        if name == "logout" and role != "anonymous":
            client.force_login(User.objects.get(username=role))
    for path in ["/admin/", "/admin/measures/roadmap/", "/admin/schools/appointment/"]:
        status = client.get(path).status_code
        if status != ADMIN_EXPECTED[role]:
            failures.append(f"GET {path}: {status}, ожидалось {ADMIN_EXPECTED[role]}")
    assert failures == []


@pytest.mark.parametrize(
    ("username", "municipalities"),
    [
        ("admin", {factories.HOME, factories.OTHER}),
        ("koordinator", {factories.HOME}),
        ("rabgruppa", {factories.HOME}),
        ("direktor", {factories.HOME}),
        ("nablyudatel", {factories.HOME}),
        ("grechkina", {factories.OTHER}),
    ],
)
def test_lists_show_only_what_the_user_may_see(client, tenants, username, municipalities):
    client.force_login(User.objects.get(username=username))
    page = client.get(reverse("measures:roadmap_list")).text
    shown = {r.municipality.name for r in Roadmap.objects.select_related("municipality")
             if reverse("measures:roadmap_detail", args=[r.pk]) in page}  # fmt: skip
    assert shown == municipalities


def test_appointing_grants_and_removing_revokes(client, tenants):
    municipality = home().municipality
    user = factories.UserFactory()
    client.force_login(user)
    assert client.get(reverse("measures:roadmap_detail", args=[home().pk])).status_code == 404
    client.force_login(User.objects.get(username="koordinator"))
    response = client.post(
        reverse("schools:people", args=[municipality.pk]),
        {"username": user.username, "role": "coordinator"},
    )
    assert response.status_code == 302
    client.force_login(user)
    assert client.get(reverse("measures:import_upload")).status_code == 200
    appointment = Appointment.objects.get(user=user)
    client.force_login(User.objects.get(username="koordinator"))
    client.post(reverse("schools:appointment_remove", args=[municipality.pk, appointment.pk]))
    client.force_login(user)
    assert client.get(reverse("measures:import_upload")).status_code == 403
    assert client.get(reverse("measures:roadmap_detail", args=[home().pk])).status_code == 404


def test_removing_one_role_keeps_what_another_gives(tenants):
    from schools.services import remove_appointment

    municipality = home().municipality
    user = factories.UserFactory()
    coordinator = appoint(user=user, role="coordinator", target=municipality)
    appoint(user=user, role="working_group", target=municipality)
    remove_appointment(appointment=coordinator)
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("schools.view_municipality", municipality)
    assert not user.has_perm("schools.coordinate_municipality", municipality)


def test_a_director_needs_a_school(client, tenants):
    client.force_login(User.objects.get(username="koordinator"))
    response = client.post(
        reverse("schools:people", args=[home().municipality_id]),
        {"username": "rabgruppa", "role": "director"},
    )
    assert response.status_code == 400
    assert "Выберите школу руководителя." in response.text


def test_readers_see_the_people_but_only_coordinators_appoint(client, tenants):
    municipality = home().municipality
    client.force_login(User.objects.get(username="rabgruppa"))
    page = client.get(reverse("schools:people", args=[municipality.pk]))
    assert "koordinator@example.org" in page.text
    assert "Назначить" not in page.text and "Снять" not in page.text
    forged = client.post(reverse("schools:people", args=[municipality.pk]),
                         {"username": "rabgruppa", "role": "coordinator"})  # fmt: skip
    assert forged.status_code == 403
    assert not Appointment.objects.filter(user__username="rabgruppa", role="coordinator").exists()


def test_a_director_sees_the_people_of_their_school_only(client, tenants):
    client.force_login(User.objects.get(username="direktor"))
    own, other = home_school("МКОУ СОШ № 1"), home_school("МКОУ СОШ № 2")
    page = client.get(reverse("schools:school_people", args=[own.pk]))
    assert "direktor@example.org" in page.text
    assert client.get(reverse("schools:school_people", args=[other.pk])).status_code == 404
    assert client.get(reverse("schools:people", args=[own.municipality_id])).status_code == 404
    assert "Сотрудники школы:" in client.get(reverse("measures:roadmap_list")).text


@pytest.mark.parametrize("extra", [2, 30])
def test_people_pages_query_count_is_flat(client, django_assert_max_num_queries, extra):
    municipality = factories.MunicipalityFactory()
    school = factories.SchoolFactory(municipality=municipality)
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=municipality)
    for _ in range(extra):
        appoint(user=factories.UserFactory(), role="working_group", target=municipality)
        factories.PersonFactory(municipality=municipality, school=school)
    client.force_login(coordinator)
    client.get(reverse("measures:roadmap_list"))  # warm up: login time, content types
    # session, user, municipality (visibility in a subquery), may appoint, how many
    # appointments, the page of them, the form's schools, the header's links
    with django_assert_max_num_queries(8):
        page = client.get(reverse("schools:people", args=[municipality.pk]))
    assert page.text.count("<tr>") == extra + 2  # header + coordinator + members
    # session, user, school (visibility in a subquery), how many people, the page of them,
    # the header's links, who sees contacts
    with django_assert_max_num_queries(7):
        page = client.get(reverse("schools:school_people", args=[school.pk]))
    assert page.text.count("<tr>") == extra + 1
