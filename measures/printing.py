"""The order as a document: its PDF (WeasyPrint), rendered by a Celery task after the order is
marked signed, and its HTML print preview.

One HTML (templates/measures/print/) serves both: the PDF renders it with the document's own
stylesheet (static/css/order-print.css: ГОСТ Р 7.0.97 layout, the shipped Liberation Serif
fonts), the preview page shows the same markup in the portal with a screen stylesheet that draws
the pages. Rendering never touches the network: the URL fetcher serves only the project's own
static files and refuses everything else.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures import editions
from measures.models import ActAppendix, LegalAct, RoadmapEdition
from roadmap_portal.text import act_number, document_gender

logger = logging.getLogger(__name__)
# WeasyPrint reports each step and page at INFO: not worth a line per page in the worker's log
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Relative URLs of the print HTML resolve against this base; the fetcher maps it to the static
# files (the `.invalid` domain can never be reached, should anything bypass the fetcher).
STATIC_BASE = "https://static.portal.invalid/"
STYLESHEET = "css/order-print.css"
PDF_VARIANT = "pdf/a-3b"


class RefusedURL(ValueError):
    """A URL outside the project's static files was asked for while rendering."""


def _static_path(relative: str) -> Path | None:
    """The file of a static path: the source folders (finders), else STATIC_ROOT."""
    relative = relative.split("?", 1)[0].split("#", 1)[0]
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


