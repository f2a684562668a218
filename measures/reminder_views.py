"""Reminder pages: the person's preferences, the one-click unsubscribe, the letters sent."""

from django.http import HttpRequest, HttpResponse


def reminder_settings(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError  # built next


def reminders_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


def reminder_log(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def my_letters(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
