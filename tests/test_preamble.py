"""The text before a roadmap's table: the approving act in the spellings of published
roadmaps, the issuer in the nominative, the title over several paragraphs."""

from datetime import date

import pytest

from measures.import_preamble import issuer_nominative, read_act, read_title
from measures.importing import read_roadmap_file
from measures.models import Roadmap
from measures.services import roadmap_import_confirm, roadmap_import_preview
from schools.models import Organisation
from tests import docx_builders, factories

ACTS = [
    # spellings of published acts (municipal and regional sites, legal databases)
    ("Приложение № 1 к приказу Управления образования администрации Черекского муниципального "
     "района от 12.01.2022 № 5-од",
     ("order", "5-од", "2022-01-12",
      "Управление образования администрации Черекского муниципального района")),
    ("УТВЕРЖДЁН распоряжением Правительства Республики Северная Осетия-Алания от 25 июня 2019 "
     "года N 203-р",
     ("disposition", "203-р", "2019-06-25", "Правительство Республики Северная Осетия-Алания")),
    ("Утверждена постановлением администрации Калманского района от «14» ноября 2014 г. № 601",
     ("resolution", "601", "2014-11-14", "Администрация Калманского района")),
    ("Приказ министерства образования и науки рф от 10 декабря 2013 г. Н 1324",
     ("order", "1324", "2013-12-10", "Министерство образования и науки рф")),
    ("Приказ Министерства образования и науки РФ № 10 от 16.01.2015 года",
     ("order", "10", "2015-01-16", "Министерство образования и науки РФ")),
    ("утверждено приказом Министерства просвещения КБР от « 12 » января 2022 года No 17",
     ("order", "17", "2022-01-12", "Министерство просвещения КБР")),
    ("Приложение к постановлению администрации Черекского муниципального района от 12/01/2022 "
     "N° 44",
     ("resolution", "44", "2022-01-12", "Администрация Черекского муниципального района")),
    ("к приказу отдела образования от 1 сентября 2022 г. №№ 112",
     ("order", "112", "2022-09-01", "Отдел образования")),
    ("к приказу управления образования от 12.01.22 г. 31",
     ("order", "31", "2022-01-12", "Управление образования")),
    ("Приказом муниципального казённого учреждения «Управление образования» от 05.09.2023 № 201",
     ("order", "201", "2023-09-05", "Муниципальное казённое учреждение «Управление образования»")),
    ("к приказу Комитета по образованию администрации города от 3 марта 2023 г. № 91/1-о",
     ("order", "91/1-о", "2023-03-03", "Комитет по образованию администрации города")),
    ("ПОСТАНОВЛЕНИЕ 04.04.2012 N 220", ("resolution", "220", "2012-04-04", "")),
    ("Приказ №230/1-од от 25 мая 2010 года", ("order", "230/1-од", "2010-05-25", "")),
    ("к приказу МОО № 10 от 17.01.23 (с изменениями от 28.04.23 № 76-Д)",
     ("order", "10", "2023-01-17", "МОО")),
    ("Приложение к распоряжению администрации муниципального образования «Светлогорский "
     "городской округ» от «03» 06 2022 г. № 534",
     ("disposition", "534", "2022-06-03",
      "Администрация муниципального образования «Светлогорский городской округ»")),
    ("к приказу МКУ «Управление образования и молодежной политики Черекского муниципального "
     "района КБР» от 22.02.2021 г. №31",
     ("order", "31", "2021-02-22",
      "МКУ «Управление образования и молодежной политики Черекского муниципального района КБР»")),
    ("Приложение к приказу Департамента образования от 10 мая 2023 г. № 12",
     ("order", "12", "2023-05-10", "Департамент образования")),
    # the issuer's own number is not the act's
    ("приказом директора МБОУ СОШ № 5 от 01.09.2022 № 112",
     ("order", "112", "2022-09-01", "Директор МБОУ СОШ № 5")),
    ("к приказу МБОУ «СОШ № 2» от 5 сентября 2023 года № 14-о",
     ("order", "14-о", "2023-09-05", "МБОУ «СОШ № 2»")),
    # contracted ministry names do not decline
    ("утверждён приказом Минпросвещения России от 31 мая 2021 г. № 287",
     ("order", "287", "2021-05-31", "Минпросвещения России")),
    ("Постановление Администрации г. Ростова-на-Дону от 04.04.2012 № 220",
     ("resolution", "220", "2012-04-04", "Администрация г. Ростова-на-Дону")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "act"), ACTS)
