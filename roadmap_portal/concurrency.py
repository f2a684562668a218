"""Optimistic locking: an edit form carries the version of the row it was opened on; a save
over a newer version is refused, so nobody silently reverts another person's change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _


@dataclass
class LastChange:
    who: str
    when: datetime | None


class StaleEdit(Exception):
    """The row changed after the form was opened; `current` is the row as it is now."""

    def __init__(self, current: models.Model, change: LastChange) -> None:
        super().__init__(f"{current._meta.label} {current.pk} changed")
        self.current = current
        self.change = change


def last_change(obj: models.Model) -> LastChange:
    """Who changed the row last and when, from the history of changes."""
    # the row's own event table (pghistory's `events`): its ids order the events of one
    # transaction, which share their time
    event = obj.events.select_related("pgh_context").order_by("-pgh_id").first()
    if event is None:
        return LastChange(_("другой пользователь"), None)
    context = event.pgh_context.metadata if event.pgh_context else {}
    user_id = context.get("user")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    who = (user.get_full_name() or user.username) if user else _("другой пользователь")
    return LastChange(who, event.pgh_created_at)


def lock_for_update[M: models.Model](instance: M, expected_version: int | None) -> M:
    """Lock the row; StaleEdit when its version is not the one the form was opened on.

    Give `expected_version=None` only for writes that are not a person's edit form.
    """
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(current, last_change(current))
    return current


def as_opened(obj: models.Model, version: int) -> models.Model | None:
    """The row as it was at `version` (its history event, with the same field names), so that
    a refused edit can tell what the user changed from what the other person changed."""
    return obj.events.filter(version=version).order_by("-pgh_id").first()


def save_versioned[M: models.Model](row: M, expected_version: int | None) -> M:
    """Save a versioned row (a `version` field) under its lock with the next version — the
    same one when nothing changed, so a no-op save makes no open form stale; StaleEdit
    (nothing saved) when the form was opened on an older version (`expected_version`; None
    for writes that are not a person's edit form)."""
    current = lock_for_update(row, expected_version)
    changed = any(
        getattr(current, field.attname) != getattr(row, field.attname)
        for field in type(row)._meta.concrete_fields
        if field.attname != "version"
    )
    row.version = current.version + 1 if changed else current.version
    row.save()
    return row
