"""The order as a document (measures/printing.py): the PDF read back with poppler's tools
(pdftotext, pdffonts, pdfinfo): every measure in order as written, the header on every page of
the roadmap table, the requisites and marks, the fonts embedded, nothing fetched but the
portal's own static files, PDF/A with its metadata; the rendering task's states, with a real
worker too; the PDF and preview pages.

The big document is rendered once for the module (inside a transaction that is rolled back)."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import zlib
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse

from measures import editions, printing
from measures.models import ActAppendix, LegalAct, Measure, Roadmap, RoadmapEdition, Section
from schools.models import (
    AgreementItem,
    MentorPairing,
    Municipality,
    Organisation,
    PartnershipAgreement,
    Person,
    Region,
    School,
    SchoolDesignation,
    WorkingGroup,
    WorkingGroupMember,
)
from tests import factories

GENITIVE = "Управления образования Тестового района"
MEASURES = 26  # sections of 5: the table runs over several landscape pages
HEADER = [
    "№ п/п",
    "Наименование мероприятия",
    "Ответственные исполнители",
    "Сроки реализации",
    "Планируемый результат",
]


def _measure_title(n: int) -> str:
    return (
        f"Мероприятие номер {n}: семинар для учителей математики и русского языка школ с "
        f"низкими результатами «Разбор заданий ВПР» ({n})"
    )


def _text(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def build_order(*, status: str = LegalAct.Status.SIGNED, measures: int = MEASURES) -> LegalAct:
    """An order with every kind of appendix: the roadmap (with multi-paragraph cells), the
    working group (people with phones and e-mails that must not be printed), the schools, the
    pairings and the agreement form under an approval stamp."""
    region = Region.objects.create(name=f"Печатная область {time.time_ns()}")
    municipality = Municipality.objects.create(region=region, name="Тестовый район")
    issuer = Organisation.objects.create(
        kind=Organisation.Kind.AUTHORITY,
        municipality=municipality,
        region=region,
        name="Управление образования Тестового района",
        name_genitive=GENITIVE,
    )
    signed = status == LegalAct.Status.SIGNED
    act = LegalAct.objects.create(
        municipality=municipality,
        issuer=issuer,
        kind=LegalAct.Kind.ORDER,
        number="31" if signed else "",
        date=date(2021, 2, 22) if signed else None,
        status=status,
        place="с. Кашхатау",
        title="Об утверждении плана мероприятий («дорожной карты») на 2022 год",
        preamble="В целях повышения качества образования приказываю:",
        items=[
            "Утвердить план мероприятий («дорожную карту») на 2022 год (приложение 1).",
            "Утвердить состав рабочей группы (приложение 2).",
            *[
                f"Поручение номер {n} руководителям общеобразовательных учреждений: обеспечить "
                "выполнение мероприятий плана в установленные сроки и представлять сведения о "
                "выполнении ежеквартально.\n- первое уточнение поручения;\n- второе уточнение."
                for n in range(3, 12)
            ],
            "Контроль за исполнением настоящего приказа оставляю за собой.",
        ],
        signatory_position="Начальник управления образования",
        signatory_name="А.Т. Бозиев",
    )
    roadmap = Roadmap.objects.create(
        municipality=municipality,
        title="План мероприятий («дорожная карта») по работе со школами на 2022 год",
        starts_on=date(2022, 1, 1),
        ends_on=date(2022, 12, 31),
        goal="Повышение качества образования.",
    )
    sections = Section.objects.bulk_create(
        Section(roadmap=roadmap, position=s + 1, number=f"{s + 1}.", title=f"Раздел {s + 1}")
        for s in range((measures + 4) // 5)
    )
    Measure.objects.bulk_create(
        Measure(
            roadmap=roadmap,
            section=sections[n // 5],
            position=n + 1,
            number=f"{n // 5 + 1}.{n % 5 + 1}",
            title=_measure_title(n + 1),
            owners_text="Отдел образования\nРуководители ОУ",
            deadline_text="Февраль 2022 г.",
            planned_result=f"Проведён семинар; подготовлена справка ({n + 1})",
        )
        for n in range(measures)
    )
    if signed:
        editions.record(roadmap=roadmap, act=act)
        # changed after the approval: the print shows the edition, not the rows in force
        roadmap.measures.filter(position=1).update(title="ИЗМЕНЕНО ПОСЛЕ УТВЕРЖДЕНИЯ")
    group = WorkingGroup.objects.create(
        municipality=municipality, title="Рабочая группа", year=2022
    )
    people = [
        ("Членова Ч.Ч.", "member", "главный специалист"),
        ("Секретарёва С.С.", "secretary", "специалист"),
        ("Бозиев А.Т.", "chair", "начальник управления"),
    ]
    for position, (name, role, post) in enumerate(people, start=1):
        person = Person.objects.create(
            municipality=municipality,
            short_name=name,
            email=f"person{position}@example.org",
            phone=f"+7 900 000-00-0{position}",
        )
        WorkingGroupMember.objects.create(
            group=group, person=person, role=role, position=position, position_text=post
        )
    mentor = School.objects.create(municipality=municipality, name="МКОУ СОШ № 4", short_name="4")
    supported = School.objects.create(
        municipality=municipality, name="МКОУ СОШ № 1", short_name="1"
    )
    SchoolDesignation.objects.create(school=supported, kind="low_results", year=2022)
    SchoolDesignation.objects.create(school=mentor, kind="mentor", year=2022)
    pairing = MentorPairing.objects.create(
        mentor=mentor, supported=supported, starts_on=date(2022, 1, 1), ends_on=date(2022, 12, 31)
    )
    director = Person.objects.create(municipality=municipality, short_name="Директорова Д.Д.")
    agreement = PartnershipAgreement.objects.create(
        pairing=pairing,
        number="7",
        signed_on=date(2022, 1, 20),
        starts_on=date(2022, 1, 20),
        ends_on=date(2022, 12, 31),
        mentor_director=director,
        supported_director=director,
    )
    AgreementItem.objects.create(agreement=agreement, position=1, text="Консультации")
    for position, kind, extra in [
        (1, "roadmap", {"roadmap": roadmap}),
        (2, "working_group", {"working_group": group}),
        (3, "schools", {"year": 2022}),
        (4, "pairings", {"year": 2022}),
        (5, "agreement_form", {"mark": ActAppendix.Mark.STAMP}),
    ]:
        ActAppendix.objects.create(act=act, position=position, kind=kind, **extra)
    if signed:
        act.signature.name = "orders/sig/2021/приказ.sig"
        act.certificate_serial = "01DA2B3C4D5E6F"
        act.certificate_owner = "Бозиев Аслан Тахирович"
        act.certificate_valid_from = date(2020, 12, 1)
        act.certificate_valid_to = date(2022, 3, 1)
        act.save()
    return act


class Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """The signed order rendered once, with a spy on what the fetcher served, and read back."""
    folder = tmp_path_factory.mktemp("pdf")
    result = {}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                act = build_order()
                fetcher = printing.url_fetcher()
                document = printing.render_document(act, fetcher=fetcher)
                data = printing.write_pdf(document)
                result["html"] = printing.render_html(act)
                raise Rollback
        except Rollback:
            pass
        finally:
            # the connection this module-scoped fixture used (in whatever context the session's
            # browser left this thread) must not outlive the test database
            connection.close()
    pdf = folder / "order.pdf"
    pdf.write_bytes(data)
    pages = [
        _text(pdf, "-raw", "-f", str(n), "-l", str(n)) for n in range(1, len(document.pages) + 1)
    ]
    sizes = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(len(pages)), str(pdf)], capture_output=True, text=True
    ).stdout
    result.update(
        pdf=pdf,
        data=data,
        pages=pages,
        flat=[_flat(page) for page in pages],
        layout_first=_text(pdf, "-layout", "-f", "1", "-l", "1"),
        fetched=list(fetcher.fetched),
        sizes=re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", sizes),
        info=subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout,
        fonts=subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout,
    )
    return result


def _roadmap_pages(rendered) -> list[int]:
    """Indexes of the pages of appendix 1 (from its mark to the mark of appendix 2)."""
    start = next(i for i, page in enumerate(rendered["flat"]) if "Приложение 1 к приказу" in page)
    end = next(i for i, page in enumerate(rendered["flat"]) if "Приложение 2 к приказу" in page)
    return list(range(start, end))


def test_every_measure_appears_in_order_as_written(rendered):
    text = " ".join(rendered["flat"][i] for i in _roadmap_pages(rendered))
    at = 0
    for n in range(1, MEASURES + 1):
        found = text.find(_measure_title(n), at)
        assert found >= at, f"мероприятие {n} не найдено по порядку"
        at = found
        assert f"Проведён семинар; подготовлена справка ({n})" in text
    assert "ИЗМЕНЕНО ПОСЛЕ УТВЕРЖДЕНИЯ" not in text  # the edition the order approved is printed
    assert "Раздел 1" in text and "Раздел 6" in text
    assert "Отдел образования<br>Руководители ОУ" in rendered["html"]  # a cell keeps its lines


def test_the_table_header_is_on_every_page_of_the_roadmap_and_it_is_landscape(rendered):
    pages = _roadmap_pages(rendered)
    assert len(pages) >= 3
    for index in pages:
        for words in HEADER:
            assert words in rendered["flat"][index], f"стр. {index + 1}: нет «{words}»"
        width, height = map(float, rendered["sizes"][index])
        assert width > height  # landscape
    width, height = map(float, rendered["sizes"][0])
    assert width < height  # the order itself: portrait A4
    assert round(width) == 595 and round(height) == 842


def test_the_requisites_of_the_order(rendered):
    first = rendered["flat"][0]
    for words in [
        "Управление образования Тестового района",
        "ПРИКАЗ",
        "с. Кашхатау",
        "Об утверждении плана мероприятий («дорожной карты») на 2022 год",
        "В целях повышения качества образования приказываю:",
        "1. Утвердить план мероприятий («дорожную карту») на 2022 год (приложение 1).",
        "2. Утвердить состав рабочей группы (приложение 2).",
    ]:
        assert words in first, words
    # date left, «№ N» right, on one line
    line = next(line for line in rendered["layout_first"].splitlines() if "22.02.2021" in line)
    assert re.search(r"^\s*22\.02\.2021\s{10,}№\s31\s*$", line.replace("\u00a0", " ")), line
    everything = " ".join(rendered["flat"])
    assert "12. Контроль за исполнением настоящего приказа оставляю за собой." in everything
    assert "- первое уточнение поручения;" in everything
    order_end = next(i for i, page in enumerate(rendered["flat"]) if "А.Т. Бозиев" in page)
    assert "Начальник управления образования" in rendered["flat"][order_end]
    assert order_end >= 1  # the order runs onto a second page: numbered at the top
    assert re.search(r"(^2\b|\b2$)", rendered["flat"][1]), rendered["flat"][1][-40:]
    assert not re.search(r"(^1\b|\b1$)", rendered["flat"][0])


def test_the_electronic_signature_mark(rendered):
    text = " ".join(rendered["flat"])
    for words in [
        "ДОКУМЕНТ ПОДПИСАН ЭЛЕКТРОННОЙ ПОДПИСЬЮ",
        "Сертификат 01DA2B3C4D5E6F",
        "Владелец Бозиев Аслан Тахирович",
        "Действителен с 01.12.2020 по 01.03.2022",
    ]:
        assert words in text, words


def test_appendix_marks_and_the_approval_stamp(rendered):
    flat = rendered["flat"]
    pages = _roadmap_pages(rendered)
    assert f"Приложение 1 к приказу {GENITIVE} от 22.02.2021 № 31" in flat[pages[0]]
    assert "Страница" in flat[pages[0]] and f"из {len(flat)}" in flat[pages[0]]
    text = " ".join(flat)
    assert f"Приложение 2 к приказу {GENITIVE} от 22.02.2021 № 31" in text
    assert f"УТВЕРЖДЕНА приказом {GENITIVE} от 22.02.2021 № 31" in text  # the agreement form
    assert "Форма соглашения о партнёрстве" in text
    # every appendix starts a page of its own
    for number in range(2, 5):
        page = next(p for p in flat if f"Приложение {number} к приказу" in p)
        assert page.index(f"Приложение {number} к приказу") < 40


def test_lists_print_names_and_positions_only(rendered):
    text = " ".join(rendered["flat"])
    chair, secretary, member = (
        text.index("Бозиев А.Т."),
        text.index("Секретарёва С.С."),
        text.index("Членова Ч.Ч."),
    )
    assert chair < secretary < member  # председатель, секретарь first
    assert "председатель рабочей группы" in text
    assert "@example.org" not in text and "+7 900" not in text
    assert "@example.org" not in rendered["html"] and "+7 900" not in rendered["html"]
    assert "МКОУ СОШ № 1" in text and "ШНОР" in text
    assert "Соглашение № 7 от 20.01.2022" in text


def test_fonts_are_shipped_and_embedded(rendered):
    rows = [line for line in rendered["fonts"].splitlines()[2:] if line.strip()]
    assert rows, rendered["fonts"]
    for row in rows:
        assert "Portal-Serif" in row and "TrueType" in row, row
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # embedded, subset, unicode


def test_only_the_portals_static_files_were_fetched(rendered):
    fetched = rendered["fetched"]
    assert all(url.startswith(printing.STATIC_BASE) for url in fetched)
    assert printing.STATIC_BASE + "css/order-print.css" in fetched
    assert printing.STATIC_BASE + "fonts/LiberationSerif-Bold.ttf" in fetched


def test_pdfa_and_metadata(rendered):
    info = rendered["info"]
    assert "Title:           Приказ от 22.02.2021 № 31. Об утверждении плана" in info.replace(
        "\u00a0", " "
    )
    assert "Author:          Управление образования Тестового района" in info
    assert "CreationDate:" in info and "2021" in info
    xmp = next(s for s in _streams(rendered["data"]) if b"x:xmpmeta" in s).decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Приказ от 22.02.2021' in xmp
    assert "<rdf:li>Управление образования Тестового района</rdf:li>" in xmp
    assert "<xmp:CreateDate>2021-02-22</xmp:CreateDate>" in xmp


def _streams(data: bytes) -> list[bytes]:
    """The PDF's streams, inflated where they are compressed (the XMP metadata among them)."""
    found = []
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            found.append(zlib.decompressobj().decompress(data[match.end() :]))
        except zlib.error:
            continue
    return found