def test_each_spelling_of_the_approving_act_is_read(text, act):
    read = read_act(text)
    assert (read["kind"], read["number"], read["date"], read["issuer"]) == act


def test_the_issuer_is_kept_as_written_for_the_genitive_of_the_registry():
    read = read_act("к приказу Управления образования от 12.01.2022 № 5")
    assert read["issuer_as_written"] == "Управления образования"
    assert read["issuer"] == "Управление образования"


@pytest.mark.parametrize(
    ("written", "nominative"),
    [
        ("Управления образования", "Управление образования"),
        ("Министерства просвещения КБР", "Министерство просвещения КБР"),
        ("администрации Черекского муниципального района",
         "Администрация Черекского муниципального района"),
        ("Главы администрации города", "Глава администрации города"),
        ("районного отдела образования", "Районный отдел образования"),
        ("муниципального казённого учреждения «Управление образования»",
         "Муниципальное казённое учреждение «Управление образования»"),
        ("Минобрнауки России", "Минобрнауки России"),
        ("УПРАВЛЕНИЯ ОБРАЗОВАНИЯ", "УПРАВЛЕНИЕ ОБРАЗОВАНИЯ"),
        ("Управление образования", "Управление образования"),  # already in the nominative
        ("МОО", "МОО"),
        ("", ""),
    ],
)  # fmt: skip
def test_an_issuer_in_the_genitive_is_given_in_the_nominative(written, nominative):
    assert issuer_nominative(written) == nominative


@pytest.mark.parametrize(
    "text",
    [
        "План мероприятий на 2022 год",  # no act at all
        "Приказ управления образования от 12.01.2022 г.",  # an act without a number
        "План мероприятий по итогам 2022 года № 5 в рейтинге",
    ],
)
def test_no_act_is_made_up(text):
    assert read_act(text) is None


def test_an_impossible_date_is_a_problem_not_an_act():
    assert read_act("к приказу Департамента образования от 31.02.2023 № 1") == {
        "problem": "Дата приказа в тексте перед таблицей не распознана."
    }


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["Приложение", "ДОРОЖНАЯ КАРТА", "по повышению качества образования",
          "на 2022-2024 годы", "1. Цель"],
         "ДОРОЖНАЯ КАРТА по повышению качества образования на 2022-2024 годы"),
        (["ПЛАН МЕРОПРИЯТИЙ", "ПО ПОДДЕРЖКЕ ШКОЛ С НИЗКИМИ РЕЗУЛЬТАТАМИ", "Начальник управления"],
         "ПЛАН МЕРОПРИЯТИЙ ПО ПОДДЕРЖКЕ ШКОЛ С НИЗКИМИ РЕЗУЛЬТАТАМИ"),
        (["План мероприятий", "(«дорожная карта»)", "по поддержке школ",
          "УТВЕРЖДЕН приказом от 12.01.2022 № 5"],
         "План мероприятий («дорожная карта») по поддержке школ"),
        (["Комплекс мер («дорожная карта»)", "2023-2025", "I. Общие положения"],
         "Комплекс мер («дорожная карта») 2023-2025"),
        (["Приложение 1", "к приказу от 12.01.2022 № 5"], ""),
    ],
)  # fmt: skip
def test_the_title_is_read_whole_over_its_paragraphs(lines, title):
    assert read_title(lines) == title