def _make_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the project's static files from disk; any other URL stops the render."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=(), fail_on_errors=True)
            self.fetched: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if not url.startswith(STATIC_BASE):
                raise RefusedURL(f"refused to fetch {url!r}: only the portal's static files")
            path = _static_path(url[len(STATIC_BASE) :])
            if path is None:
                raise RefusedURL(f"no such static file: {url!r}")
            self.fetched.append(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher()


def url_fetcher() -> Any:
    """A fresh fetcher for one render (it records what it served in `.fetched`)."""
    return _make_fetcher()


# --- the words of the document ------------------------------------------------------------

KIND_TITLE = {
    LegalAct.Kind.ORDER: gettext_lazy("ПРИКАЗ"),
    LegalAct.Kind.DISPOSITION: gettext_lazy("РАСПОРЯЖЕНИЕ"),
    LegalAct.Kind.RESOLUTION: gettext_lazy("ПОСТАНОВЛЕНИЕ"),
}
_APPROVED_WORDS = {
    "m": gettext_lazy("УТВЕРЖДЕН"),
    "f": gettext_lazy("УТВЕРЖДЕНА"),
    "n": gettext_lazy("УТВЕРЖДЕНО"),
    "pl": gettext_lazy("УТВЕРЖДЕНЫ"),
}


def approved_word(title: str) -> str:
    """«УТВЕРЖДЕН» / «УТВЕРЖДЕНА» / «УТВЕРЖДЕНО» / «УТВЕРЖДЕНЫ», agreeing with the approved
    document's title: «План …», «Комплекс мер» → УТВЕРЖДЕН; «Дорожная карта», «Программа» →
    УТВЕРЖДЕНА. A title of another kind gets УТВЕРЖДЕН."""
    return str(_APPROVED_WORDS[document_gender(title)])


def _date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else str(_("«___» ________ 20__ г."))


def file_name(act: LegalAct) -> str:
    """«Приказ_от_22.02.2021_№31.pdf»; a draft: «Проект_приказа_15.pdf»."""
    kind = str(act.get_kind_display())
    if act.status == LegalAct.Status.DRAFT or not (act.number and act.date):
        return f"Проект_{LegalAct.kind_in(act.kind, 'genitive')}_{act.pk}.pdf"
    number = re.sub(r"[^\w-]+", "_", act.number).strip("_")
    return f"{kind}_от_{act.date:%d.%m.%Y}_№{number}.pdf"


# --- what the document shows ---------------------------------------------------------------


@dataclass
class Appendix:
    number: str  # «1», even for an order's only appendix
    kind: str
    mark: str
    title: str
    approved_word: str = ""
    landscape: bool = False
    # roadmap
    header: list[tuple[str, str]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    # lists
    members: list[dict[str, str]] = field(default_factory=list)
    schools: list[dict[str, str]] = field(default_factory=list)
    pairings: list[dict[str, str]] = field(default_factory=list)
    agreement_items: list[str] = field(default_factory=list)


ROADMAP_HEADER = (
    ("goal", gettext_lazy("Цель")),
    ("tasks", gettext_lazy("Задачи")),
    ("expected_results", gettext_lazy("Ожидаемые результаты")),
    ("legal_basis", gettext_lazy("Основания для разработки")),
    ("developers", gettext_lazy("Разработчики")),
    ("control", gettext_lazy("Контроль исполнения")),
)


def _roadmap_content(act: LegalAct, appendix: ActAppendix) -> dict[str, Any]:
    """The roadmap as the act approved it (its edition). A draft's preview shows the roadmap as
    it stands; a signed act without an edition of its own shows the roadmap's earliest edition
    (the oldest content the portal holds), never the live rows — the live roadmap only when it
    has no edition at all."""
    edition = (
        RoadmapEdition.objects.filter(act=act, roadmap_id=appendix.roadmap_id)
        .order_by("-number")
        .values_list("content", flat=True)
        .first()
    )
    if edition is not None:
        return edition
    if act.status != LegalAct.Status.DRAFT:
        earliest = (
            RoadmapEdition.objects.filter(roadmap_id=appendix.roadmap_id)
            .order_by("number")
            .values_list("content", flat=True)
            .first()
        )
        if earliest is not None:
            return earliest
    return editions.snapshot(appendix.roadmap)


def _roadmap_rows(content: dict[str, Any]) -> list[dict[str, Any]]:
    sections = {section["id"]: section for section in content.get("sections", [])}
    rows: list[dict[str, Any]] = []
    shown: set[int] = set()
    for measure in content.get("measures", []):
        section_id = measure.get("section_id")
        if section_id in sections and section_id not in shown:
            shown.add(section_id)
            section = sections[section_id]
            title = section["title"]
            number = section.get("number") or ""
            if number and not title.startswith(number):
                title = f"{number} {title}"
            rows.append({"section": title})
        rows.append({"measure": measure})
    return rows


def _working_group(appendix: ActAppendix) -> list[dict[str, str]]:
    from schools.models import WorkingGroupMember

    order = {WorkingGroupMember.Role.CHAIR: 0, WorkingGroupMember.Role.SECRETARY: 1}
    members = sorted(
        appendix.working_group.memberships.select_related("person"),
        key=lambda member: (order.get(member.role, 2), member.position),
    )
    roles = {
        WorkingGroupMember.Role.CHAIR: gettext_lazy("председатель рабочей группы"),
        WorkingGroupMember.Role.SECRETARY: gettext_lazy("секретарь рабочей группы"),
        WorkingGroupMember.Role.MEMBER: gettext_lazy("член рабочей группы"),
    }
    return [
        {
            "name": member.person.full_name or member.person.short_name,
            "position": member.position_text or member.person.position,
            "role": str(roles.get(member.role, "")),
        }
        for member in members
    ]


def _appendix_year(act: LegalAct, appendix: ActAppendix, appendices: list[ActAppendix]) -> int:
    if appendix.year:
        return appendix.year
    for other in appendices:
        if other.roadmap_id:
            return other.roadmap.starts_on.year
    return (act.date or timezone.localdate()).year


def _schools(act: LegalAct, year: int) -> list[dict[str, str]]:
    from schools.models import SchoolDesignation

    rows: dict[int, dict[str, Any]] = {}
    for designation in (
        SchoolDesignation.objects.filter(school__municipality_id=act.municipality_id, year=year)
        .select_related("school")
        .order_by("school__name", "kind")
    ):
        row = rows.setdefault(designation.school_id, {"name": designation.school.name, "kinds": []})
        row["kinds"].append(str(designation.get_kind_display()))
    return [{"name": row["name"], "kinds": "; ".join(row["kinds"])} for row in rows.values()]


def _pairings(act: LegalAct, year: int) -> list[dict[str, str]]:
    from schools.models import MentorPairing

    rows = []
    for pairing in (
        MentorPairing.objects.filter(
            mentor__municipality_id=act.municipality_id,
            starts_on__year__lte=year,
            ends_on__year__gte=year,
        )
        .select_related("mentor", "supported", "agreement")
        .order_by("mentor__name", "supported__name")
    ):
        agreement = getattr(pairing, "agreement", None)
        text = ""
        if agreement is not None:
            text = _("Соглашение %(number)s от %(date)s") % {
                "number": act_number(agreement.number),
                "date": f"{agreement.signed_on:%d.%m.%Y}",
            }
            text = text.replace("  ", " ")
        rows.append(
            {
                "mentor": pairing.mentor.name,
                "supported": pairing.supported.name,
                "agreement": text,
                "term": f"{pairing.starts_on:%d.%m.%Y} – {pairing.ends_on:%d.%m.%Y}",
            }
        )
    return rows


DEFAULT_TITLES = {
    ActAppendix.Kind.SCHOOLS: "Перечень общеобразовательных организаций на {year} год",
    ActAppendix.Kind.PAIRINGS: "Наставнические пары общеобразовательных организаций на {year} год",
    ActAppendix.Kind.AGREEMENT_FORM: "Форма соглашения о партнёрстве (сетевом взаимодействии) "
    "общеобразовательных организаций",
}


# what a list appendix prints, as frozen in ActAppendix.content
LIST_FIELDS = ("title", "members", "schools", "pairings", "agreement_items")


def appendix_data(
    act: LegalAct, appendix: ActAppendix, appendices: list[ActAppendix]
) -> dict[str, Any]:
    """What a list appendix (working group, schools, pairings, agreement form) prints, read from
    the live data: the one definition both the draft's preview and the frozen content of a
    signed order (freeze_appendices) come from. JSON-ready."""
    from measures.orders import appendix_title
    from schools.registry import STANDARD_AGREEMENT_ITEMS

    kind = appendix.kind
    year = _appendix_year(act, appendix, appendices)
    data: dict[str, Any] = {"title": appendix.title}
    if kind == ActAppendix.Kind.WORKING_GROUP:
        data["title"] = data["title"] or str(
            appendix_title(kind, roadmap=None, group=appendix.working_group, year=year)
        )
        data["members"] = _working_group(appendix)
    elif kind == ActAppendix.Kind.SCHOOLS:
        data["schools"] = _schools(act, year)
    elif kind == ActAppendix.Kind.PAIRINGS:
        data["pairings"] = _pairings(act, year)
    elif kind == ActAppendix.Kind.AGREEMENT_FORM:
        data["agreement_items"] = [str(item) for item in STANDARD_AGREEMENT_ITEMS]
    if not data["title"]:
        data["title"] = DEFAULT_TITLES.get(kind, str(appendix.get_kind_display())).format(year=year)
    return data


def freeze_appendices(act: LegalAct) -> None:
    """Freeze what each list appendix of the act prints into its `content` (called when the
    order is signed, before its PDF is queued): the signed document never changes when the
    working group, the schools or the pairings change later. Roadmap appendices are frozen by
    their RoadmapEdition."""
    appendices = list(
        act.appendices.select_related("roadmap", "working_group").order_by("position")
    )
    for appendix in appendices:
        if appendix.kind == ActAppendix.Kind.ROADMAP:
            continue
        appendix.content = appendix_data(act, appendix, appendices)
        appendix.save(update_fields=["content"])


def _appendix(act: LegalAct, appendix: ActAppendix, appendices: list[ActAppendix]) -> Appendix:
    kind = appendix.kind
    # always numbered: the order's item says «(приложение 1)» even for its only appendix
    result = Appendix(
        number=str(appendix.position), kind=kind, mark=appendix.mark, title=appendix.title
    )
    if kind == ActAppendix.Kind.ROADMAP:
        content = _roadmap_content(act, appendix)
        result.title = result.title or content.get("title", "")
        result.landscape = True
        result.header = [(label, content[key]) for key, label in ROADMAP_HEADER if content.get(key)]
        result.rows = _roadmap_rows(content)
    else:
        # a signed act prints what was frozen at signing; live data only for a draft (or an act
        # signed before the content was frozen)
        frozen = appendix.content if act.status != LegalAct.Status.DRAFT else None
        data = frozen or appendix_data(act, appendix, appendices)
        for name in LIST_FIELDS:
            if name in data:
                setattr(result, name, data[name])
    if not result.title:
        result.title = str(appendix.get_kind_display())
    result.approved_word = approved_word(result.title)
    return result


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def document_context(act: LegalAct) -> dict[str, Any]:
    """Everything the print templates show (names and positions only: never phones or
    e-mails)."""
    appendices = list(
        act.appendices.select_related("roadmap", "working_group").order_by("position")
    )
    items = []
    for number, text in enumerate(act.items or [], start=1):
        lines = _paragraphs(str(text))
        items.append({"number": number, "first": lines[0] if lines else "", "rest": lines[1:]})
    signed_electronically = bool(act.signature)
    return {
        "act": act,
        "issuer": act.issuer,
        "kind_title": str(KIND_TITLE[LegalAct.Kind(act.kind)]),
        "kind_instrumental": LegalAct.kind_in(act.kind, "instrumental"),
        "date_text": _date(act.date),
        "number_text": act_number(act.number) if act.number else _("№ ____"),
        "preamble": _paragraphs(act.preamble),
        "items": items,
        "draft": act.status == LegalAct.Status.DRAFT,
        "appendices": [_appendix(act, appendix, appendices) for appendix in appendices],
        "esign": signed_electronically,
        "certificate_from": _date(act.certificate_valid_from) if act.certificate_valid_from else "",
        "certificate_to": _date(act.certificate_valid_to) if act.certificate_valid_to else "",
        "created": (act.date or timezone.localdate()).isoformat(),
    }


def render_html(act: LegalAct) -> str:
    """The document as the standalone HTML the PDF is made of."""
    return render_to_string(
        "measures/print/order.html", {**document_context(act), "stylesheet": STYLESHEET}
    )


def render_document(act: LegalAct, *, fetcher: Any = None) -> Any:
    """The laid-out document (WeasyPrint's Document: `.pages`, `.write_pdf`)."""
    from weasyprint import HTML

    html = HTML(string=render_html(act), base_url=STATIC_BASE, url_fetcher=fetcher or url_fetcher())
    return html.render()


def write_pdf(document: Any) -> bytes:
    """PDF/A-3b bytes of a laid-out document (title, author = the issuer, created = the act's
    date, from the HTML's <title> and <meta>)."""
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A and leaves the file to the collector
        warnings.simplefilter("ignore", ResourceWarning)
        return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(act: LegalAct, *, fetcher: Any = None) -> bytes:
    """The document as PDF/A-3b bytes."""
    return write_pdf(render_document(act, fetcher=fetcher))


# --- the stored file and its status ---------------------------------------------------------


def stalled_after() -> timedelta:
    """How long a render may stay «в очереди» / «формируется» before it counts as lost: the
    task's hard time limit and a margin (a worker killed meanwhile never reports back)."""
    from measures.tasks import RENDER_HARD_LIMIT

    return timedelta(seconds=RENDER_HARD_LIMIT + STALL_MARGIN_SECONDS)


STALL_MARGIN_SECONDS = 60


def render_stalled(act: LegalAct) -> bool:
    """Whether the act's PDF has been «в очереди» or «формируется» for longer than a render can
    last (the order page then offers «Сформировать заново»)."""
    return (
        act.pdf_status in (LegalAct.PdfStatus.QUEUED, LegalAct.PdfStatus.RENDERING)
        and act.pdf_requested_at is not None
        and act.pdf_requested_at < timezone.now() - stalled_after()
    )


QUEUE_DOWN = gettext_lazy(
    "Очередь заданий недоступна: PDF не поставлен в очередь. "
    "Попробуйте «Сформировать заново» позже."
)


def enqueue_render(act: LegalAct) -> None:
    """Queue the rendering of the act's PDF once the transaction commits («в очереди»). A broker
    that cannot take the task ends the request in «ошибка» with the reason (the committed
    transaction stands; no 500)."""
    requested_at = timezone.now()
    LegalAct.objects.filter(pk=act.pk).update(
        pdf_status=LegalAct.PdfStatus.QUEUED, pdf_error="", pdf_requested_at=requested_at
    )
    transaction.on_commit(lambda: _send_render(act.pk, requested_at))


def _send_render(act_id: int, requested_at: datetime) -> None:
    from measures.tasks import render_order_pdf

    try:
        render_order_pdf.delay(act_id)
    except Exception:
        logger.exception("order %s: the PDF task could not be queued", act_id)
        render_fail(act_id=act_id, message=str(QUEUE_DOWN), requested_at=requested_at)


def render_fail(*, act_id: int, message: str, requested_at: datetime | None = None) -> None:
    """End a queued or running render in «ошибка» with the reason (only the given request's,
    when `requested_at` is given: a newer request is left alone)."""
    acts = LegalAct.objects.filter(
        pk=act_id, pdf_status__in=[LegalAct.PdfStatus.QUEUED, LegalAct.PdfStatus.RENDERING]
    )
    if requested_at is not None:
        acts = acts.filter(pdf_requested_at=requested_at)
    acts.update(pdf_status=LegalAct.PdfStatus.FAILED, pdf_error=message)


def render_claim(act_id: int) -> datetime | None:
    """Take the act's render: a queued act, or one stuck «формируется» for longer than a task
    may run (its worker was killed; the task, redelivered, finishes it). Moves it to
    «формируется» and returns the `pdf_requested_at` it took (the result is stored only while
    that request is still the latest); None when there is nothing to take."""
    with transaction.atomic():
        act = (
            LegalAct.objects.select_for_update()
            .filter(pk=act_id)
            .only("pk", "pdf_status", "pdf_requested_at")
            .first()
        )
        if act is None:
            return None
        stuck = (
            act.pdf_status == LegalAct.PdfStatus.RENDERING
            and act.pdf_requested_at is not None
            and act.pdf_requested_at < timezone.now() - stalled_after()
        )
        if act.pdf_status != LegalAct.PdfStatus.QUEUED and not stuck:
            return None
        requested_at = act.pdf_requested_at or timezone.now()
        LegalAct.objects.filter(pk=act_id).update(
            pdf_status=LegalAct.PdfStatus.RENDERING, pdf_error="", pdf_requested_at=requested_at
        )
        return requested_at


def render_store(*, act: LegalAct, requested_at: datetime, data: bytes) -> bool:
    """Store rendered bytes on the act and mark it «готов», only while the render's request is
    still the latest one (a newer request wins: this file is deleted). Returns whether stored."""
    storage = act.pdf.storage
    name = storage.save(f"orders/{timezone.localdate():%Y}/{file_name(act)}", ContentFile(data))
    with transaction.atomic():
        current = (
            LegalAct.objects.select_for_update()
            .filter(
                pk=act.pk, pdf_status=LegalAct.PdfStatus.RENDERING, pdf_requested_at=requested_at
            )
            .values_list("pdf", flat=True)
            .first()
        )
        if current is not None:
            LegalAct.objects.filter(pk=act.pk).update(
                pdf=name,
                pdf_status=LegalAct.PdfStatus.READY,
                pdf_error="",
                pdf_rendered_at=timezone.now(),
            )
    if current is None:
        storage.delete(name)
        return False
    if current and current != name:
        storage.delete(current)
    return True


def render_and_store(act_id: int) -> bool:
    """Render the act's PDF and store it on the act; safe to run twice. Only a queued act — or
    one stuck «формируется» past the task's time limit — is taken (render_claim); a ready act,
    or one another worker is rendering, is left alone. The result is written only while the
    request it rendered is still the latest (one requested again meanwhile is rendered by the
    next task, and this file is dropped). Any error ends «ошибка» with the reason. Returns
    whether the PDF was stored."""
    requested_at = render_claim(act_id)
    if requested_at is None:
        return False
    try:
        act = LegalAct.objects.select_related("issuer", "municipality").get(pk=act_id)
        started = time.monotonic()
        data = render_pdf(act)
        logger.info(
            "order %s: PDF %d bytes in %.2f s", act_id, len(data), time.monotonic() - started
        )
    except Exception as error:
        if error.__class__.__name__ == "SoftTimeLimitExceeded":
            raise  # the task names the limit
        logger.exception("order %s: PDF not rendered", act_id)
        render_fail(
            act_id=act_id,
            message=_(
                "PDF не сформирован из-за ошибки при вёрстке документа (%(error)s). "
                "Сформируйте его заново; если ошибка повторится, сообщите администратору."
            )
            % {"error": f"{error.__class__.__name__}: {error}"[:300]},
            requested_at=requested_at,
        )
        return False
    return render_store(act=act, requested_at=requested_at, data=data)