def test_an_external_url_is_refused_and_nothing_touches_the_network(monkeypatch):
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    def no_network(*args, **kwargs):
        raise AssertionError("network access while rendering")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    for url in [
        "https://example.org/logo.png",
        "file:///etc/hostname",
        printing.STATIC_BASE + "../../etc/hostname",
        printing.STATIC_BASE + "css/no-such-file.css",
    ]:
        fetcher = printing.url_fetcher()
        html = f'<link rel="stylesheet" href="{url}"><p>Текст</p>'
        with pytest.raises(FatalURLFetchingError):
            HTML(string=html, base_url=printing.STATIC_BASE, url_fetcher=fetcher).write_pdf()
        assert fetcher.fetched == []


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("План мероприятий («дорожная карта»)", "УТВЕРЖДЕН"),
        ("Комплекс мер по поддержке школ", "УТВЕРЖДЕН"),
        ("Дорожная карта по сопровождению школ", "УТВЕРЖДЕНА"),
        ("«Дорожная карта» развития", "УТВЕРЖДЕНА"),
        ("Программа помощи школам", "УТВЕРЖДЕНА"),
        ("Положение о рабочей группе", "УТВЕРЖДЕНО"),
        ("Состав рабочей группы", "УТВЕРЖДЕН"),
    ],
)
def test_the_approval_word_agrees_with_the_document(title, word):
    assert printing.approved_word(title) == word


