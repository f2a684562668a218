"""Orders in the browser: the list of a municipality's orders, a new draft order for a roadmap,
the order page (its text, appendices, status and PDF), its edit form, appendices added, moved
and deleted, the order deleted or marked signed, the PDF rendered again, and the detached
electronic signature.

Every action is a plain form POST answering a redirect (or the page with the errors, 400, or
the conflict, 409); only the PDF's progress is polled with htmx (a fragment of the order page),
with a «Обновить» link without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.db.models.functions import ExtractYear
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from measures import orders, printing, selectors
from measures.models import ActAppendix, LegalAct, Roadmap
from measures.order_forms import (
    AppendixForm,
    NewOrderForm,
    OrderFilterForm,
    OrderForm,
    SignatureForm,
)
from measures.views import _conflict
from roadmap_portal.concurrency import StaleEdit
from roadmap_portal.forms import show_errors
from schools import selectors as access


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdecimal() else None


def _stale_message(stale: StaleEdit) -> dict[str, Any]:
    return {
        "heading": _("Не сохранено: документ изменили, пока вы его открывали"),
        "message": _(
            "Документ изменил(а) %(who)s; ваше действие не выполнено. Посмотрите документ "
            "таким, каким он стал, и повторите действие, если оно всё ещё нужно."
        )
        % {"who": stale.change.who},
    }


def _appendices(act: LegalAct) -> list[ActAppendix]:
    return list(act.appendices.select_related("roadmap", "working_group").order_by("position"))


def _detail(
    request: HttpRequest,
    act: LegalAct,
    *,
    appendix_form: AppendixForm | None = None,
    conflict: dict | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    can_change = access.coordinates(request.user, act.municipality_id)
    draft = act.status == LegalAct.Status.DRAFT
    if appendix_form is None and can_change and draft:
        appendix_form = AppendixForm(act=act)
    confirm = request.GET.get("delete_appendix", "")
    return render(
        request,
        "measures/order_detail.html",
        {
            "act": act,
            "appendices": _appendices(act),
            "items": act.items,
            "can_change": can_change,
            "can_edit": can_change and draft,
            "appendix_form": appendix_form,
            "confirm_delete": int(confirm) if confirm.isdecimal() else None,
            "conflict": conflict,
            "error": error,
            **_pdf_context(act),
        },
        status=status,
    )


def _pdf_context(act: LegalAct) -> dict[str, Any]:
    return {
        "pdf_url": reverse("measures:order_pdf", args=[act.pk]),
        "preview_url": reverse("measures:order_preview", args=[act.pk]),
        "pdf_busy": act.pdf_status in (LegalAct.PdfStatus.QUEUED, LegalAct.PdfStatus.RENDERING),
        "pdf_stalled": printing.render_stalled(act),
    }


def _order_url(act: LegalAct, anchor: str = "") -> str:
    return reverse("measures:order_detail", args=[act.pk]) + (f"#{anchor}" if anchor else "")


# --- The list and a new order ----------------------------------------------------------------


@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    acts = selectors.acts_for_user(request.user)
    years = sorted(
        {y for y in acts.annotate(y=ExtractYear("date")).values_list("y", flat=True) if y},
        reverse=True,
    )
    form = OrderFilterForm(request.GET or None, years=years)
    if form.is_valid():
        if status := form.cleaned_data.get("status"):
            acts = acts.filter(status=status)
        if year := form.cleaned_data.get("year"):
            acts = acts.filter(date__year=year)
    rows = list(
        acts.select_related("issuer", "municipality")
        .prefetch_related(
            Prefetch(
                "appendices",
                queryset=ActAppendix.objects.select_related("roadmap").order_by("position"),
            )
        )
        .order_by("status", "-date", "-pk")
    )
    new_roadmaps = _draft_roadmaps(request)
    return render(
        request,
        "measures/order_list.html",
        {
            "acts": rows,
            "form": form,
            "new_form": NewOrderForm(roadmaps=new_roadmaps) if new_roadmaps.exists() else None,
            "several": len({act.municipality_id for act in rows}) > 1,
        },
    )


def _draft_roadmaps(request: HttpRequest) -> Any:
    return Roadmap.objects.filter(
        municipality__in=selectors.municipalities_for_change(request.user).values("pk"),
        status=Roadmap.Status.DRAFT,
    ).order_by("-starts_on", "title")


def order_new(request: HttpRequest) -> HttpResponse:
    """«Подготовить приказ об утверждении» (the roadmap page) and «Новый приказ» (the list)."""
    roadmaps = _draft_roadmaps(request)
    if not selectors.municipalities_for_change(request.user).exists():
        raise PermissionDenied(_("Готовить приказы может только муниципальный координатор."))
    form = NewOrderForm(request.POST or None, roadmaps=roadmaps)
    if request.method == "POST" and form.is_valid():
        existing = orders.draft_order_for(form.cleaned_data["roadmap"])
        if existing is not None:
            messages.info(
                request,
                _("Проект приказа для этой дорожной карты уже подготовлен: продолжите его."),
            )
            return redirect("measures:order_detail", pk=existing.pk)
        try:
            act = orders.order_new(roadmap=form.cleaned_data["roadmap"], by=request.user)
        except ValidationError as problem:
            show_errors(form, problem, "roadmap")
        else:
            messages.success(
                request,
                _("Проект приказа подготовлен: укажите номер и дату, проверьте текст."),
            )
            return redirect("measures:order_edit", pk=act.pk)
    return render(
        request,
        "measures/order_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- The order -------------------------------------------------------------------------------


@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_act_for_user(request.user, pk))


@require_GET
def order_pdf_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF block alone (htmx polls it while the PDF is queued or rendering)."""
    act = selectors.get_act_for_user(request.user, pk)
    return render(
        request,
        "measures/order_detail.html#pdf",
        {
            "act": act,
            "can_change": access.coordinates(request.user, act.municipality_id),
            **_pdf_context(act),
        },
    )


