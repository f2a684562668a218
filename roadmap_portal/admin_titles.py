"""The admin's titles in grammatical Russian.

Django builds «Выберите %s для изменения», «Добавить %s» from a model's verbose_name, which
is in the nominative: «Выберите дорожная карта для изменения». The object of these verbs is
in the accusative, which differs from the nominative for feminine nouns and for people;
ACCUSATIVE gives it for each such model, the others read as their verbose_name."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# model label → its verbose_name in the accusative («выберите кого? что?»)
ACCUSATIVE = {
    "auth.group": "группу",
    "auth.user": "пользователя",
    "axes.accessattempt": "запись о попытке доступа",
    "axes.accesslog": "запись о доступе",
    "axes.accessfailurelog": "запись об ошибке доступа",
    "schools.organisation": "организацию",
    "schools.school": "школу",
    "schools.mentorpairing": "пару «наставник — школа»",
    "schools.person": "сотрудника",
    "schools.workinggroup": "рабочую группу",
    "measures.roadmap": "дорожную карту",
    "measures.reminderscan": "проверку сроков",
}


def accusative(opts: Any) -> str:
    return ACCUSATIVE.get(opts.label_lower) or str(opts.verbose_name).lower()


class AccusativeTitles:
    """A ModelAdmin mixin: the list, add and change pages titled «Выберите дорожную карту для
    изменения», «Добавить дорожную карту», «Изменить дорожную карту» (the add button too)."""

    def _titles(self, request: HttpRequest, extra_context: dict | None, title: str) -> dict:
        return {"title": title, **(extra_context or {})}

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        name = accusative(self.opts)
        if "_popup" in request.GET:
            title = _("Выберите %(name)s") % {"name": name}
        elif self.has_change_permission(request):
            title = _("Выберите %(name)s для изменения") % {"name": name}
        else:
            title = _("Выберите %(name)s для просмотра") % {"name": name}
        context = {"add_title": _("Добавить %(name)s") % {"name": name}}
        return super().changelist_view(  # type: ignore[misc]
            request, self._titles(request, {**context, **(extra_context or {})}, title)
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        title = _("Добавить %(name)s") % {"name": accusative(self.opts)}
        return super().add_view(  # type: ignore[misc]
            request, form_url, self._titles(request, extra_context, title)
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        name = accusative(self.opts)
        if self.has_change_permission(request):
            title = _("Изменить %(name)s") % {"name": name}
        else:
            title = _("Просмотреть %(name)s") % {"name": name}
        return super().change_view(  # type: ignore[misc]
            request, object_id, form_url, self._titles(request, extra_context, title)
        )