@pytest.mark.django_db
def test_a_draft_prints_its_roadmap_as_it_stands_marked_as_a_draft():
    act = build_order(status=LegalAct.Status.DRAFT, measures=3)
    assert not RoadmapEdition.objects.filter(act=act).exists()
    html = printing.render_html(act)
    assert "ПРОЕКТ" in html and _measure_title(3) in html
    assert "№ ____" in html  # no number yet
    assert printing.file_name(act) == f"Проект_приказа_{act.pk}.pdf"


# --- storing the PDF: the service, the task, a real worker -----------------------------------


def _small_signed_act() -> LegalAct:
    act = factories.LegalActFactory(number="31", date=date(2021, 2, 22), title="О тесте")
    act.items = ["Контроль оставляю за собой."]
    act.save()
    return act


@pytest.mark.django_db(transaction=False)
def test_render_and_store_moves_queued_to_ready_and_a_second_run_is_harmless(
    django_capture_on_commit_callbacks,
):
    act = _small_signed_act()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        printing.enqueue_render(act)
    assert len(callbacks) == 1
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.QUEUED and act.pdf_requested_at
    assert printing.render_and_store(act.pk) is True
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.READY and act.pdf_rendered_at
    assert Path(act.pdf.name).name == "Приказ_от_22.02.2021_№31.pdf"
    with act.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    name, rendered_at = act.pdf.name, act.pdf_rendered_at
    assert printing.render_and_store(act.pk) is False  # ready: left alone
    act.refresh_from_db()
    assert (act.pdf.name, act.pdf_rendered_at) == (name, rendered_at)