def _act_values(act: LegalAct) -> dict[str, object]:
    values: dict[str, object] = {
        name: getattr(act, name) for name in OrderForm.Meta.fields if name != "issuer"
    }
    values["issuer"] = act.issuer_id
    values["items_text"] = orders.items_text(act.items)
    return values


def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    act = selectors.get_act_for_change(request.user, pk, for_edit=True)
    form = OrderForm(request.POST or None, act=act)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            orders.order_save(act=form.save(), expected_version=form.cleaned_data["version"])
        except ValidationError as problem:
            show_errors(form, problem)
        except StaleEdit as stale:
            conflict = _conflict(form, stale, _act_values, what=_("Документ"))
            conflict["heading"] = _("Не сохранено: документ изменили, пока вы редактировали")
        else:
            messages.success(request, _("Документ сохранён."))
            return redirect("measures:order_detail", pk=act.pk)
    status = 409 if conflict else 400 if form.errors else 200
    if conflict or form.errors:
        act = selectors.get_act_for_user(request.user, pk)  # as stored, for the page's header
    return render(
        request,
        "measures/order_edit.html",
        {"act": act, "form": form, "conflict": conflict},
        status=status,
    )


def order_delete(request: HttpRequest, pk: int) -> HttpResponse:
    act = selectors.get_act_for_change(request.user, pk, for_edit=True)
    problem = ""
    if request.method == "POST":
        try:
            orders.order_delete(act=act)
        except ValidationError as refused:
            problem = " ".join(refused.messages)
        else:
            messages.success(request, _("Проект документа удалён."))
            return redirect("measures:order_list")
    return render(
        request,
        "measures/order_delete.html",
        {"act": act, "appendices": _appendices(act), "problem": problem},
        status=400 if problem else 200,
    )


# --- Appendices ------------------------------------------------------------------------------


