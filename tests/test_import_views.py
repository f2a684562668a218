"""The coordinator's pages for import, export and measure editing: status and permissions."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures import tasks
from measures.models import Measure, Roadmap, RoadmapImport
from tests import docx_builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def cherek(demo):
    return Roadmap.objects.get(municipality__name="Черекский муниципальный район")


def login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def upload(client, cherek, data, name="план.docx", **extra):
    """Upload as the browser does, then do the queued reading as the worker would."""
    response = client.post(
        reverse("measures:import_upload"),
        {
            "municipality": cherek.municipality_id,
            "starts_on": "2022-01-01",
            "ends_on": "2022-12-31",
            "title": extra.get("title", "Импортированный план"),
            "file": SimpleUploadedFile(name, data),
        },
    )
    for record in RoadmapImport.objects.filter(status="queued"):
        tasks.read_import(record.pk)
    return response


def upload_only(client, cherek, data, name="план.docx", **extra):
    return client.post(
        reverse("measures:import_upload"),
        {
            "municipality": cherek.municipality_id,
            "starts_on": "2022-01-01",
            "ends_on": "2022-12-31",
            "title": extra.get("title", "Импортированный план"),
            "file": SimpleUploadedFile(name, data),
        },
    )


def test_coordinator_imports_previews_and_confirms(client, cherek):
    login(client, "koordinator")
    assert client.get(reverse("measures:roadmap_list")).text.count("Импортировать из файла") == 1
    form = client.get(reverse("measures:import_upload"))
    assert form.status_code == 200
    assert "Черекский муниципальный район" in form.text
    assert "Светлогорский городской округ" not in form.text  # only their own municipality

    response = upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("measures:import_preview", args=[record.pk])
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert "Подтвердить импорт" in preview.text
    assert "Месяц; контрольные даты: 28.02.2022" in preview.text
    assert "от 22.02.2021 №\u00a031" in preview.text  # never broken
    assert Roadmap.objects.count() == 3  # nothing saved before confirmation

    response = client.post(reverse("measures:import_confirm", args=[record.pk]))
    assert response.url == reverse("measures:import_preview", args=[record.pk]) + "?confirmed=1"
    assert "Импорт выполняется…" in client.get(response.url).text
    tasks.confirm_import(record.pk)
    roadmap = Roadmap.objects.get(title="Импортированный план")
    response = client.get(reverse("measures:import_preview", args=[record.pk]) + "?confirmed=1")
    assert response.url == reverse("measures:roadmap_detail", args=[roadmap.pk])
    page = client.get(response.url)
    assert "Дорожная карта импортирована: мероприятий 31." in page.text


def test_a_bad_file_is_refused_on_the_form(client, cherek):
    login(client, "koordinator")
    response = upload(client, cherek, b"%PDF-1.4", name="план.pdf")
    assert response.status_code == 400
    assert "Неподдерживаемый тип файла «.pdf»" in response.text
    assert RoadmapImport.objects.count() == 0


def test_a_file_without_a_name_is_named_on_the_preview_not_refused_after_the_click(client, cherek):
    login(client, "koordinator")
    data = docx_builders.docx_table(
        [
            ["№ п/п", "Наименование мероприятия", "Ответственные исполнители", "Сроки"],
            ["1", "Совещание с директорами школ", "Управление образования", "март 2022 г."],
        ]
    )
    upload(client, cherek, data, title="")
    record = RoadmapImport.objects.get()
    preview = client.get(reverse("measures:import_preview", args=[record.pk]))
    assert "не найдено в файле — впишите его ниже перед подтверждением" in preview.text
    assert 'name="title"' in preview.text and "required" in preview.text

    # confirmed without a name: refused at once, the preview stays and nothing is queued
    response = client.post(reverse("measures:import_confirm", args=[record.pk]), follow=True)
    assert "Название дорожной карты не найдено в файле: впишите его" in response.text
    record.refresh_from_db()
    assert (record.status, record.title) == ("preview", "")

    title = "  План   работы со школами  на 2022 год "
    response = client.post(reverse("measures:import_confirm", args=[record.pk]), {"title": title})
    assert response.url.endswith("?confirmed=1")
    tasks.confirm_import(record.pk)
    roadmap = Roadmap.objects.get(title="План работы со школами на 2022 год")
    assert [m.title for m in roadmap.measures.all()] == ["Совещание с директорами школ"]


def test_a_bad_file_is_refused_with_a_summary_above_the_form(client, cherek):
    login(client, "koordinator")
    response = upload(client, cherek, b"PK\x03\x04 not a document", name="план.docx")
    assert response.status_code == 400
    summary = response.text.index("Файл не принят, ничего не сохранено")
    assert summary < response.text.index("multipart/form-data")  # seen without scrolling
    assert RoadmapImport.objects.count() == 0


def test_bad_rows_are_listed_and_cannot_be_confirmed(client, cherek):
    login(client, "koordinator")
    rows = [["№", "Мероприятие", "Сроки"], ["1", "", "Май 2022"], ["2", "Есть", "Июнь 2022"],
            ["3", "", "Июль 2022"]]  # fmt: skip
    response = upload(client, cherek, docx_builders.docx_table(rows))
    preview = client.get(response.url)
    assert "Найдено 2 ошибки — ничего не сохранено" in preview.text
    assert "Строка 2, «Мероприятие»: Нет наименования мероприятия." in preview.text
    assert "Строка 4, «Мероприятие»: Нет наименования мероприятия." in preview.text
    assert "Подтвердить импорт" not in preview.text
    record = RoadmapImport.objects.get()
    response = client.post(reverse("measures:import_confirm", args=[record.pk]), follow=True)
    assert "Нет наименования мероприятия." in response.text
    assert Roadmap.objects.count() == 3


@pytest.mark.parametrize("username", ["rabgruppa", "direktor"])
def test_only_coordinators_import_and_edit(client, cherek, username):
    login(client, username)
    assert client.get(reverse("measures:import_upload")).status_code == 403
    measure = cherek.measures.first()
    edit = reverse("measures:measure_edit", args=[cherek.pk, measure.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"measure-title": "Подмена"}).status_code == 403
    assert (
        "изменить</a>" not in client.get(reverse("measures:roadmap_detail", args=[cherek.pk])).text
    )


def test_another_municipality_is_invisible_to_its_coordinator(client, cherek):
    login(client, "grechkina")
    measure = cherek.measures.first()
    edit = reverse("measures:measure_edit", args=[cherek.pk, measure.pk])
    assert client.get(edit).status_code == 404
    assert client.get(reverse("measures:roadmap_detail", args=[cherek.pk])).status_code == 404


def test_someone_elses_import_is_404(client, cherek):
    login(client, "koordinator")
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    login(client, "grechkina")
    assert client.get(reverse("measures:import_preview", args=[record.pk])).status_code == 404
    assert client.post(reverse("measures:import_confirm", args=[record.pk])).status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "docx"])
def test_every_reader_can_export(client, cherek, fmt):
    login(client, "rabgruppa")
    response = client.get(reverse("measures:roadmap_export", args=[cherek.pk, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f"attachment; filename=\"roadmap-{cherek.pk}.{fmt}\"; filename*=UTF-8''"
    )
    assert len(response.content) > 1000


def test_unknown_export_format_is_404(client, cherek):
    login(client, "rabgruppa")
    assert (
        client.get(reverse("measures:roadmap_export", args=[cherek.pk, "pdf"])).status_code == 404
    )


def test_coordinator_edits_a_measure_and_corrects_its_deadline(client, cherek):
    login(client, "koordinator")
    cherek.status = Roadmap.Status.DRAFT  # only a draft is edited
    cherek.save(update_fields=["status"])
    measure = cherek.measures.get(number="2.1")  # «По графику ГБУ ДПО «ЦНППМ»»
    url = reverse("measures:measure_edit", args=[cherek.pk, measure.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "По графику другого органа; ГБУ ДПО «ЦНППМ»" in page.text

    response = client.post(
        reverse("measures:measure_deadline", args=[cherek.pk, measure.pk]),
        {
            "deadline-kind": "date",
            "deadline-due_dates": "15.03.2022",
            "deadline-recurrence": "",
            "deadline-version": measure.version,
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.deadline_corrected
    assert [o.due_on.isoformat() for o in measure.occurrences.all()] == ["2022-03-15"]

    client.post(url, {
        "measure-number": "2.1", "measure-title": "Заполнение диагностической карты (уточнено)",
        "measure-owners_text": measure.owners_text, "measure-deadline_text": measure.deadline_text,
        "measure-planned_result": measure.planned_result, "measure-version": measure.version,
    })  # fmt: skip
    measure.refresh_from_db()
    assert measure.title == "Заполнение диагностической карты (уточнено)"
    assert measure.deadline.due_dates[0].isoformat() == "2022-03-15"


def test_a_wrong_manual_date_is_explained(client, cherek):
    login(client, "koordinator")
    cherek.status = Roadmap.Status.DRAFT  # only a draft is edited
    cherek.save(update_fields=["status"])
    measure = cherek.measures.get(number="2.1")
    response = client.post(
        reverse("measures:measure_deadline", args=[cherek.pk, measure.pk]),
        {
            "deadline-kind": "date",
            "deadline-due_dates": "31.02.2022, завтра",
            "deadline-version": measure.version,
        },
    )
    assert response.status_code == 400
    assert "Не распознаны даты: 31.02.2022, завтра" in response.text
    measure.refresh_from_db()
    assert not measure.deadline_corrected


def test_roadmap_page_shows_the_reading_next_to_the_text(client, cherek):
    login(client, "rabgruppa")
    page = client.get(reverse("measures:roadmap_detail", args=[cherek.pk])).text
    assert (
        'Ежегодно в декабре<div class="deadline-reading">Регулярно; ежегодно; контрольные даты: 31.12.2022</div>'
        in page
    )
    assert Measure.objects.filter(roadmap=cherek, deadline_needs_review=True).count() == 0


# --- What each column holds, reassigned in the preview -----------------------------------------


def columns_url(record):
    return reverse("measures:import_columns", args=[record.pk])


def choice(**fields):
    """The columns form's data: column index → field ("" for a column not taken)."""
    return {f"column_{index}": name for index, name in fields.items()}


