"""In Chromium: a coordinator opens «Напоминания» from the header and filters the log by
status; a director changes the offsets and the hour in «Настройки напоминаний» and sees them
saved."""

from datetime import datetime, time

from django.utils import timezone
from playwright.sync_api import Page, expect

from measures import reminders
from measures.demo import load_demo
from measures.models import Reminder, ReminderSettings

expect.set_options(timeout=15_000)


def login(page: Page, live_server, username: str) -> None:
    from tests.test_editor_browser import DEMO_PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).not_to_have_text("Вход")


def test_coordinator_filters_the_log_and_director_saves_settings(live_server, browser):
    load_demo(living=True)  # the roadmap in force, approved: its control dates are open
    # the living roadmap is built around today: the scan at today's 10:00
    now = timezone.make_aware(datetime.combine(timezone.localdate(), time(10, 0)))
    reminders.scan(now, trigger="command", enqueue=False)
    first = Reminder.objects.filter(status="queued").order_by("user").first()
    reminders.send_digest(first.user_id, now.date())  # one person's rows sent, others queued
    sent = Reminder.objects.filter(status="sent").count()
    assert 0 < sent < Reminder.objects.count()

    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server, "koordinator")
    page.locator(".main-nav").get_by_role("link", name="Напоминания").click()
    expect(page.locator("h1")).to_have_text("Напоминания")
    expect(page.locator(".main-nav a[aria-current=page]")).to_have_text("Напоминания")
    expect(page.locator(".reminder-table tbody tr")).to_have_count(Reminder.objects.count())
    page.locator(".filter-box summary").click()
    page.get_by_label("Статус").select_option("sent")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator(".reminder-table tbody tr")).to_have_count(sent)
    assert "status=sent" in page.url
    expect(page.get_by_label("Статус")).to_have_value("sent")  # the state stays in the URL
    context.close()

    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 800})
    page = context.new_page()
    login(page, live_server, "direktor")
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Настройки напоминаний").click()
    expect(page.locator("h1")).to_have_text("Настройки напоминаний")
    page.get_by_label("за 14 дней").check()
    page.get_by_label("за 1 день").uncheck()
    page.get_by_label("Час отправки").select_option("7")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".messages")).to_contain_text("Настройки напоминаний сохранены.")
    expect(page.get_by_label("за 14 дней")).to_be_checked()
    expect(page.get_by_label("за 7 дней")).to_be_checked()
    expect(page.get_by_label("за 1 день")).not_to_be_checked()
    expect(page.get_by_label("Час отправки")).to_have_value("7")
    prefs = ReminderSettings.objects.get(user__username="direktor")
    assert prefs.offsets == [14, 7] and prefs.hour == 7
    context.close()
