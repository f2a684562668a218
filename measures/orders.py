"""Orders in the browser: a draft order (приказ, распоряжение, постановление) prepared with
defaults from the roadmap and the municipality, its text and appendices edited while it is a
draft, marked signed (which approves the roadmaps it carries and queues its PDF), and the
detached electronic signature made outside the portal.

Every write is a service here (keyword arguments, one transaction, `ValidationError` in
Russian); an edit of the order's text or appendices checks the version the page was opened on
(`StaleEdit`, nothing saved)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from measures import editions, printing, services
from measures.models import ActAppendix, LegalAct, Roadmap
from roadmap_portal.concurrency import lock_for_update
from roadmap_portal.text import act_number, document_gender
from schools.models import Municipality, Organisation, WorkingGroup

SIGNATURE_EXTENSIONS = (".sig", ".p7s", ".sgn")
SIGNATURE_MAX_BYTES = 1024 * 1024

# the document a title starts with: (nominative, genitive «Об утверждении …», accusative
# «Утвердить …»), as officials decline them
_LEADS = [
    ("дорожная карта", "дорожной карты", "дорожную карту"),
    ("план", "плана", "план"),
    ("программа", "программы", "программу"),
    ("комплекс мер", "комплекса мер", "комплекс мер"),
    ("перечень", "перечня", "перечень"),
    ("состав", "состава", "состав"),
    ("положение", "положения", "положение"),
    ("форма", "формы", "форму"),
]

_APPENDIX_REF = re.compile(r"\((приложени[еяи]) (\d+)\)")


# --- The text of the order -------------------------------------------------------------------


def _declined(title: str) -> tuple[str, str, str]:
    """The title after «Об утверждении» (genitive) and after «Утвердить» (accusative), and the
    word it is named by (nominative: its gender is the document's)."""
    title = " ".join(title.split())
    lowered = title.lower()
    for nominative, genitive, accusative in _LEADS:
        if lowered.startswith(nominative) and (
            len(title) == len(nominative) or not title[len(nominative)].isalpha()
        ):
            rest = title[len(nominative) :]
            return genitive + rest, accusative + rest, nominative
    return (
        _("дорожной карты «%(title)s»") % {"title": title},
        _("дорожную карту «%(title)s»") % {"title": title},
        "дорожная карта",
    )


def heading_for(title: str) -> str:
    """«Об утверждении плана мероприятий …» for a roadmap titled «План мероприятий …»."""
    return _("Об утверждении %(what)s") % {"what": _declined(title)[0]}


def approve_item(title: str, position: int) -> str:
    return _("Утвердить %(what)s (приложение %(number)s).") % {
        "what": _declined(title)[1],
        "number": position,
    }


def amend_heading(title: str) -> str:
    """«О внесении изменений в план мероприятий …» for an amendment draft."""
    return _("О внесении изменений в %(what)s") % {"what": _declined(title)[1]}


def amend_item(
    title: str, approved_by: LegalAct | None, position: int, in_force: LegalAct | None = None
) -> str:
    """«Внести изменения в дорожную карту …, утверждённую приказом от … № …, изложив её в новой
    редакции (приложение 1).» — the participle and the pronoun agree with the document."""
    _genitive, what, lead = _declined(title)
    gender = document_gender(lead)
    approved = ""
    if approved_by is not None and approved_by.date and approved_by.number:
        participle = {
            "m": _("утверждённый"),
            "f": _("утверждённую"),
            "n": _("утверждённое"),
            "pl": _("утверждённые"),
        }[gender]
        approved = _(", %(participle)s %(kind)s от %(date)s %(number)s") % {
            "participle": participle,
            "kind": LegalAct.kind_in(approved_by.kind, "instrumental"),
            "date": approved_by.date.strftime("%d.%m.%Y"),
            "number": act_number(approved_by.number),
        }
        if in_force is not None and in_force.pk != approved_by.pk and in_force.date:
            approved += _(" (в редакции %(kind)s от %(date)s %(number)s)") % {
                "kind": LegalAct.kind_in(in_force.kind, "genitive"),
                "date": in_force.date.strftime("%d.%m.%Y"),
                "number": act_number(in_force.number),
            }
    pronoun = {"f": _("её"), "pl": _("их")}.get(gender, _("его"))
    return _(
        "Внести изменения в %(what)s%(approved)s, изложив %(pronoun)s в новой редакции "
        "(приложение %(number)s)."
    ) % {"what": what, "approved": approved, "pronoun": pronoun, "number": position}


def _ending(kind: str) -> str:
    """How the preamble ends, as officials write: «…, приказываю:», «…, постановляю:»; a
    распоряжение has no such word (seed 001: «В соответствии с … :»)."""
    return {
        LegalAct.Kind.ORDER: _(", приказываю:"),
        LegalAct.Kind.DISPOSITION: ":",
        LegalAct.Kind.RESOLUTION: _(", постановляю:"),
    }[LegalAct.Kind(kind)]


def preamble_for(roadmap: Roadmap, kind: str) -> str:
    basis = " ".join(roadmap.legal_basis.split()).rstrip(".,;: ")
    aim = _("в целях повышения качества образования в общеобразовательных организациях")
    if not basis:
        text = aim[0].upper() + aim[1:]
    elif re.match(r"(?i)(в соответствии|на основании|руководствуясь|во исполнение)", basis):
        text = f"{basis}, {aim}"
    else:
        text = _("В соответствии с документами: %(basis)s, %(aim)s") % {"basis": basis, "aim": aim}
    return text + _ending(kind)


def control_item(roadmap: Roadmap, kind: str) -> str:
    """«Контроль за исполнением настоящего приказа …»: the roadmap's «контроль исполнения» (a
    sentence of its own, or whom to charge, as written), else «оставляю за собой» — the portal
    does not decline a person's name and position into the accusative itself."""
    control = " ".join(roadmap.control.split()).rstrip(". ")
    if control.lower().startswith("контроль"):
        return control + "."
    if control:  # «Контроль исполнения» of the roadmap: whom, as the coordinator wrote it
        return _("Контроль за исполнением настоящего %(act)s возложить на %(whom)s.") % {
            "act": LegalAct.kind_in(kind, "genitive"),
            "whom": control,
        }
    return _("Контроль за исполнением настоящего %(act)s оставляю за собой.") % {
        "act": LegalAct.kind_in(kind, "genitive")
    }


def items_from_text(text: str) -> list[str]:
    """The items of the order from the form's text: one item per paragraph (paragraphs apart by
    an empty line; without any, one item per line); a number typed at the start is dropped
    (the numbering is automatic)."""
    text = text.replace("\r\n", "\n").strip()
    if re.search(r"\n\s*\n", text):
        paragraphs = [
            "\n".join(line.strip() for line in p.split("\n") if line.strip())
            for p in re.split(r"\n\s*\n", text)
        ]
    else:
        paragraphs = text.split("\n")
    items = []
    for paragraph in paragraphs:
        paragraph = re.sub(r"^\s*\d+\s*[.)]\s*", "", paragraph).strip()
        if paragraph:
            items.append(paragraph)
    return items


def items_text(items: list[str]) -> str:
    return "\n\n".join(items)


# --- A new order -----------------------------------------------------------------------------


def default_issuer(municipality: Municipality) -> tuple[Organisation, str]:
    """The body that approves a municipality's roadmap and the kind of its act: the education
    authority's приказ, else the administration's распоряжение."""
    organisations = Organisation.objects.filter(municipality=municipality).order_by("pk")
    authority = organisations.filter(kind=Organisation.Kind.AUTHORITY).first()
    if authority is not None:
        return authority, LegalAct.Kind.ORDER
    administration = organisations.filter(kind=Organisation.Kind.ADMINISTRATION).first()
    if administration is not None:
        return administration, LegalAct.Kind.DISPOSITION
    raise ValidationError(
        _(
            "В реестре муниципалитета «%(municipality)s» нет ни органа управления образованием, "
            "ни администрации: добавьте организацию в реестр, чтобы подготовить приказ."
        )
        % {"municipality": municipality.name}
    )


def draft_order_for(roadmap: Roadmap) -> LegalAct | None:
    """The draft order that already carries the roadmap, if there is one: a roadmap is
    approved by one order, so «Подготовить приказ» opens it rather than making another."""
    return (
        LegalAct.objects.filter(status=LegalAct.Status.DRAFT, appendices__roadmap=roadmap)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def order_new(*, roadmap: Roadmap, by: AbstractBaseUser | None) -> LegalAct:
    """A draft order approving the roadmap (its appendix 1), filled so that a typical order
    needs only a number and a date."""
    if roadmap.status != Roadmap.Status.DRAFT:
        raise ValidationError(services.draft_problem(roadmap))
    issuer, kind = default_issuer(roadmap.municipality)
    last = (
        LegalAct.objects.filter(issuer=issuer, status=LegalAct.Status.SIGNED)
        .order_by("-date", "-signed_at", "-pk")
        .first()
    )
    amended = roadmap.amends  # an amendment draft («Внести изменения»): a «О внесении изменений»
    if amended is not None:
        heading = amend_heading(amended.title)
        first_item = amend_item(
            amended.title, amended.approved_by, 1, editions.in_force_act(amended)
        )
    else:
        heading, first_item = heading_for(roadmap.title), approve_item(roadmap.title, 1)
    act = LegalAct(
        municipality=roadmap.municipality,
        kind=kind,
        issuer=issuer,
        title=heading,
        place=(last.place if last and last.place else roadmap.municipality.name),
        signatory_position=last.signatory_position if last else "",
        signatory_name=last.signatory_name if last else "",
        preamble=preamble_for(roadmap, kind),
        items=[first_item, control_item(roadmap, kind)],
    )
    services.check_legal_act(act)
    act.full_clean()
    act.save()
    ActAppendix.objects.create(
        act=act,
        position=1,
        kind=ActAppendix.Kind.ROADMAP,
        roadmap=roadmap,
        title=roadmap.title,
        mark=ActAppendix.Mark.APPENDIX,
    )
    return act


# --- Edits of a draft ------------------------------------------------------------------------


def _draft_problem(act: LegalAct) -> str | None:
    if act.status == LegalAct.Status.DRAFT:
        return None
    return _(
        "«%(act)s» подписан: его текст и приложения не меняются. Изменения вносят новым "
        "приказом («Внести изменения» на странице дорожной карты)."
    ) % {"act": act}


def _lock_draft(act: LegalAct, expected_version: int | None) -> LegalAct:
    """The act's row locked; StaleEdit when it changed since `expected_version`,
    ValidationError when it is no longer a draft."""
    current = lock_for_update(act, expected_version)
    if problem := _draft_problem(current):
        raise ValidationError(problem)
    return current


def _bump(act: LegalAct, **fields: Any) -> LegalAct:
    for name, value in fields.items():
        setattr(act, name, value)
    act.version += 1
    act.save(update_fields=[*fields, "version"])
    return act


@transaction.atomic
def order_save(*, act: LegalAct, expected_version: int | None) -> LegalAct:
    """Save the text of a draft order (the fields of its form, set on `act`): ValidationError
    (in Russian, nothing saved) when a rule is broken; StaleEdit when someone saved it after
    `expected_version`."""
    current = _lock_draft(act, expected_version)
    services.check_legal_act(act)
    _check_number_free(act)
    act.full_clean(exclude=["version"])
    act.status = current.status
    act.version = current.version + 1
    try:
        with transaction.atomic():
            act.save()
    except IntegrityError:
        raise ValidationError({"number": _number_taken(act)}) from None
    return act


def _number_taken(act: LegalAct) -> str:
    return _(
        "Номер %(number)s от %(date)s у «%(issuer)s» уже есть у другого документа этого вида: "
        "проверьте номер."
    ) % {
        "number": act.number,
        "date": act.date.strftime("%d.%m.%Y") if act.date else "",
        "issuer": act.issuer.short_name or act.issuer.name,
    }


def _check_number_free(act: LegalAct) -> None:
    if not act.number or act.date is None:
        return
    taken = (
        LegalAct.objects.filter(
            issuer=act.issuer_id, kind=act.kind, number=act.number, date=act.date
        )
        .exclude(pk=act.pk)
        .exists()
    )
    if taken:
        raise ValidationError({"number": _number_taken(act)})


def appendix_title(
    kind: str, *, roadmap: Roadmap | None, group: WorkingGroup | None, year: int | None
) -> str:
    """The heading an appendix of the kind gets unless one is typed."""
    if kind == ActAppendix.Kind.ROADMAP and roadmap is not None:
        return roadmap.title
    if kind == ActAppendix.Kind.WORKING_GROUP:
        # «Муниципальная рабочая группа по …» → «Состав муниципальной рабочей группы по …»
        found = re.match(
            r"(?i)\s*(муниципальн\w+\s+)?рабочая\s+группа(.*)", group.title if group else ""
        )
        if found is None:
            return _("Состав рабочей группы")
        municipal = _("муниципальной ") if found.group(1) else ""
        return _("Состав %(municipal)sрабочей группы%(rest)s") % {
            "municipal": municipal,
            "rest": found.group(2).rstrip(),
        }
    if kind == ActAppendix.Kind.SCHOOLS:
        return _(
            "Перечень общеобразовательных организаций с низкими образовательными результатами "
            "на %(year)s год"
        ) % {"year": year}
    if kind == ActAppendix.Kind.PAIRINGS:
        return _("Перечень наставнических пар общеобразовательных организаций на %(year)s год") % {
            "year": year
        }
    return _("Форма соглашения о партнёрстве")


@transaction.atomic
def appendix_add(
    *,
    act: LegalAct,
    kind: str,
    roadmap: Roadmap | None = None,
    working_group: WorkingGroup | None = None,
    year: int | None = None,
    title: str = "",
    mark: str = ActAppendix.Mark.APPENDIX,
    expected_version: int | None,
) -> ActAppendix:
    """Add an appendix as the next one (Приложение N) and the item that approves it
    («Утвердить … (приложение N).», before the control item)."""
    act = _lock_draft(act, expected_version)
    errors: dict[str, str] = {}
    if kind not in ActAppendix.Kind.values:
        errors["kind"] = _("Выберите вид приложения.")
    if kind == ActAppendix.Kind.ROADMAP:
        if roadmap is None:
            errors["roadmap"] = _("Выберите дорожную карту.")
        elif roadmap.municipality_id != act.municipality_id:
            errors["roadmap"] = _("Дорожная карта «%(title)s» — другого муниципалитета.") % {
                "title": roadmap.title
            }
        elif act.appendices.filter(roadmap=roadmap).exists():
            errors["roadmap"] = _("Дорожная карта «%(title)s» уже есть в приложениях.") % {
                "title": roadmap.title
            }
    else:
        roadmap = None
    if kind == ActAppendix.Kind.WORKING_GROUP:
        if working_group is None:
            errors["working_group"] = _(
                "Выберите рабочую группу (их составы — в реестре муниципалитета)."
            )
        elif working_group.municipality_id != act.municipality_id:
            errors["working_group"] = _("Рабочая группа — другого муниципалитета.")
    else:
        working_group = None
    if kind in (ActAppendix.Kind.SCHOOLS, ActAppendix.Kind.PAIRINGS):
        if year is None:
            errors["year"] = _("Укажите год: перечень составляется на год.")
    else:
        year = None
    if mark not in ActAppendix.Mark.values:
        errors["mark"] = _("Выберите отметку.")
    if errors:
        raise ValidationError(errors)
    position = (act.appendices.aggregate(last=Max("position"))["last"] or 0) + 1
    title = " ".join(title.split()) or appendix_title(
        kind, roadmap=roadmap, group=working_group, year=year
    )
    appendix = ActAppendix(
        act=act,
        position=position,
        kind=kind,
        roadmap=roadmap,
        working_group=working_group,
        year=year,
        title=title,
        mark=mark,
    )
    appendix.full_clean()
    appendix.save()
    items = list(act.items)
    at = next(
        (i for i in range(len(items) - 1, -1, -1) if items[i].lower().startswith("контроль")),
        len(items),
    )
    items.insert(at, approve_item(title, position))
    _bump(act, items=items)
    return appendix


def _renumber(items: list[str], mapping: dict[int, int]) -> list[str]:
    """The items with their references «(приложение N)» renumbered by `mapping`."""

    def swap(match: re.Match) -> str:
        number = int(match.group(2))
        return f"({match.group(1)} {mapping.get(number, number)})"

    return [_APPENDIX_REF.sub(swap, item) for item in items]


def _appendix_of(act: LegalAct, appendix_id: int) -> ActAppendix:
    appendix = act.appendices.filter(pk=appendix_id).first()
    if appendix is None:
        raise ValidationError(_("Приложение не найдено: обновите страницу."))
    return appendix


@transaction.atomic
def appendix_move(
    *, act: LegalAct, appendix_id: int, up: bool, expected_version: int | None
) -> LegalAct:
    """Swap the appendix with the one before (`up`) or after it; the items' references
    «(приложение N)» follow."""
    act = _lock_draft(act, expected_version)
    appendix = _appendix_of(act, appendix_id)
    siblings = act.appendices.order_by("position")
    other = (
        siblings.filter(position__lt=appendix.position).last()
        if up
        else siblings.filter(position__gt=appendix.position).first()
    )
    if other is None:
        return act
    first, second = appendix.position, other.position
    appendix.position, other.position = second, first
    appendix.save(update_fields=["position"])
    other.save(update_fields=["position"])  # (act, position) is unique at commit
    return _bump(act, items=_renumber(list(act.items), {first: second, second: first}))


@transaction.atomic
def appendix_delete(*, act: LegalAct, appendix_id: int, expected_version: int | None) -> LegalAct:
    """Delete the appendix; the ones after it move up, the item that approved it goes and
    the other items' references follow."""
    act = _lock_draft(act, expected_version)
    appendix = _appendix_of(act, appendix_id)
    gone = appendix.position
    appendix.delete()
    mapping = {}
    for later in act.appendices.filter(position__gt=gone).order_by("position"):
        mapping[later.position] = later.position - 1
        later.position -= 1
        later.save(update_fields=["position"])
    items = [item for item in act.items if not re.search(rf"\(приложени[еяи] {gone}\)", item)]
    return _bump(act, items=_renumber(items, mapping))


@transaction.atomic
def order_delete(*, act: LegalAct) -> None:
    """Delete a draft order with its appendices (a signed one is a document: it stays)."""
    act = _lock_draft(act, None)
    services.row_delete(row=act)


# --- Signing ---------------------------------------------------------------------------------


def sign_problems(act: LegalAct) -> list[str]:
    """What keeps the draft from being marked signed, in Russian (empty: nothing)."""
    problems = []
    missing = [
        name
        for name, value in ((_("номер"), act.number.strip()), (_("дата"), act.date))
        if not value
    ]
    if missing:
        problems.append(
            _("Чтобы отметить документ подписанным, укажите: %(fields)s.")
            % {"fields": ", ".join(missing)}
        )
    appendices = list(act.appendices.select_related("roadmap").order_by("position"))
    if not appendices:
        problems.append(_("В документе нет приложений: добавьте утверждаемую дорожную карту."))
    for appendix in appendices:
        roadmap = appendix.roadmap
        if roadmap is None:
            continue
        other = (
            LegalAct.objects.filter(status=LegalAct.Status.DRAFT, appendices__roadmap=roadmap)
            .exclude(pk=act.pk)
            .first()
        )
        if other is not None:
            problems.append(
                _(
                    "Приложение %(number)s: дорожная карта «%(title)s» включена и в другой "
                    "проект — «%(other)s» (№ %(pk)s в списке приказов). Удалите лишний проект "
                    "или уберите её из его приложений."
                )
                % {
                    "number": appendix.position,
                    "title": roadmap.title,
                    "other": other,
                    "pk": other.pk,
                }
            )
        if roadmap.municipality_id != act.municipality_id:
            problems.append(
                _("Приложение %(number)s: дорожная карта «%(title)s» — другого муниципалитета.")
                % {"number": appendix.position, "title": roadmap.title}
            )
        elif roadmap.status != Roadmap.Status.DRAFT:
            problems.append(
                _(
                    "Приложение %(number)s: дорожная карта «%(title)s» — «%(status)s», а "
                    "утвердить можно только проект. Уберите её из приложений или внесите "
                    "изменения новым проектом («Внести изменения»)."
                )
                % {
                    "number": appendix.position,
                    "title": roadmap.title,
                    "status": roadmap.get_status_display(),
                }
            )
    if act.number and act.date:
        try:
            _check_number_free(act)
        except ValidationError as taken:
            problems.extend(taken.messages)
    return problems


@transaction.atomic
def order_sign(
    *, act: LegalAct, by: AbstractBaseUser | None, expected_version: int | None
) -> LegalAct:
    """«Отметить подписанным»: the order is signed, each roadmap it carries is approved by it
    (an edition kept, the roadmap locked), the working groups it approves point to it, and its
    PDF is queued. All or nothing; under the act's row lock."""
    act = _lock_draft(act, expected_version)
    # lock the roadmaps it approves, so that none is approved or edited meanwhile
    roadmap_ids = list(
        act.appendices.filter(roadmap__isnull=False).values_list("roadmap_id", flat=True)
    )
    list(Roadmap.objects.select_for_update().filter(pk__in=roadmap_ids).order_by("pk"))
    if problems := sign_problems(act):
        raise ValidationError(problems)
    act.status = LegalAct.Status.SIGNED
    act.signed_at = timezone.now()
    act.version += 1
    try:
        with transaction.atomic():
            act.save(update_fields=["status", "signed_at", "version"])
    except IntegrityError:
        raise ValidationError(_number_taken(act)) from None
    for appendix in act.appendices.select_related("roadmap", "working_group").order_by("position"):
        if appendix.roadmap is not None:
            editions.approve(
                roadmap=appendix.roadmap, act=act, appendix_number=str(appendix.position)
            )
        if appendix.working_group is not None and appendix.working_group.act_id is None:
            appendix.working_group.act = act
            appendix.working_group.save(update_fields=["act"])
    printing.freeze_appendices(act)
    printing.enqueue_render(act)
    return act


@transaction.atomic
def order_render(*, act: LegalAct) -> None:
    """«Сформировать заново»: queue the PDF of a signed order again."""
    act = LegalAct.objects.select_for_update().get(pk=act.pk)
    if act.status != LegalAct.Status.SIGNED:
        raise ValidationError(_("PDF формируется для подписанного документа."))
    busy = act.pdf_status in (LegalAct.PdfStatus.QUEUED, LegalAct.PdfStatus.RENDERING)
    if busy and not printing.render_stalled(act):
        return  # already on its way
    printing.enqueue_render(act)


# --- The electronic signature ----------------------------------------------------------------


@transaction.atomic
def signature_save(
    *,
    act: LegalAct,
    file: UploadedFile | None,
    owner: str,
    serial: str,
    valid_from: date | None,
    valid_to: date | None,
    expected_version: int | None,
) -> LegalAct:
    """Store the detached signature (.sig, .p7s, .sgn; up to 1 MB) of a signed order and the
    certificate's details as entered; the PDF is rendered again (its mark changes)."""
    current = lock_for_update(act, expected_version)
    if current.status != LegalAct.Status.SIGNED:
        raise ValidationError(_("Электронную подпись добавляют к подписанному документу."))
    errors: dict[str, list[str]] = {}
    if file is None and not current.signature:
        errors.setdefault("file", []).append(_("Выберите файл подписи (.sig)."))
    if file is not None:
        name = file.name or ""
        if not name.lower().endswith(SIGNATURE_EXTENSIONS):
            errors.setdefault("file", []).append(
                _("Файл подписи — «%(name)s»: нужен отсоединённый файл .sig, .p7s или .sgn.")
                % {"name": name}
            )
        elif file.size > SIGNATURE_MAX_BYTES:
            errors.setdefault("file", []).append(
                _("Файл подписи больше 1 МБ: это не отсоединённая подпись.")
            )
        elif file.size == 0:
            errors.setdefault("file", []).append(_("Файл подписи пустой."))
    owner, serial = " ".join(owner.split()), "".join(serial.split())
    if not owner:
        errors.setdefault("owner", []).append(_("Укажите владельца сертификата."))
    if not serial:
        errors.setdefault("serial", []).append(_("Укажите номер сертификата."))
    if valid_from is None:
        errors.setdefault("valid_from", []).append(_("Укажите, с какого дня действует сертификат."))
    if valid_to is None:
        errors.setdefault("valid_to", []).append(_("Укажите, по какой день действует сертификат."))
    if valid_from and valid_to:
        if valid_to < valid_from:
            errors.setdefault("valid_to", []).append(
                _("Сертификат действует по дату раньше начала: проверьте даты.")
            )
        elif current.date and not valid_from <= current.date <= valid_to:
            errors.setdefault("valid_to", []).append(
                _(
                    "Документ подписан %(date)s, а сертификат действовал с %(start)s по "
                    "%(end)s: подписью с этим сертификатом документ подписать не могли."
                )
                % {
                    "date": current.date.strftime("%d.%m.%Y"),
                    "start": valid_from.strftime("%d.%m.%Y"),
                    "end": valid_to.strftime("%d.%m.%Y"),
                }
            )
    if errors:
        raise ValidationError(errors)
    if file is not None:
        old = current.signature.name if current.signature else ""
        current.signature_name = (file.name or "")[-255:]
        current.signature.save(file.name or "signature.sig", file, save=False)
        if old:
            transaction.on_commit(lambda: current.signature.storage.delete(old))
    current.certificate_owner = owner[:300]
    current.certificate_serial = serial[:100]
    current.certificate_valid_from = valid_from
    current.certificate_valid_to = valid_to
    current.version += 1
    current.save(
        update_fields=[
            "signature",
            "signature_name",
            "certificate_owner",
            "certificate_serial",
            "certificate_valid_from",
            "certificate_valid_to",
            "version",
        ]
    )
    printing.enqueue_render(current)
    return current
