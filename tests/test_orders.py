"""Orders in the browser, their services: the defaults of a new order, the edits of a draft
(text, appendices), marking it signed (all or nothing) and the electronic signature."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures import editing, editions, orders, services
from measures.models import ActAppendix, LegalAct, Measure, Roadmap, RoadmapEdition
from roadmap_portal.concurrency import StaleEdit
from schools.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def draft(tenants, **fields) -> Roadmap:
    roadmap = factories.RoadmapFactory(
        municipality=tenants.home.municipality,
        title=fields.pop("title", "Дорожная карта по поддержке школ на 2026 год"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        **fields,
    )
    section = editing.section_add(roadmap=roadmap, title="Раздел")
    editing.measure_add(
        measure=Measure(roadmap=roadmap, section=section, title="Семинар", deadline_text="Май")
    )
    return roadmap


def numbered(act: LegalAct, number: str = "31", on: date = date(2026, 2, 22)) -> LegalAct:
    act.number, act.date = number, on
    return orders.order_save(act=act, expected_version=act.version)


def test_a_new_order_needs_only_a_number_and_a_date(tenants):
    roadmap = draft(tenants)
    act = orders.order_new(roadmap=roadmap, by=tenants.home.coordinator)
    assert act.status == LegalAct.Status.DRAFT
    assert act.kind == LegalAct.Kind.ORDER
    assert act.issuer == tenants.home.authority
    assert act.place == tenants.home.municipality.name  # the last signed act names no place
    assert act.title == "Об утверждении дорожной карты по поддержке школ на 2026 год"
    assert act.preamble.endswith(", приказываю:")
    assert act.items[0] == "Утвердить дорожную карту по поддержке школ на 2026 год (приложение 1)."
    # no name declined by the portal («возложить на Координатор К.К.» would be wrong)
    assert act.items[1] == "Контроль за исполнением настоящего приказа оставляю за собой."
    [appendix] = act.appendices.all()
    assert (appendix.position, appendix.kind, appendix.roadmap) == (1, "roadmap", roadmap)
    assert orders.sign_problems(act) == [
        "Чтобы отметить документ подписанным, укажите: номер, дата."
    ]
    numbered(act)
    assert orders.sign_problems(act) == []


def test_place_and_signatory_come_from_the_issuers_last_signed_act(tenants):
    factories.LegalActFactory(
        issuer=tenants.home.authority, date=date(2025, 3, 1), place="с. Кашхатау",
        signatory_position="Начальник управления образования", signatory_name="А.Т. Бозиев",
    )  # fmt: skip
    act = orders.order_new(
        roadmap=draft(tenants, title="План мероприятий («дорожная карта») на 2026 год",
                      legal_basis="В соответствии с приказом Минпросвещения России № 1"),
        by=None,
    )  # fmt: skip
    assert (act.place, act.signatory_name) == ("с. Кашхатау", "А.Т. Бозиев")
    assert act.signatory_position == "Начальник управления образования"
    assert act.title == "Об утверждении плана мероприятий («дорожная карта») на 2026 год"
    assert act.preamble.startswith("В соответствии с приказом Минпросвещения России № 1, в целях")
    assert act.items[0].startswith("Утвердить план мероприятий («дорожная карта»)")
    assert act.items[1] == "Контроль за исполнением настоящего приказа оставляю за собой."


def test_without_an_authority_the_administration_issues_a_disposition(tenants):
    municipality = tenants.home.municipality
    Organisation.objects.filter(municipality=municipality).update(
        kind=Organisation.Kind.ADMINISTRATION
    )
    act = orders.order_new(roadmap=draft(tenants, control="начальника отдела"), by=None)
    assert act.kind == LegalAct.Kind.DISPOSITION
    assert act.preamble.endswith("организациях:")
    assert "приказываю" not in act.preamble
    assert act.items[1] == (
        "Контроль за исполнением настоящего распоряжения возложить на начальника отдела."
    )
    Organisation.objects.filter(municipality=municipality).update(kind=Organisation.Kind.OTHER)
    with pytest.raises(ValidationError, match="нет ни органа управления образованием"):
        orders.order_new(roadmap=draft(tenants, title="План"), by=None)


def test_an_amendment_draft_gets_an_amending_order(tenants):
    approved = tenants.home.roadmap  # «Дорожная карта по повышению …», приказ от 01.02.2022 № 15
    amendment = factories.RoadmapFactory(
        municipality=approved.municipality, title=approved.title, amends=approved,
        starts_on=approved.starts_on, ends_on=approved.ends_on,
    )  # fmt: skip
    act = orders.order_new(roadmap=amendment, by=None)
    assert act.title == (
        "О внесении изменений в дорожную карту по повышению качества образования на 2022 год"
    )
    assert act.items[0] == (
        "Внести изменения в дорожную карту по повышению качества образования на 2022 год, "
        "утверждённую приказом от 01.02.2022 №\u00a015, изложив её в новой редакции "
        "(приложение 1)."
    )
    assert act.appendices.get().roadmap == amendment
    # amended since: the item names the wording in force too
    later = factories.LegalActFactory(
        issuer=tenants.home.authority, number="76-Д", date=date(2023, 4, 28)
    )
    approved.amended_by.add(later)
    item = orders.amend_item(approved.title, approved.approved_by, 1, later)
    assert "№\u00a015 (в редакции приказа от 28.04.2023 №\u00a076-Д), изложив её" in item


def test_one_draft_order_per_roadmap(tenants, client):
    roadmap = draft(tenants)
    first = orders.order_new(roadmap=roadmap, by=None)
    assert orders.draft_order_for(roadmap) == first
    client.force_login(tenants.home.coordinator)
    answer = client.post(reverse("measures:order_new"), {"roadmap": roadmap.pk})
    assert answer.status_code == 302 and answer["Location"].endswith(f"/orders/{first.pk}/")
    assert LegalAct.objects.filter(appendices__roadmap=roadmap).count() == 1
    # a second draft that carries it anyway (added as an appendix) keeps both from signing
    second = numbered(orders.order_new(roadmap=draft(tenants, title="Другая"), by=None), "32")
    orders.appendix_add(
        act=second, kind="roadmap", roadmap=roadmap, expected_version=second.version
    )
    numbered(first)
    problems = orders.sign_problems(first)
    assert any("включена и в другой проект" in p for p in problems), problems


def test_an_approved_roadmap_gets_no_new_approving_order(tenants):
    with pytest.raises(ValidationError, match="изменять и удалять можно только проект"):
        orders.order_new(roadmap=tenants.home.roadmap, by=None)


def test_signing_approves_the_roadmap_and_queues_the_pdf(tenants):
    roadmap = draft(tenants)
    act = numbered(orders.order_new(roadmap=roadmap, by=None))
    group = factories.WorkingGroupFactory(municipality=tenants.home.municipality, year=2026)
    orders.appendix_add(
        act=act, kind="working_group", working_group=group, expected_version=act.version
    )
    act.refresh_from_db()
    orders.order_sign(act=act, by=None, expected_version=act.version)
    act.refresh_from_db()
    roadmap.refresh_from_db()
    group.refresh_from_db()
    assert act.status == LegalAct.Status.SIGNED and act.signed_at is not None
    assert act.pdf_status == LegalAct.PdfStatus.QUEUED
    assert roadmap.status == Roadmap.Status.APPROVED
    assert (roadmap.approved_by, roadmap.appendix_number) == (act, "1")
    assert RoadmapEdition.objects.filter(roadmap=roadmap, act=act).count() == 1
    assert group.act == act
    with pytest.raises(ValidationError, match="Внести изменения"):
        services.check_draft(roadmap.pk)  # the editor refuses it now
    with pytest.raises(ValidationError, match="подписан"):
        orders.order_sign(act=act, by=None, expected_version=act.version)


def test_signing_is_all_or_nothing(tenants, monkeypatch):
    first, second = draft(tenants), draft(tenants, title="План на 2026 год")
    act = numbered(orders.order_new(roadmap=first, by=None))
    orders.appendix_add(act=act, kind="roadmap", roadmap=second, expected_version=act.version)
    act.refresh_from_db()
    approve = editions.approve

    def failing(*, roadmap, act, appendix_number=""):
        if roadmap.pk == second.pk:
            raise RuntimeError("the second approval fails")
        return approve(roadmap=roadmap, act=act, appendix_number=appendix_number)

    monkeypatch.setattr(editions, "approve", failing)
    with pytest.raises(RuntimeError):
        orders.order_sign(act=act, by=None, expected_version=act.version)
    act.refresh_from_db()
    first.refresh_from_db()
    assert act.status == LegalAct.Status.DRAFT and act.pdf_status == ""
    assert first.status == Roadmap.Status.DRAFT and first.approved_by is None
    assert not RoadmapEdition.objects.filter(act=act).exists()


def test_signing_refuses_with_the_reasons(tenants):
    roadmap = draft(tenants)
    act = orders.order_new(roadmap=roadmap, by=None)
    with pytest.raises(ValidationError) as refused:
        orders.order_sign(act=act, by=None, expected_version=act.version)
    assert refused.value.messages == ["Чтобы отметить документ подписанным, укажите: номер, дата."]
    # a number the issuer used for the same kind and date
    factories.LegalActFactory(issuer=tenants.home.authority, number="31", date=date(2026, 2, 22))
    act.number, act.date = "31", date(2026, 2, 22)
    with pytest.raises(ValidationError, match=r"Номер 31 от 22\.02\.2026"):
        orders.order_save(act=act, expected_version=act.version)
    act = numbered(LegalAct.objects.get(pk=act.pk), "32")
    # a roadmap approved meanwhile (by another order)
    other = factories.LegalActFactory(issuer=tenants.home.authority)
    Roadmap.objects.filter(pk=roadmap.pk).update(status="approved", approved_by=other)
    with pytest.raises(ValidationError, match="Приложение 1: дорожная карта «Дорожная карта по"):
        orders.order_sign(act=act, by=None, expected_version=act.version)
    Roadmap.objects.filter(pk=roadmap.pk).update(status="draft", approved_by=None)
    orders.appendix_delete(
        act=act, appendix_id=act.appendices.get().pk, expected_version=act.version
    )
    act.refresh_from_db()
    with pytest.raises(ValidationError, match="нет приложений"):
        orders.order_sign(act=act, by=None, expected_version=act.version)
    assert LegalAct.objects.get(pk=act.pk).status == LegalAct.Status.DRAFT


def test_a_stale_page_changes_nothing(tenants):
    act = orders.order_new(roadmap=draft(tenants), by=None)
    opened = act.version
    numbered(act)
    act = LegalAct.objects.get(pk=act.pk)
    act.place = "г. Нальчик"
    with pytest.raises(StaleEdit):
        orders.order_save(act=act, expected_version=opened)
    with pytest.raises(StaleEdit):
        orders.order_sign(act=act, by=None, expected_version=opened)
    with pytest.raises(StaleEdit):
        orders.appendix_add(act=act, kind="agreement_form", expected_version=opened)
    assert LegalAct.objects.get(pk=act.pk).place != "г. Нальчик"


def test_appendices_are_numbered_and_the_items_follow(tenants):
    act = orders.order_new(roadmap=draft(tenants), by=None)
    group = factories.WorkingGroupFactory(municipality=tenants.home.municipality, year=2026)
    added = orders.appendix_add(
        act=act, kind="working_group", working_group=group, expected_version=act.version
    )
    act.refresh_from_db()
    assert added.position == 2 and added.title == "Состав рабочей группы"
    assert act.items[1] == "Утвердить состав рабочей группы (приложение 2)."
    group.title = "Муниципальная рабочая группа по реализации плана на 2026 год"
    assert orders.appendix_title("working_group", roadmap=None, group=group, year=None) == (
        "Состав муниципальной рабочей группы по реализации плана на 2026 год"
    )
    assert act.items[2].startswith("Контроль")
    schools = orders.appendix_add(act=act, kind="schools", year=2026, expected_version=act.version)
    act.refresh_from_db()
    orders.appendix_move(act=act, appendix_id=schools.pk, up=True, expected_version=act.version)
    act.refresh_from_db()
    kinds = list(act.appendices.order_by("position").values_list("kind", flat=True))
    assert kinds == ["roadmap", "schools", "working_group"]
    assert act.items[1].endswith("(приложение 3).") and act.items[2].endswith("(приложение 2).")
    orders.appendix_delete(act=act, appendix_id=schools.pk, expected_version=act.version)
    act.refresh_from_db()
    assert list(act.appendices.order_by("position").values_list("position", "kind")) == [
        (1, "roadmap"),
        (2, "working_group"),
    ]
    assert [item[-15:] for item in act.items[:2]] == ["(приложение 1).", "(приложение 2)."]
    assert len(act.items) == 3


def test_appendices_refuse_what_does_not_fit(tenants):
    act = orders.order_new(roadmap=draft(tenants), by=None)
    foreign = factories.WorkingGroupFactory(municipality=tenants.other.municipality)
    for kwargs, field in [
        ({"kind": "working_group"}, "working_group"),
        ({"kind": "working_group", "working_group": foreign}, "working_group"),
        ({"kind": "schools"}, "year"),
        ({"kind": "roadmap", "roadmap": tenants.other.roadmap}, "roadmap"),
        ({"kind": "roadmap", "roadmap": act.appendices.get().roadmap}, "roadmap"),
    ]:
        with pytest.raises(ValidationError) as refused:
            orders.appendix_add(act=act, expected_version=act.version, **kwargs)
        assert field in refused.value.message_dict
    assert act.appendices.count() == 1


def test_a_signed_order_is_not_edited_or_deleted(tenants):
    act = tenants.home.roadmap.approved_by
    act.place = "где-то"
    with pytest.raises(ValidationError, match="подписан"):
        orders.order_save(act=act, expected_version=act.version)
    with pytest.raises(ValidationError, match="подписан"):
        orders.appendix_add(act=act, kind="agreement_form", expected_version=act.version)
    with pytest.raises(ValidationError, match="подписан"):
        orders.order_delete(act=act)
    draft_act = orders.order_new(roadmap=draft(tenants, title="План"), by=None)
    orders.order_delete(act=draft_act)
    assert not LegalAct.objects.filter(pk=draft_act.pk).exists()
    assert not ActAppendix.objects.filter(act_id=draft_act.pk).exists()


def _sign(tenants) -> LegalAct:
    act = numbered(orders.order_new(roadmap=draft(tenants), by=None))
    return orders.order_sign(act=act, by=None, expected_version=act.version)


def _signature(act, name="приказ 31.sig", size=100, start=date(2025, 1, 1), end=date(2026, 12, 31)):
    upload = SimpleUploadedFile(name, b"0" * size) if name else None
    return orders.signature_save(
        act=act, file=upload, owner="Бозиев Альберт Тахирович", serial="01 AB cd",
        valid_from=start, valid_to=end, expected_version=None,
    )  # fmt: skip


def test_the_signature_is_checked_and_stored(tenants, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    act = _sign(tenants)
    LegalAct.objects.filter(pk=act.pk).update(pdf_status=LegalAct.PdfStatus.READY)
    for kwargs, message in [
        ({"name": "подпись.pdf"}, "нужен отсоединённый файл"),
        ({"size": 2 * 1024 * 1024}, "больше 1 МБ"),
        ({"name": ""}, "Выберите файл подписи"),
        ({"end": date(2024, 12, 31)}, "раньше начала"),
        ({"end": date(2026, 1, 31)}, "Документ подписан 22.02.2026"),
    ]:
        with pytest.raises(ValidationError, match=message):
            _signature(act, **kwargs)
    assert not LegalAct.objects.get(pk=act.pk).signature
    _signature(act)
    act.refresh_from_db()
    assert act.signature_name == "приказ 31.sig"
    assert act.certificate_serial == "01ABcd"
    assert act.pdf_status == LegalAct.PdfStatus.QUEUED  # the printed mark changes
    _signature(act, name="")  # details changed, the file kept
    assert LegalAct.objects.get(pk=act.pk).signature_name == "приказ 31.sig"
    draft_act = orders.order_new(roadmap=draft(tenants, title="План"), by=None)
    with pytest.raises(ValidationError, match="к подписанному"):
        _signature(draft_act)