@pytest.mark.django_db
def test_a_failing_render_ends_in_failed_with_the_reason(monkeypatch):
    act = _small_signed_act()
    LegalAct.objects.filter(pk=act.pk).update(pdf_status=LegalAct.PdfStatus.QUEUED)

    def broken(*args, **kwargs):
        raise OSError("шрифт не найден")

    monkeypatch.setattr(printing, "render_pdf", broken)
    assert printing.render_and_store(act.pk) is False
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.FAILED
    assert act.get_pdf_status_display() == "Ошибка"
    assert "PDF не сформирован" in act.pdf_error and "шрифт не найден" in act.pdf_error
    assert not act.pdf


@pytest.mark.django_db
def test_the_task_turns_the_time_limit_into_failed(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from measures import tasks

    act = _small_signed_act()
    LegalAct.objects.filter(pk=act.pk).update(pdf_status=LegalAct.PdfStatus.QUEUED)

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(printing, "render_pdf", slow)
    tasks.render_order_pdf(act.pk)
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.FAILED
    assert "формировался дольше 120 секунд" in act.pdf_error


def test_a_real_worker_renders_the_pdf_and_a_second_task_is_harmless(celery_worker_process):
    from measures.tasks import render_order_pdf

    act = _small_signed_act()
    with transaction.atomic():
        printing.enqueue_render(act)  # sent once the transaction commits
    deadline = time.monotonic() + 90  # a bound on waiting, not a timing assertion
    while time.monotonic() < deadline:
        act.refresh_from_db()
        if act.pdf_status in {LegalAct.PdfStatus.READY, LegalAct.PdfStatus.FAILED}:
            break
        time.sleep(0.2)
    assert act.pdf_status == LegalAct.PdfStatus.READY, act.pdf_error or "".join(
        celery_worker_process.log
    )
    with act.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    rendered_at = act.pdf_rendered_at
    again = render_order_pdf.delay(act.pk)  # the same message again: left alone
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        f"[{again.id}] succeeded" in line for line in celery_worker_process.log
    ):
        time.sleep(0.2)
    assert any(f"[{again.id}] succeeded" in line for line in celery_worker_process.log)
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.READY and act.pdf_rendered_at == rendered_at