HEADER = ["№ п/п", "Наименование мероприятия", "Ответственные", "Сроки", "Результат"]
ROW = ["1", "Проведение самодиагностики", "Руководители ОО", "май 2022 г.", "Справка"]
Y2022 = (date(2022, 1, 1), date(2022, 12, 31))


def test_the_preamble_of_a_word_file_gives_title_and_act():
    data = docx_builders.docx_table(
        [HEADER, ROW],
        preamble=("Приложение № 1", "к приказу Управления образования администрации",
                  "Черекского муниципального района", "от « 12 » января 2022 года № 5-од", "",
                  "ДОРОЖНАЯ КАРТА", "по повышению качества образования", "на 2022 год"),
    )  # fmt: skip
    parsed = read_roadmap_file("план.docx", data, Y2022).as_dict()
    assert parsed["title"] == "ДОРОЖНАЯ КАРТА по повышению качества образования на 2022 год"
    assert parsed["order"] == {
        "kind": "order",
        "number": "5-од",
        "date": "2022-01-12",
        "issuer": "Управление образования администрации Черекского муниципального района",
        "issuer_as_written": "Управления образования администрации Черекского муниципального района",
    }


@pytest.mark.django_db
def test_the_confirmed_act_names_its_issuer_in_the_nominative_and_finds_it_again():
    municipality = factories.MunicipalityFactory()
    preamble = ("Приложение к приказу Управления образования от 12.01.2022 № 5",
                "План мероприятий на 2022 год")  # fmt: skip
    data = docx_builders.docx_table([HEADER, ROW], preamble=preamble)
    record = roadmap_import_preview(
        municipality=municipality, file_name="план.docx", data=data, period=Y2022
    )
    roadmap = roadmap_import_confirm(roadmap_import=record)
    issuer = roadmap.approved_by.issuer
    assert (issuer.name, issuer.name_genitive) == (
        "Управление образования",
        "Управления образования",
    )
    assert issuer.municipality == municipality

    # the next roadmap approved by the same body finds it, by either name
    second = docx_builders.docx_table(
        [HEADER, ROW],
        preamble=("Приложение к приказу Управления образования от 01.02.2023 № 9",
                  "План мероприятий на 2023 год"),
    )  # fmt: skip
    record = roadmap_import_preview(
        municipality=municipality,
        file_name="план.docx",
        data=second,
        period=(date(2023, 1, 1), date(2023, 12, 31)),
    )
    roadmap = roadmap_import_confirm(roadmap_import=record)
    assert roadmap.approved_by.issuer == issuer
    assert Organisation.objects.filter(municipality=municipality).count() == 1
    assert Roadmap.objects.filter(approved_by__issuer=issuer).count() == 2


@pytest.mark.parametrize(
    ("lines", "issuer"),
    [
        (["АДМИНИСТРАЦИЯ КАЛМАНСКОГО РАЙОНА", "АЛТАЙСКОГО КРАЯ", "ПОСТАНОВЛЕНИЕ",
          "от 14 ноября 2014 № 601"], "Администрация Калманского района Алтайского края"),
        (["АДМИНИСТРАЦИЯ ГОРОДА РОСТОВА-НА-ДОНУ", "ПОСТАНОВЛЕНИЕ", "04.04.2012 N 220"],
         "Администрация города Ростова-на-Дону"),
        (["КАБАРДИНО-БАЛКАРСКАЯ РЕСПУБЛИКА",
          "МКУ «УПРАВЛЕНИЕ ОБРАЗОВАНИЯ ЧЕРЕКСКОГО МУНИЦИПАЛЬНОГО РАЙОНА КБР»", "ПРИКАЗ",
          "от 12.01.2022 № 5"],
         "МКУ «Управление образования Черекского муниципального района КБР»"),
        (["УПРАВЛЕНИЕ ОБРАЗОВАНИЯ АДМИНИСТРАЦИИ СВЕТЛОГОРСКОГО ГОРОДСКОГО ОКРУГА", "ПРИКАЗ",
          "от 12.01.2022 № 5"],
         "Управление образования администрации Светлогорского городского округа"),
        (["Приказ №230/1-од от 25 мая 2010 года"], ""),
    ],
)  # fmt: skip
def test_the_issuer_printed_in_the_heading_of_the_act(lines, issuer):
    data = docx_builders.docx_table([HEADER, ROW], preamble=tuple(lines))
    parsed = read_roadmap_file("план.docx", data, Y2022).as_dict()
    assert parsed["order"]["issuer"] == issuer


