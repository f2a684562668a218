"""The print preview in Chromium: the demo order on its sheets (the order, the roadmap in
landscape, the working group) and the download of its PDF under the order's Russian name."""

from playwright.sync_api import expect

from measures import printing
from measures.demo import DEMO_PASSWORD, load_demo
from measures.models import LegalAct

expect.set_options(timeout=15_000)


def test_coordinator_previews_the_order_and_downloads_its_pdf(live_server, browser):
    load_demo()
    act = LegalAct.objects.get(number="31")
    LegalAct.objects.filter(pk=act.pk).update(pdf_status=LegalAct.PdfStatus.QUEUED)
    assert printing.render_and_store(act.pk)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill("koordinator")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.goto(f"{live_server.url}/roadmaps/orders/{act.pk}/preview/")
    expect(page.locator("h1").first).to_contain_text("Печатная форма: Приказ от 22.02.2021")
    expect(page.locator(".print-page")).to_have_count(3)
    expect(page.locator(".print-kind")).to_have_text("ПРИКАЗ")
    expect(page.locator(".print-appendix--landscape thead th")).to_have_count(5)
    expect(page.locator(".print-appendix--working_group")).to_contain_text("Бозиев А.Т.")
    # the landscape sheet is wider than the portrait one
    widths = page.evaluate(
        "() => [...document.querySelectorAll('.print-page')].map(e => e.offsetWidth)"
    )
    assert widths[1] > widths[0] == widths[2]
    # the shipped font is what the sheet uses
    page.wait_for_function("() => document.fonts.check('14pt \"Portal Serif\"')")
    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать PDF").click()
    download = info.value
    assert download.suggested_filename == "Приказ_от_22.02.2021_№31.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    context.close()