# --- the pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pdf_download_is_404_until_ready_then_the_file_with_its_name(client, tenants):
    from django.contrib.auth.models import User

    roadmap = Roadmap.objects.filter(municipality__name=factories.HOME).order_by("pk").first()
    act = factories.LegalActFactory(
        issuer=roadmap.municipality.organisations.order_by("pk").first(),
        number="77-Д",
        date=date(2023, 4, 28),
    )
    ActAppendix.objects.create(act=act, position=1, kind="roadmap", roadmap=roadmap)
    client.force_login(User.objects.get(username="direktor"))
    url = reverse("measures:order_pdf", args=[act.pk])
    assert client.get(url).status_code == 404
    act.pdf.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=False)
    LegalAct.objects.filter(pk=act.pk).update(pdf=act.pdf.name, pdf_status="ready")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="order-')
    assert (
        "filename*=UTF-8''%D0%9F%D1%80%D0%B8%D0%BA%D0%B0%D0%B7_%D0%BE%D1%82_28.04.2023_"
        in disposition
    )
    assert "%E2%84%9677-%D0%94.pdf" in disposition  # «№77-Д.pdf»


@pytest.mark.django_db
def test_the_preview_is_for_whoever_reads_the_order(client, tenants):
    from django.contrib.auth.models import User

    municipality = Municipality.objects.get(name=factories.HOME)
    act = factories.LegalActFactory(
        issuer=municipality.organisations.order_by("pk").first(),
        number="",
        date=None,
        status=LegalAct.Status.DRAFT,
    )
    url = reverse("measures:order_preview", args=[act.pk])
    detail = reverse("measures:order_detail", args=[act.pk])
    # whoever reads the order reads its preview (a draft is marked «ПРОЕКТ»)
    for username in ["koordinator", "admin", "rabgruppa", "nablyudatel", "grechkina"]:
        client.force_login(User.objects.get(username=username))
        status = client.get(detail).status_code
        assert status in (200, 404), username
        assert client.get(url).status_code == status, username
    client.force_login(User.objects.get(username="rabgruppa"))
    page = client.get(url).content.decode()
    assert "print-preview" in page and "ПРОЕКТ" in page and "css/order-print.css" in page
    assert f'href="{detail}"' in page and "← К приказу" in page


