"""The dashboards' filters: in the URL, so that a link shows a colleague the same view."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures.models import Roadmap
from monitoring.dashboards import roadmap_label
from monitoring.models import MonitoringStage
from schools.models import DESIGNATION_SHORT, School, SchoolDesignation


class DashboardFilters(forms.Form):
    """The filters in the URL, so that a link shows a colleague the same dashboard. A value
    that is not one of the choices is reported and left out, never a 500."""

    roadmap = forms.ChoiceField(label=gettext_lazy("Дорожная карта"), required=False)
    year = forms.TypedChoiceField(
        label=gettext_lazy("Год"), required=False, coerce=int, empty_value=None
    )
    stage = forms.ChoiceField(label=gettext_lazy("Этап мониторинга"), required=False)
    school = forms.TypedChoiceField(
        label=gettext_lazy("Школа"), required=False, coerce=int, empty_value=None
    )
    designation = forms.ChoiceField(label=gettext_lazy("Категория школ"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        roadmaps: list[Roadmap] | None,
        years: list[int],
        schools: list[School] | None,
    ) -> None:
        super().__init__(data)
        if roadmaps is None:  # the region's dashboard: each municipality its own roadmap
            del self.fields["roadmap"]
        else:
            self.fields["roadmap"].choices = [
                ("", _("Действующая")),
                ("all", _("Все утверждённые")),
                *[(str(r.pk), roadmap_label(r)) for r in roadmaps],
            ]
        # the region compares the municipalities in one year: empty is this year
        empty_year = _("Все годы") if roadmaps is not None else _("Текущий год")
        self.fields["year"].choices = [("", empty_year), *[(y, str(y)) for y in years]]
        self.fields["stage"].choices = [("", _("Все этапы")), *MonitoringStage.Kind.choices]
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].choices = [
                ("", _("Все школы")),
                *[(s.pk, s.short_name) for s in schools],
            ]
        self.fields["designation"].choices = [
            ("", _("Все школы")),
            *[(kind, DESIGNATION_SHORT[kind]) for kind in SchoolDesignation.Kind.values],
        ]

    def cleaned(self) -> dict[str, Any]:
        """The valid filters; a field with a wrong value is dropped (its error is shown)."""
        self.is_valid()
        values = {}
        for name in self.fields:
            if name in self.errors:
                continue
            values[name] = self.cleaned_data.get(name) or None
        return values

    def query(self, **changes: Any) -> str:
        """The query string of these filters with `changes` (None drops one)."""
        values = {name: self.data.get(name) for name in self.fields if self.data.get(name)}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def described(self) -> list[tuple[str, str]]:
        """The filters in force as «label: value» pairs, for the printed handout."""
        result = []
        for name, bound in ((n, self[n]) for n in self.fields):
            value = self.data.get(name)
            if not value or name in self.errors:
                continue
            label = dict(self.fields[name].choices).get(
                int(value) if name in {"year", "school"} else value, value
            )
            result.append((str(bound.label), str(label)))
        return result
