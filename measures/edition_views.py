"""Editions (редакции) of a roadmap: each approved version read as it was approved, any two
compared (or an edition and the open draft of changes), and «Внести изменения», which opens
that draft (measures/editions.py does the work)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from measures import editions, selectors
from measures.models import Roadmap, RoadmapEdition
from schools.selectors import director_schools

DRAFT = "draft"


def order_links(act: Any) -> dict[str, str]:
    return {
        "order": reverse("measures:order_detail", args=[act.pk]),
        "pdf": reverse("measures:order_pdf", args=[act.pk])
        if act.pdf_status == act.PdfStatus.READY
        else "",
    }


def _reader_filter(request: HttpRequest, roadmap: Roadmap) -> dict[str, Any]:
    """`visible_content`'s arguments for this reader: everything for those who read the
    municipality; a director, the measures concerning their schools."""
    if selectors.reads_in_full(request.user, roadmap):
        return {"measure_ids": None, "school_names": set()}
    return {
        "measure_ids": set(
            selectors.measures_for_user(request.user, roadmap, in_full=False).values_list(
                "pk", flat=True
            )
        ),
        "school_names": set(director_schools(request.user).values_list("name", flat=True)),
    }


def _in_force(request: HttpRequest, pk: int) -> Roadmap:
    """The roadmap whose editions are read (404: not seen, or a draft of changes — its
    editions are the roadmap's it amends)."""
    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    if roadmap.amends_id is not None:
        raise Http404("Дорожная карта не найдена")
    return roadmap


def edition_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    roadmap = _in_force(request, pk)
    edition = (
        RoadmapEdition.objects.select_related("act__issuer")
        .filter(roadmap=roadmap, number=number)
        .first()
    )
    if edition is None:
        raise Http404("Редакция не найдена")
    content = editions.visible_content(edition.content, **_reader_filter(request, roadmap))
    last = roadmap.editions.order_by("-number").values_list("number", flat=True).first()
    return render(
        request,
        "measures/edition_detail.html",
        {
            "roadmap": roadmap,
            "edition": edition,
            "content": content,
            "rows": editions.content_rows(content),
            "measure_count": len(content.get("measures", [])),
            "period": editions.period_text(content),
            "line": editions.edition_line(edition, roadmap.approved_by_id),
            "current": edition.number == last,
            "comparable": last > 1,
            "links": order_links(edition.act),
        },
    )


class CompareForm(forms.Form):
    a = forms.ChoiceField(label=gettext_lazy("Было"))
    b = forms.ChoiceField(label=gettext_lazy("Стало"))

    def __init__(self, data: Any, *, choices: list[tuple[str, str]]) -> None:
        super().__init__(data)
        for name in ("a", "b"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = _(
                "Такой редакции нет или она вам недоступна. Выберите редакцию из списка."
            )


def edition_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """`?a=<n>&b=<n|draft>`: what changed from version a to version b."""
    roadmap = _in_force(request, pk)
    reader = _reader_filter(request, roadmap)
    numbered = list(
        roadmap.editions.select_related("act").only(
            "number", "act__kind", "act__number", "act__date", "roadmap_id"
        )
    )
    choices = [
        (str(e.number), _("Редакция %(number)s (%(act)s)") % {"number": e.number, "act": e.act})
        for e in numbered
    ]
    draft = None
    if reader["measure_ids"] is None:  # a director never sees a draft of changes
        draft = editions.open_amendment(roadmap)
        if draft is not None:
            choices.append((DRAFT, _("Проект изменений")))
    last = str(numbered[-1].number) if numbered else ""
    if draft is not None:
        default_a, default_b = last, DRAFT
    elif len(numbered) >= 2:
        default_a, default_b = str(numbered[-2].number), last
    else:
        default_a = default_b = last
    data = {"a": request.GET.get("a", default_a), "b": request.GET.get("b", default_b)}
    form = CompareForm(data, choices=choices)
    comparison = None
    status = 200
    if numbered and form.is_valid():
        wanted = [form.cleaned_data[k] for k in ("a", "b")]
        contents = dict(
            roadmap.editions.filter(number__in=[w for w in wanted if w != DRAFT]).values_list(
                "number", "content"
            )
        )
        if DRAFT in wanted:
            draft.amends = roadmap
            contents[DRAFT] = editions.draft_content(draft)

        def content(key: str) -> dict:
            return editions.visible_content(contents[key if key == DRAFT else int(key)], **reader)

        comparison = editions.compare(content(wanted[0]), content(wanted[1]))
    elif numbered:
        status = 400
    return render(
        request,
        "measures/edition_compare.html",
        {
            "roadmap": roadmap,
            "form": form,
            "comparison": comparison,
            "has_editions": bool(numbered),
            "draft": draft,
        },
        status=status,
    )


@require_POST
def amend_start(request: HttpRequest, pk: int) -> HttpResponse:
    """«Внести изменения»: the draft of changes (a second click opens the one there is) in the
    editor."""
    roadmap = selectors.get_roadmap_for_change(request.user, pk)
    try:
        draft = editions.amend_start(roadmap=roadmap, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("measures:roadmap_detail", roadmap.pk)
    return redirect("measures:roadmap_editor", draft.pk)


def roadmap_editions(roadmap: Roadmap, *, in_full: bool, can_change: bool) -> dict[str, Any]:
    """What the roadmap page shows of its editions: the line of the edition in force, the
    list, and for those who read the municipality the open draft of changes with its links.
    Two queries (one more with a draft)."""
    if roadmap.amends_id is not None:
        return {"amends": Roadmap.objects.only("pk", "title").get(pk=roadmap.amends_id)}
    listed = list(roadmap.editions.select_related("act").defer("content").order_by("number"))
    for edition in listed:
        edition.links = order_links(edition.act)
    draft = editions.open_amendment(roadmap) if in_full and listed else None
    return {
        "editions": listed,
        "in_force_line": editions.in_force_line(listed[-1], roadmap.approved_by_id)
        if listed
        else "",
        "amendment": draft,
        "can_amend": can_change and roadmap.status == Roadmap.Status.APPROVED,
    }