@pytest.mark.django_db
@pytest.mark.parametrize("measures", [3, 30])
def test_preview_query_count_does_not_grow_with_the_order(
    client, django_assert_num_queries, measures
):
    from django.contrib.auth.models import User

    act = build_order(measures=measures)
    admin = User.objects.create_superuser("printadmin", "a@example.org", "x")
    client.force_login(admin)
    url = reverse("measures:order_preview", args=[act.pk])
    client.get(url)
    with django_assert_num_queries(PREVIEW_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


PREVIEW_QUERIES = 9


@pytest.mark.django_db
def test_render_order_command_writes_the_file(tmp_path, capsys):
    from django.core.management import call_command

    act = _small_signed_act()
    target = tmp_path / "order.pdf"
    call_command("render_order", act.pk, "-o", str(target))
    assert target.read_bytes()[:5] == b"%PDF-"
    assert "страниц 1" in capsys.readouterr().out


@pytest.mark.django_db
def test_admin_renders_again_and_shows_the_pdf_status(client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    act = _small_signed_act()
    admin = User.objects.create_superuser("printadmin", "a@example.org", "x")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:measures_legalact_changelist"),
            {"action": "render_pdf_again", "_selected_action": [act.pk]},
            follow=True,
        )
    assert "PDF поставлен в очередь на формирование: 1 документ." in response.content.decode()
    assert len(callbacks) == 1
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.QUEUED
    page = client.get(reverse("admin:measures_legalact_change", args=[act.pk])).content.decode()
    assert "В очереди" in page and "Состояние PDF" in page


# --- a signed order never changes; the render's states -----------------------------------------


def _pdf_text(act: LegalAct, tmp_path: Path) -> str:
    pdf = tmp_path / f"act-{act.pk}.pdf"
    pdf.write_bytes(printing.render_pdf(act))
    return _flat(_text(pdf))


@pytest.mark.django_db
def test_a_signed_order_prints_its_lists_as_frozen_at_signing(tmp_path):
    act = build_order(measures=3)
    printing.freeze_appendices(act)
    frozen = act.appendices.get(kind="working_group").content
    assert frozen["title"] == "Состав рабочей группы"
    assert {m["position"] for m in frozen["members"]} >= {"главный специалист"}
    # changed after signing: the group, the schools, the pairings
    WorkingGroupMember.objects.filter(position_text="главный специалист").update(
        position_text="НОВАЯ ДОЛЖНОСТЬ"
    )
    School.objects.filter(name="МКОУ СОШ № 1").update(name="ПЕРЕИМЕНОВАННАЯ ШКОЛА")
    html = printing.render_html(act)
    assert "главный специалист" in html and "НОВАЯ ДОЛЖНОСТЬ" not in html
    assert "МКОУ СОШ № 1" in html and "ПЕРЕИМЕНОВАННАЯ ШКОЛА" not in html
    text = _pdf_text(act, tmp_path)
    assert "главный специалист" in text and "НОВАЯ ДОЛЖНОСТЬ" not in text
    # a draft's preview reads the live data
    LegalAct.objects.filter(pk=act.pk).update(status=LegalAct.Status.DRAFT)
    act.refresh_from_db()
    assert "НОВАЯ ДОЛЖНОСТЬ" in printing.render_html(act)


@pytest.mark.django_db
def test_an_order_signed_before_freezing_prints_the_live_lists():
    act = build_order(measures=1)
    assert act.appendices.exclude(content={}).count() == 0
    WorkingGroupMember.objects.filter(position_text="главный специалист").update(
        position_text="НОВАЯ ДОЛЖНОСТЬ"
    )
    assert "НОВАЯ ДОЛЖНОСТЬ" in printing.render_html(act)


@pytest.mark.django_db
def test_signing_freezes_the_lists(django_capture_on_commit_callbacks):
    from measures import orders

    act = build_order(status=LegalAct.Status.DRAFT, measures=1)
    LegalAct.objects.filter(pk=act.pk).update(number="31", date=date(2021, 2, 22))
    act.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        orders.order_sign(act=act, by=None, expected_version=act.version)
    contents = {a.kind: a.content for a in act.appendices.all()}
    assert contents["roadmap"] == {}  # frozen in its edition
    assert contents["working_group"]["members"][0]["name"] == "Бозиев А.Т."
    assert contents["schools"]["schools"] and contents["pairings"]["pairings"]
    assert contents["agreement_form"]["agreement_items"]
    WorkingGroupMember.objects.filter(position_text="начальник управления").update(
        position_text="НОВАЯ ДОЛЖНОСТЬ"
    )
    act.refresh_from_db()
    assert "НОВАЯ ДОЛЖНОСТЬ" not in printing.render_html(act)


@pytest.mark.django_db
def test_a_signed_order_without_its_own_edition_prints_the_earliest_edition():
    act = build_order(measures=3)
    roadmap = act.appendices.get(kind="roadmap").roadmap
    other = build_order(measures=1)
    appendix = other.appendices.get(kind="roadmap")
    appendix.roadmap = roadmap
    appendix.save()
    assert not RoadmapEdition.objects.filter(act=other, roadmap=roadmap).exists()
    html = printing.render_html(other)
    assert _measure_title(1) in html  # the edition, not the live row
    assert "ИЗМЕНЕНО ПОСЛЕ УТВЕРЖДЕНИЯ" not in html
    LegalAct.objects.filter(pk=other.pk).update(status=LegalAct.Status.DRAFT)
    other.refresh_from_db()
    assert "ИЗМЕНЕНО ПОСЛЕ УТВЕРЖДЕНИЯ" in printing.render_html(other)  # a draft: live


@pytest.mark.django_db
def test_the_working_group_has_one_heading_and_a_single_appendix_is_numbered():
    act = build_order(measures=1)
    act.appendices.exclude(kind="working_group").delete()
    ActAppendix.objects.filter(act=act).update(position=1)
    WorkingGroup.objects.filter(appendices__act=act).update(
        title="Муниципальная рабочая группа по реализации плана"
    )
    html = printing.render_html(act)
    assert html.count("Состав муниципальной рабочей группы по реализации плана") == 1
    assert "Муниципальная рабочая группа по реализации плана" not in html
    assert "Состав рабочей группы<" not in html
    assert "Приложение 1</p>" in html


@pytest.mark.django_db
def test_a_broker_that_is_down_ends_the_request_in_failed(
    monkeypatch, django_capture_on_commit_callbacks
):
    from measures import tasks

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.render_order_pdf, "delay", down)
    act = _small_signed_act()
    with django_capture_on_commit_callbacks(execute=True):
        printing.enqueue_render(act)  # no exception after the commit
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.FAILED
    assert act.pdf_error == (
        "Очередь заданий недоступна: PDF не поставлен в очередь. "
        "Попробуйте «Сформировать заново» позже."
    )


