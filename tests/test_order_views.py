"""Orders in the browser, their views: the plain-POST flows (new order from the roadmap page,
text, appendices, signing, the signature), refusals (403/404/409/400) and query counts."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures import orders
from measures.models import LegalAct, Roadmap
from tests import factories
from tests.test_orders import draft

pytestmark = pytest.mark.django_db


def login(client, username: str) -> None:
    client.force_login(User.objects.get(username=username))


def form_data(act: LegalAct, **changes) -> dict:
    data = {
        "kind": act.kind, "issuer": act.issuer_id, "number": act.number,
        "date": act.date.isoformat() if act.date else "", "place": act.place, "title": act.title,
        "preamble": act.preamble, "signatory_position": act.signatory_position,
        "signatory_name": act.signatory_name, "items_text": "\n".join(act.items),
        "version": act.version,
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_order_of_a_draft_from_its_page_to_signed(client, tenants):
    roadmap = draft(tenants)
    login(client, "koordinator")
    page = client.get(reverse("measures:roadmap_detail", args=[roadmap.pk])).text
    assert "Подготовить приказ об утверждении" in page
    response = client.post(reverse("measures:order_new"), {"roadmap": roadmap.pk})
    act = LegalAct.objects.get(appendices__roadmap=roadmap)
    assert response.url == reverse("measures:order_edit", args=[act.pk])
    page = client.get(response.url).text
    assert "Об утверждении дорожной карты по поддержке школ" in page
    response = client.post(
        response.url,
        form_data(act, number="31", date="2026-02-22", items_text="1. Первый\n\n2) Второй"),
    )
    assert response.status_code == 302
    act.refresh_from_db()
    assert (act.number, act.date, act.items) == ("31", date(2026, 2, 22), ["Первый", "Второй"])
    group = factories.WorkingGroupFactory(municipality=tenants.home.municipality, year=2026)
    response = client.post(
        reverse("measures:order_appendix_add", args=[act.pk]),
        {"kind": "working_group", "working_group": group.pk, "mark": "appendix",
         "version": act.version},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("measures:order_sign", args=[act.pk])).text
    assert "После отметки приказ и дорожная карта не меняются" in page
    act.refresh_from_db()
    response = client.post(reverse("measures:order_sign", args=[act.pk]), {"version": act.version})
    assert response.status_code == 302
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.APPROVED and roadmap.approved_by_id == act.pk
    page = client.get(reverse("measures:order_detail", args=[act.pk])).text
    assert "В очереди на формирование" in page and 'hx-trigger="every 2s"' in page
    assert "Обновить" in page
    fragment = client.get(
        reverse("measures:order_pdf_status", args=[act.pk]), headers={"HX-Request": "true"}
    ).text
    assert fragment.lstrip().startswith("<section") and "every 2s" in fragment
    LegalAct.objects.filter(pk=act.pk).update(pdf_status="failed", pdf_error="Нет шрифта")
    fragment = client.get(reverse("measures:order_pdf_status", args=[act.pk])).text
    assert "Нет шрифта" in fragment and "Сформировать заново" in fragment
    assert "every 2s" not in fragment
    response = client.post(reverse("measures:order_render", args=[act.pk]))
    assert response.status_code == 302
    assert LegalAct.objects.get(pk=act.pk).pdf_status == "queued"
    # locked: the editor and the order's edit refuse
    assert client.get(reverse("measures:roadmap_editor", args=[roadmap.pk])).status_code == 403
    response = client.get(reverse("measures:order_edit", args=[act.pk]))
    assert response.status_code == 403
    page = client.get(reverse("measures:roadmap_detail", args=[roadmap.pk])).text
    assert "Приказ от 22.02.2026" in page and "Подготовить приказ" not in page


def test_bad_input_is_refused_with_a_message(client, tenants):
    act = orders.order_new(roadmap=draft(tenants), by=None)
    login(client, "koordinator")
    url = reverse("measures:order_edit", args=[act.pk])
    response = client.post(url, form_data(act, date="31.02.2026", title=""))
    assert response.status_code == 400
    assert "Обязательное поле" in response.text
    response = client.post(url, form_data(act, version="abc"))
    assert response.status_code == 400
    response = client.post(reverse("measures:order_sign", args=[act.pk]), {"version": act.version})
    assert response.status_code == 400
    assert "укажите: номер, дата" in response.text
    response = client.post(
        reverse("measures:order_appendix_add", args=[act.pk]),
        {"kind": "schools", "mark": "appendix", "version": act.version},
    )
    assert response.status_code == 400 and "Укажите год" in response.text
    response = client.post(reverse("measures:order_new"), {"roadmap": "x"})
    assert response.status_code == 400
    act.refresh_from_db()
    assert act.version == 1 and act.appendices.count() == 1


def test_a_stale_form_is_a_conflict(client, tenants):
    act = orders.order_new(roadmap=draft(tenants), by=None)
    opened = act.version
    act.place = "г. Нальчик"
    orders.order_save(act=act, expected_version=opened)
    login(client, "koordinator")
    response = client.post(
        reverse("measures:order_edit", args=[act.pk]),
        form_data(act, place="с. Бабугент", version=opened),
    )
    assert response.status_code == 409
    assert "г. Нальчик" in response.text and "с. Бабугент" in response.text
    appendix = act.appendices.get()
    response = client.post(
        reverse("measures:order_appendix_delete", args=[act.pk, appendix.pk]), {"version": opened}
    )
    assert response.status_code == 409 and "изменили" in response.text
    assert act.appendices.count() == 1


def test_deleting_a_draft_and_its_appendix_asks_first(client, tenants):
    act = orders.order_new(roadmap=draft(tenants), by=None)
    appendix = act.appendices.get()
    login(client, "koordinator")
    page = client.get(
        reverse("measures:order_detail", args=[act.pk]), {"delete_appendix": appendix.pk}
    ).text
    assert "Да, удалить" in page
    page = client.get(reverse("measures:order_delete", args=[act.pk])).text
    assert "Удалить проект документа?" in page
    response = client.post(reverse("measures:order_delete", args=[act.pk]))
    assert response.status_code == 302 and not LegalAct.objects.filter(pk=act.pk).exists()


def test_readers_and_strangers(client, tenants):
    act = orders.order_new(roadmap=draft(tenants), by=None)
    login(client, "rabgruppa")
    page = client.get(reverse("measures:order_detail", args=[act.pk])).text
    assert "Изменить текст" not in page and "Добавить приложение" not in page
    assert client.post(reverse("measures:order_sign", args=[act.pk])).status_code == 403
    login(client, "grechkina")
    assert client.get(reverse("measures:order_detail", args=[act.pk])).status_code == 404
    assert str(act.pk) not in client.get(reverse("measures:order_list")).text.split("orders/")[0]


def test_the_signature_upload_and_download(client, tenants, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    act = orders.order_new(roadmap=draft(tenants), by=None)
    act.number, act.date = "7", date(2026, 3, 1)
    act = orders.order_save(act=act, expected_version=act.version)
    act = orders.order_sign(act=act, by=None, expected_version=act.version)
    login(client, "koordinator")
    url = reverse("measures:order_signature", args=[act.pk])
    data = {"owner": "Иванов И.И.", "serial": "0A1B", "valid_from": "2026-01-01",
            "valid_to": "2025-01-01", "version": act.version}  # fmt: skip
    response = client.post(url, {**data, "file": SimpleUploadedFile("п.sig", b"abc")})
    assert response.status_code == 400 and "раньше начала" in response.text
    response = client.post(
        url, {**data, "valid_to": "2026-12-31", "file": SimpleUploadedFile("п.sig", b"abc")}
    )
    assert response.status_code == 302
    login(client, "nablyudatel")  # a reader of the roadmap
    response = client.get(reverse("measures:order_signature_download", args=[act.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"abc"
    assert (
        "п.sig" in response["Content-Disposition"]
        or "%D0%BF.sig" in response["Content-Disposition"]
    )


def test_a_stalled_pdf_is_offered_and_queued_again(client, tenants):
    from datetime import timedelta

    from django.utils import timezone

    act = orders.order_new(roadmap=draft(tenants), by=None)
    act.number, act.date = "8", date(2026, 3, 1)
    act = orders.order_save(act=act, expected_version=act.version)
    act = orders.order_sign(act=act, by=None, expected_version=act.version)
    login(client, "koordinator")
    page = reverse("measures:order_detail", args=[act.pk])
    render = reverse("measures:order_render", args=[act.pk])
    # just queued: on its way, no second request
    assert "Сформировать заново" not in client.get(page).text
    queued_at = LegalAct.objects.get(pk=act.pk).pdf_requested_at
    client.post(render)
    assert LegalAct.objects.get(pk=act.pk).pdf_requested_at == queued_at
    # «формируется» for longer than a render can last: the worker was lost
    LegalAct.objects.filter(pk=act.pk).update(
        pdf_status="rendering", pdf_requested_at=timezone.now() - timedelta(hours=1)
    )
    text = client.get(page).text
    assert "дольше обычного" in text and "Сформировать заново" in text
    assert client.post(render).status_code == 302
    again = LegalAct.objects.get(pk=act.pk)
    assert again.pdf_status == "queued" and again.pdf_requested_at > queued_at


@pytest.mark.parametrize("size", [1, 6])
def test_query_counts_are_flat(client, tenants, django_assert_max_num_queries, size):
    group = factories.WorkingGroupFactory(municipality=tenants.home.municipality, year=2026)
    acts = []
    for n in range(size):
        act = orders.order_new(roadmap=draft(tenants, title=f"План {n}"), by=None)
        orders.appendix_add(act=act, kind="working_group", working_group=group,
                            expected_version=act.version)  # fmt: skip
        orders.appendix_add(act=act, kind="schools", year=2026, expected_version=act.version + 1)
        acts.append(act)
    login(client, "koordinator")
    client.get(reverse("measures:order_list"))  # warm up
    with django_assert_max_num_queries(12):
        assert client.get(reverse("measures:order_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("measures:order_detail", args=[acts[-1].pk])).status_code == 200