def order_appendix_add(request: HttpRequest, pk: int) -> HttpResponse:
    act = selectors.get_act_for_change(request.user, pk, for_edit=True)
    form = AppendixForm(request.POST or None, act=act)
    if request.method != "POST":
        return redirect(_order_url(act, "appendix-add"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            appendix = orders.appendix_add(
                act=act,
                kind=data["kind"],
                roadmap=data["roadmap"],
                working_group=data["working_group"],
                year=data["year"],
                title=data["title"],
                mark=data["mark"],
                expected_version=_version(request),
            )
        except ValidationError as problem:
            show_errors(form, problem)
        except StaleEdit as stale:
            act = selectors.get_act_for_user(request.user, pk)
            return _detail(
                request, act, appendix_form=form, conflict=_stale_message(stale), status=409
            )
        else:
            messages.success(
                request,
                _("Добавлено приложение %(number)s и пункт, который его утверждает.")
                % {"number": appendix.position},
            )
            return redirect(_order_url(act, f"appendix-{appendix.pk}"))
    return _detail(request, act, appendix_form=form, status=400)


def _appendix_action(request: HttpRequest, pk: int, appendix_pk: int, action: Any) -> HttpResponse:
    act = selectors.get_act_for_change(request.user, pk, for_edit=True)
    try:
        action(act=act, appendix_id=appendix_pk, expected_version=_version(request))
    except ValidationError as problem:
        act = selectors.get_act_for_user(request.user, pk)
        return _detail(request, act, error=" ".join(problem.messages), status=400)
    except StaleEdit as stale:
        act = selectors.get_act_for_user(request.user, pk)
        return _detail(request, act, conflict=_stale_message(stale), status=409)
    return redirect(_order_url(act, "appendices"))


@require_POST
def order_appendix_move(request: HttpRequest, pk: int, appendix_pk: int) -> HttpResponse:
    up = request.POST.get("direction") != "down"

    def move(**kwargs: Any) -> Any:
        return orders.appendix_move(up=up, **kwargs)

    return _appendix_action(request, pk, appendix_pk, move)


@require_POST
def order_appendix_delete(request: HttpRequest, pk: int, appendix_pk: int) -> HttpResponse:
    response = _appendix_action(request, pk, appendix_pk, orders.appendix_delete)
    if response.status_code == 302:
        messages.success(request, _("Приложение удалено; следующие приложения перенумерованы."))
    return response


# --- Signing and the PDF ---------------------------------------------------------------------


def order_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """«Отметить подписанным»: a confirmation page, then the service."""
    act = selectors.get_act_for_change(request.user, pk, for_edit=True)
    problems = orders.sign_problems(act)
    conflict = None
    if request.method == "POST":
        try:
            orders.order_sign(act=act, by=request.user, expected_version=_version(request))
        except ValidationError as refused:
            problems = refused.messages
        except StaleEdit as stale:
            conflict = _stale_message(stale)
            act = selectors.get_act_for_user(request.user, pk)
            problems = orders.sign_problems(act)
        else:
            messages.success(
                request,
                _("«%(act)s» отмечен подписанным; дорожные карты утверждены, PDF формируется.")
                % {"act": LegalAct.objects.get(pk=act.pk)},
            )
            return redirect("measures:order_detail", pk=act.pk)
    roadmaps = [a.roadmap for a in _appendices(act) if a.roadmap is not None]
    status = 409 if conflict else 400 if request.method == "POST" else 200
    return render(
        request,
        "measures/order_sign.html",
        {"act": act, "problems": problems, "roadmaps": roadmaps, "conflict": conflict},
        status=status,
    )


@require_POST
def order_render(request: HttpRequest, pk: int) -> HttpResponse:
    """«Сформировать заново»: the PDF queued again (coordinators and the admin)."""
    act = selectors.get_act_for_change(request.user, pk)
    try:
        orders.order_render(act=act)
    except ValidationError as problem:
        return _detail(request, act, error=" ".join(problem.messages), status=400)
    messages.success(request, _("PDF поставлен в очередь на формирование."))
    return redirect(_order_url(act, "pdf"))


# --- The electronic signature ----------------------------------------------------------------


def order_signature(request: HttpRequest, pk: int) -> HttpResponse:
    act = selectors.get_act_for_change(request.user, pk)
    if act.status != LegalAct.Status.SIGNED:
        raise PermissionDenied(_("Электронную подпись добавляют к подписанному документу."))
    initial = {
        "owner": act.certificate_owner,
        "serial": act.certificate_serial,
        "valid_from": act.certificate_valid_from,
        "valid_to": act.certificate_valid_to,
    }
    form = SignatureForm(
        request.POST or None, request.FILES or None, version=act.version, initial=initial
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            orders.signature_save(
                act=act,
                file=data["file"] or None,
                owner=data["owner"],
                serial=data["serial"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                expected_version=data["version"],
            )
        except ValidationError as problem:
            show_errors(form, problem, "file")
        except StaleEdit as stale:
            conflict = _stale_message(stale)
            form.data = form.data.copy()
            form.data["version"] = str(stale.current.version)
        else:
            messages.success(request, _("Электронная подпись сохранена; PDF формируется заново."))
            return redirect(_order_url(act, "signature"))
    return render(
        request,
        "measures/order_signature.html",
        {"act": act, "form": form, "conflict": conflict},
        status=409 if conflict else 400 if form.errors else 200,
    )


@require_GET
def order_signature_download(request: HttpRequest, pk: int) -> FileResponse:
    act = selectors.get_act_for_user(request.user, pk)
    if not act.signature:
        raise Http404("Подписи нет")
    try:
        handle = act.signature.storage.open(act.signature.name, "rb")
    except FileNotFoundError:
        raise Http404("Файл не найден") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=act.signature_name or act.signature.name.rsplit("/", 1)[-1],
        content_type="application/pkcs7-signature",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