def test_only_the_first_paragraphs_before_the_table_are_read_for_the_act():
    """A hostile or mistaken «preamble» (a whole report before the table) costs bounded work."""
    filler = tuple(["Пояснительная записка к отчёту."] * 200)
    act = ("к приказу Управления образования от 12.01.2022 № 5",)
    data = docx_builders.docx_table([HEADER, ROW], preamble=filler + act)
    assert read_roadmap_file("план.docx", data, Y2022).as_dict()["order"] is None
    data = docx_builders.docx_table([HEADER, ROW], preamble=filler[:100] + act)
    assert read_roadmap_file("план.docx", data, Y2022).as_dict()["order"]["number"] == "5"


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["Приложение N 4", "от 9 апреля 2008 г. N 805",
          "Сетевой график реализации приоритетного национального проекта \"Образование\"",
          "на территории муниципального образования город Краснодар в 2008 году"],
         "Сетевой график реализации приоритетного национального проекта \"Образование\" на "
         "территории муниципального образования город Краснодар в 2008 году"),
        (["Перечень основных мероприятий государственной программы \"Развитие образования\""],
         "Перечень основных мероприятий государственной программы \"Развитие образования\""),
        (["Таблица 2", "Перечень", "основных мероприятий муниципальной программы"],
         "Перечень основных мероприятий муниципальной программы"),
    ],
)  # fmt: skip
def test_titles_of_network_schedules_and_lists_of_measures(lines, title):
    assert read_title(lines) == title


def test_an_act_whose_heading_names_no_body_takes_its_issuer_from_another_mention():
    parsed = read_roadmap_file(
        "план.docx",
        docx_builders.docx_table(
            [["N п/п", "Наименование мероприятия", "Срок"], ["1", "Педсовет", "май 2014"]],
            preamble=(
                "ГОРОДСКАЯ УПРАВА ГОРОДА КАЛУГИ", "ПОСТАНОВЛЕНИЕ", "от 24 апреля 2014 г. № 136-п",
                "Приложение к постановлению Городской Управы города Калуги от 24.04.2014 № 136-п",
                "Комплекс мер по модернизации системы общего образования",
            ),
        ),
        (date(2014, 1, 1), date(2014, 12, 31)),
    )  # fmt: skip
    assert parsed.title == "Комплекс мер по модернизации системы общего образования"
    order = parsed.order
    assert (order.kind, order.number, order.date, order.issuer) == (
        "resolution", "136-п", "2014-04-24", "Городская Управа города Калуги",
    )  # fmt: skip


def test_another_act_mentioned_does_not_lend_its_issuer():
    parsed = read_roadmap_file(
        "план.docx",
        docx_builders.docx_table(
            [["N п/п", "Наименование мероприятия", "Срок"], ["1", "Педсовет", "май 2014"]],
            preamble=(
                "ПОСТАНОВЛЕНИЕ", "от 24 апреля 2014 г. № 136-п",
                "в соответствии с постановлением Правительства Калужской области от 07.02.2013 № 46",
            ),
        ),
        (date(2014, 1, 1), date(2014, 12, 31)),
    )  # fmt: skip
    assert (parsed.order.number, parsed.order.issuer) == ("136-п", "")