# seed 000 as printed: №, title, owners, deadline, result
SEED_000 = {0: "number", 1: "title", 2: "owners", 3: "deadline", 4: "result"}


def test_the_preview_says_what_each_column_holds(client, cherek):
    login(client, "koordinator")
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    page = client.get(reverse("measures:import_preview", args=[record.pk])).text
    assert "Столбцы таблицы" in page
    assert "Сроки реализации</td>" in page
    assert "по заголовку" in page
    assert f'action="{columns_url(record)}"' in page
    assert 'name="column_3"' in page


def test_a_column_reassigned_in_the_preview_is_read_again_and_confirmed_so(client, cherek):
    login(client, "koordinator")
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    chosen = {**SEED_000, 4: ""}  # the result column is not taken
    response = client.post(columns_url(record), choice(**{str(k): v for k, v in chosen.items()}))
    assert response.status_code == 302
    assert response.url == reverse("measures:import_preview", args=[record.pk])
    record.refresh_from_db()
    # no file is read in the request: the import waits for the read task, as an upload does
    assert record.status == "queued"
    waiting = client.get(response.url).text
    assert "Страница обновляется сама" in waiting
    assert "Файл будет прочитан заново с выбранными столбцами" in waiting
    tasks.read_import(record.pk)
    record.refresh_from_db()
    assert record.status == "preview"
    assert [m["planned_result"] for m in record.parsed["measures"]] == [""] * 31
    assert [(c["field"], c["by"]) for c in record.parsed["columns"]] == [
        ("number", "chosen"), ("title", "chosen"), ("owners", "chosen"), ("deadline", "chosen"),
        ("", "chosen"),
    ]  # fmt: skip
    page = client.get(response.url).text
    assert "выбрано вами" in page

    client.post(reverse("measures:import_confirm", args=[record.pk]))
    tasks.confirm_import(record.pk)
    roadmap = Roadmap.objects.get(title="Импортированный план")
    assert roadmap.measures.count() == 31
    assert set(roadmap.measures.values_list("planned_result", flat=True)) == {""}
    assert roadmap.measures.get(number="1.1").deadline_text == "Февраль 2022г."


