"""The GET filter forms of «Моя школа» and «На проверке»: their state is in the URL."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.models import Roadmap
from measures.worklists import ALL_ROADMAPS, GROUPS


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _roadmap_label(roadmap: Roadmap) -> str:
    return f"{_short(roadmap.title, 70)} ({roadmap.period_display})"


class SchoolFilterForm(forms.Form):
    school = forms.CharField(required=False, widget=forms.HiddenInput)
    roadmap = forms.ChoiceField(label=_("Дорожная карта"), required=False)
    section = forms.ChoiceField(label=_("Раздел"), required=False)
    status = forms.ChoiceField(label=_("Состояние"), required=False)

    def __init__(self, data, *, school, roadmaps, sections, has_current: bool) -> None:
        super().__init__(data)
        first = [("", _("Текущие дорожные карты")), (ALL_ROADMAPS, _("Все дорожные карты"))]
        if not has_current:
            first = [("", _("Все дорожные карты"))]
        self.fields["roadmap"].choices = first + [(str(r.pk), _roadmap_label(r)) for r in roadmaps]
        titles = {r.pk: _short(r.title, 60) for r in roadmaps}
        grouped: dict[int, list[tuple[str, str]]] = {}
        for section in sections:
            grouped.setdefault(section.roadmap_id, []).append(
                (str(section.pk), _short(str(section), 80))
            )
        choices: list = [("", _("Все разделы"))]
        if len(grouped) == 1:
            choices += next(iter(grouped.values()))
        else:
            choices += [(titles[key], items) for key, items in grouped.items()]
        self.fields["section"].choices = choices
        self.fields["status"].choices = [("", _("Все")), *GROUPS.items()]
        self.initial["school"] = school.pk


class QueueFilterForm(forms.Form):
    school = forms.ChoiceField(label=_("Школа"), required=False)
    roadmap = forms.ChoiceField(label=_("Дорожная карта"), required=False)
    section = forms.ChoiceField(label=_("Раздел"), required=False)
    measure = forms.ChoiceField(label=_("Мероприятие"), required=False)

    def __init__(self, data, *, facets: list[dict]) -> None:
        super().__init__(data)
        schools: dict[int, str] = {}
        roadmaps: dict[int, str] = {}
        sections: dict[int, dict[int, tuple[int, str]]] = {}
        measures: dict[int, dict[int, tuple[int, str]]] = {}
        for row in facets:
            schools[row["school_id"]] = row["school__short_name"]
            roadmaps[row["roadmap_id"]] = _short(row["roadmap_title"], 60)
            if row["section_id"] is not None:
                label = f"{row['section_number']} {row['section_title']}".strip()
                sections.setdefault(row["roadmap_id"], {})[row["section_id"]] = (
                    row["section_position"],
                    _short(label, 80),
                )
            label = f"{row['measure_number']} {row['measure_title']}".strip()
            measures.setdefault(row["roadmap_id"], {})[row["measure_id"]] = (
                row["measure_position"],
                _short(label, 80),
            )

        def grouped(items: dict[int, dict[int, tuple[int, str]]], empty: str) -> list:
            choices: list = [("", empty)]
            for roadmap_id in sorted(items, key=lambda key: roadmaps[key]):
                ordered = sorted(items[roadmap_id].items(), key=lambda pair: pair[1])
                options = [(str(key), label) for key, (_position, label) in ordered]
                if len(items) == 1:
                    choices += options
                else:
                    choices.append((roadmaps[roadmap_id], options))
            return choices

        self.fields["school"].choices = [("", _("Все школы"))] + [
            (str(key), name) for key, name in sorted(schools.items(), key=lambda p: p[1])
        ]
        self.fields["roadmap"].choices = [("", _("Все дорожные карты"))] + [
            (str(key), title) for key, title in sorted(roadmaps.items(), key=lambda p: p[1])
        ]
        self.fields["section"].choices = grouped(sections, _("Все разделы"))
        self.fields["measure"].choices = grouped(measures, _("Все мероприятия"))
