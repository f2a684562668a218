"""The admin of the apps installed before ours (accounts, lockouts), re-registered with the
grammatical Russian titles of `admin_titles`; the lockout app named in Russian."""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from roadmap_portal.admin_titles import AccusativeTitles

apps.get_app_config("axes").verbose_name = _("Попытки входа")


# Django stores the names of the built-in permissions in English («Can add дорожная карта»)
PERMISSION_ACTIONS = {
    "add": _("добавление"),
    "change": _("изменение"),
    "delete": _("удаление"),
    "view": _("просмотр"),
}


def permission_label(permission: Permission) -> str:
    """«Дорожные карты | дорожная карта | добавление» for Django's «… | Can add …»."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    action, _sep, rest = permission.codename.partition("_")
    name = permission.name
    if action in PERMISSION_ACTIONS and rest == model._meta.model_name:
        name = PERMISSION_ACTIONS[action]
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {name}"


class RussianPermissions:
    """The permission lists of a user and a group named in Russian."""

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and db_field.name in {"permissions", "user_permissions"}:
            field.label_from_instance = permission_label
        return field


def _retitle(model: type, base: type, *mixins: type) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, type(base.__name__, (AccusativeTitles, *mixins, base), {}))


_retitle(User, UserAdmin, RussianPermissions)
_retitle(Group, GroupAdmin, RussianPermissions)

if apps.is_installed("axes"):
    from axes import admin as axes_admin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    _retitle(AccessAttempt, axes_admin.AccessAttemptAdmin)
    _retitle(AccessLog, axes_admin.AccessLogAdmin)
    _retitle(AccessFailureLog, axes_admin.AccessFailureLogAdmin)