def test_a_refused_file_is_saved_by_choosing_its_title_column(client, cherek):
    login(client, "koordinator")
    # nothing here says which column holds the titles: short words only
    data = "Код;Что;Когда\nА1;Совет;май 2022\nА2;Отчёт;июнь 2022\n".encode()
    upload(client, cherek, data, name="план.csv")
    record = RoadmapImport.objects.get()
    assert record.status == "refused"
    assert "ни один столбец не похож" in record.parsed["errors"][0]["message"]
    response = client.post(columns_url(record), choice(**{"0": "number", "1": "title", "2": ""}))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "queued"
    tasks.read_import(record.pk)
    record.refresh_from_db()
    assert record.status == "preview"
    assert [(m["number"], m["title"], m["deadline_text"]) for m in record.parsed["measures"]] == [
        ("А1", "Совет", ""), ("А2", "Отчёт", ""),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (choice(**{"0": "number", "1": "", "2": "owners", "3": "deadline", "4": "result"}),
         "Укажите столбец «Наименование мероприятия»"),
        (choice(**{"0": "number", "1": "title", "2": "number", "3": "deadline", "4": "result"}),
         "можно назначить только одному столбцу"),
        (choice(**{"0": "number", "1": "title", "2": "owners", "3": "deadline", "4": "цвет"}),
         "Выберите поле для каждого столбца из списка."),
    ],
)  # fmt: skip
def test_a_wrong_column_choice_changes_nothing(client, cherek, data, message):
    login(client, "koordinator")
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    before = record.parsed
    response = client.post(columns_url(record), data, follow=True)
    assert response.status_code == 200
    assert message in response.text
    record.refresh_from_db()
    assert record.parsed == before
    assert record.status == "preview"


def test_columns_are_not_reassigned_after_the_confirm_or_by_others(client, cherek):
    login(client, "koordinator")
    upload(client, cherek, docx_builders.seed_000_docx())
    record = RoadmapImport.objects.get()
    assert client.get(columns_url(record)).status_code == 405
    login(client, "grechkina")  # another municipality's coordinator
    assert client.post(columns_url(record), choice(**{"1": "title"})).status_code == 404
    login(client, "koordinator")
    client.post(reverse("measures:import_confirm", args=[record.pk]))
    tasks.confirm_import(record.pk)
    record.refresh_from_db()
    before = record.parsed
    response = client.post(
        columns_url(record), choice(**{"0": "number", "1": "title"}), follow=True
    )
    assert "Столбцы можно переназначить только до подтверждения импорта." in response.text
    record.refresh_from_db()
    assert (record.status, record.parsed) == ("done", before)