@pytest.mark.django_db
def test_a_render_stuck_past_the_time_limit_is_stalled_and_taken_again():
    from datetime import timedelta

    from django.utils import timezone

    act = _small_signed_act()
    recent = timezone.now() - timedelta(seconds=30)
    LegalAct.objects.filter(pk=act.pk).update(
        pdf_status=LegalAct.PdfStatus.RENDERING, pdf_requested_at=recent
    )
    act.refresh_from_db()
    assert not printing.render_stalled(act)
    assert printing.render_and_store(act.pk) is False  # another worker is at it
    old = timezone.now() - printing.stalled_after() - timedelta(seconds=1)
    for status in (LegalAct.PdfStatus.QUEUED, LegalAct.PdfStatus.RENDERING):
        LegalAct.objects.filter(pk=act.pk).update(pdf_status=status, pdf_requested_at=old)
        act.refresh_from_db()
        assert printing.render_stalled(act), status
    # the redelivered task of a killed worker finishes it
    assert printing.render_and_store(act.pk) is True
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.READY and not printing.render_stalled(act)


@pytest.mark.django_db
def test_an_older_render_never_replaces_a_newer_request(django_capture_on_commit_callbacks):
    act = _small_signed_act()
    with django_capture_on_commit_callbacks(execute=False):
        printing.enqueue_render(act)
    older = printing.render_claim(act.pk)  # the first render starts …
    assert older is not None
    act.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        printing.enqueue_render(act)  # … and the order is requested again meanwhile
    assert printing.render_and_store(act.pk) is True  # the newer render
    act.refresh_from_db()
    newer_name = act.pdf.name
    storage = act.pdf.storage
    folder = str(Path(newer_name).parent)
    before = set(storage.listdir(folder)[1])
    # the older render ends last: not stored, its file removed
    assert printing.render_store(act=act, requested_at=older, data=b"%PDF-old") is False
    act.refresh_from_db()
    assert act.pdf.name == newer_name and act.pdf_status == LegalAct.PdfStatus.READY
    assert set(storage.listdir(folder)[1]) == before
    with act.pdf.open("rb") as handle:
        assert handle.read() != b"%PDF-old"
    # and a newer request outlives a failing older render
    with django_capture_on_commit_callbacks(execute=False):
        printing.enqueue_render(act)
    printing.render_fail(act_id=act.pk, message="старое", requested_at=older)
    act.refresh_from_db()
    assert act.pdf_status == LegalAct.PdfStatus.QUEUED
