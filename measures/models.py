from typing import Any

import pghistory
from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from measures.deadlines import Deadline, Kind, Recurrence
from roadmap_portal.text import act_number
from schools.models import Municipality, Organisation, Person, School


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class LegalAct(models.Model):
    """An order (приказ), disposition (распоряжение) or resolution (постановление)."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Приказ")
        DISPOSITION = "disposition", _("Распоряжение")
        RESOLUTION = "resolution", _("Постановление")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Проект")
        SIGNED = "signed", _("Подписан")

    class PdfStatus(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        RENDERING = "rendering", _("Формируется")
        READY = "ready", _("Готов")
        FAILED = "failed", _("Ошибка")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.PROTECT,
        related_name="legal_acts",
    )
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.ORDER)
    issuer = models.ForeignKey(
        Organisation, verbose_name=_("издал"), on_delete=models.PROTECT, related_name="legal_acts"
    )
    number = models.CharField(_("номер"), max_length=50, blank=True)
    date = models.DateField(_("дата"), null=True, blank=True)
    title = models.TextField(_("заголовок"))
    signatory_name = models.CharField(_("подписал (И.О. Фамилия)"), max_length=200, blank=True)
    signatory_position = models.CharField(_("должность подписавшего"), max_length=500, blank=True)
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # the order as printed (measures.orders builds the defaults, measures.printing the PDF)
    place = models.CharField(_("место издания"), max_length=200, blank=True)
    preamble = models.TextField(
        _("преамбула"), blank=True, help_text=_("Основание; заканчивается словом «приказываю:»")
    )
    items = models.JSONField(
        _("пункты"), default=list, blank=True, help_text=_("Текст пунктов по порядку")
    )
    signed_at = models.DateTimeField(_("отмечен подписанным"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="orders/%Y/", blank=True)
    pdf_status = models.CharField(
        _("состояние PDF"), max_length=20, choices=PdfStatus.choices, blank=True
    )
    pdf_error = models.TextField(_("ошибка формирования PDF"), blank=True)
    pdf_requested_at = models.DateTimeField(_("PDF заказан"), null=True, blank=True)
    pdf_rendered_at = models.DateTimeField(_("PDF сформирован"), null=True, blank=True)
    # a detached electronic signature made outside the portal (the .sig file) and the
    # certificate's details as the coordinator entered them, for the printed mark
    signature = models.FileField(
        _("файл электронной подписи"), upload_to="orders/sig/%Y/", blank=True
    )
    signature_name = models.CharField(_("имя файла подписи"), max_length=255, blank=True)
    certificate_owner = models.CharField(_("владелец сертификата"), max_length=300, blank=True)
    certificate_serial = models.CharField(_("номер сертификата"), max_length=100, blank=True)
    certificate_valid_from = models.DateField(_("сертификат действителен с"), null=True, blank=True)
    certificate_valid_to = models.DateField(_("сертификат действителен по"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("версия"),
        default=1,
        db_default=1,
        help_text=_("Растёт при каждом изменении; форма, открытая на старой версии, не сохранится"),
    )

    class Meta:
        verbose_name = _("распорядительный документ")
        verbose_name_plural = _("распорядительные документы")
        ordering = ["-date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "number", "date"],
                condition=~Q(number=""),
                name="legal_act_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(number="") & Q(date__isnull=False)),
                name="legal_act_signed_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        parts = [self.get_kind_display()]
        if self.date:
            parts.append(_("от %(date)s") % {"date": self.date.strftime("%d.%m.%Y")})
        if self.number:
            parts.append(act_number(self.number))
        return " ".join(str(part) for part in parts)

    @classmethod
    def kind_in(cls, kind: str, case: str) -> str:
        """A kind's word in a case, as the documents write it: `genitive` («настоящего
        приказа»), `dative` («к приказу»), `instrumental` («утверждена приказом»)."""
        return str(_KIND_CASES[cls.Kind(kind)][case])

    @property
    def kind_dative(self) -> str:
        """The kind as it stands in an appendix mark: «к приказу», «к распоряжению»."""
        return self.kind_in(self.kind, "dative")


_KIND_CASES = {
    LegalAct.Kind.ORDER: {
        "genitive": _("приказа"),
        "dative": _("приказу"),
        "instrumental": _("приказом"),
    },
    LegalAct.Kind.DISPOSITION: {
        "genitive": _("распоряжения"),
        "dative": _("распоряжению"),
        "instrumental": _("распоряжением"),
    },
    LegalAct.Kind.RESOLUTION: {
        "genitive": _("постановления"),
        "dative": _("постановлению"),
        "instrumental": _("постановлением"),
    },
}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Roadmap(models.Model):
    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("Муниципальная")
        SCHOOL = "school", _("Школьная")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Проект")
        APPROVED = "approved", _("Утверждена")
        ARCHIVED = "archived", _("В архиве")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.PROTECT,
        related_name="roadmaps",
    )
    title = models.TextField(_("название"))
    starts_on = models.DateField(_("начало периода"))
    ends_on = models.DateField(_("окончание периода"))
    goal = models.TextField(_("цель"), blank=True)
    tasks = models.TextField(_("задачи"), blank=True)
    expected_results = models.TextField(_("ожидаемые результаты"), blank=True)
    legal_basis = models.TextField(_("основания для разработки"), blank=True)
    developers = models.TextField(_("разработчики"), blank=True)
    control = models.TextField(_("контроль исполнения"), blank=True)
    level = models.CharField(
        _("уровень"), max_length=20, choices=Level.choices, default=Level.MUNICIPAL
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("школа"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadmaps",
        help_text=_("Только для дорожной карты школы"),
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    approved_by = models.ForeignKey(
        LegalAct,
        verbose_name=_("утверждена документом"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_roadmaps",
    )
    appendix_number = models.CharField(_("номер приложения"), max_length=20, blank=True)
    amended_by = models.ManyToManyField(
        LegalAct,
        verbose_name=_("изменена документами"),
        blank=True,
        related_name="amended_roadmaps",
    )
    version = models.PositiveIntegerField(
        _("версия"),
        default=1,
        db_default=1,  # rows written by COPY (the scale data) too
        help_text=_("Растёт при каждом изменении; форма, открытая на старой версии, не сохранится"),
    )
    # a draft of changes («Внести изменения») to the approved roadmap in force: edited like any
    # draft, never reported on; the order that approves it writes it onto `amends`
    # (measures.editions) and it is gone
    amends = models.ForeignKey(
        "self",
        verbose_name=_("проект изменений к"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
    )

    class Meta:
        verbose_name = _("дорожная карта")
        verbose_name_plural = _("дорожные карты")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="roadmap_period_order"
            ),
            models.CheckConstraint(
                condition=(Q(level="school") & Q(school__isnull=False))
                | (Q(level="municipal") & Q(school__isnull=True)),
                name="roadmap_level_matches_school",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False),
                name="roadmap_approved_has_act",
            ),
            models.UniqueConstraint(
                fields=["municipality", "title", "starts_on", "ends_on"],
                condition=Q(amends__isnull=True),
                name="roadmap_unique_title_period",
            ),
            models.UniqueConstraint(
                fields=["amends"],
                condition=Q(amends__isnull=False),
                name="roadmap_one_open_amendment",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | Q(status="draft"),
                name="roadmap_amendment_is_draft",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_display(self) -> str:
        if self.starts_on.year == self.ends_on.year:
            return _("%(year)s год") % {"year": self.starts_on.year}
        return _("%(start)s–%(end)s годы") % {
            "start": self.starts_on.year,
            "end": self.ends_on.year,
        }


class RoadmapEdition(models.Model):
    """A roadmap as an order approved it (редакция): its first approval or an amendment. The
    content is kept as it was approved (`measures.editions.snapshot`), so that every approved
    version stays readable and comparable whatever is changed later."""

    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("дорожная карта"),
        on_delete=models.CASCADE,
        related_name="editions",
    )
    number = models.PositiveSmallIntegerField(_("номер редакции"))
    act = models.ForeignKey(
        LegalAct,
        verbose_name=_("утверждена документом"),
        on_delete=models.PROTECT,
        related_name="editions",
    )
    content = models.JSONField(_("содержание"), default=dict)
    approved_at = models.DateTimeField(_("записана"), auto_now_add=True)

    class Meta:
        verbose_name = _("редакция дорожной карты")
        verbose_name_plural = _("редакции дорожных карт")
        ordering = ["roadmap", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "number"], name="roadmap_edition_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return _("Редакция %(number)s: %(act)s") % {"number": self.number, "act": self.act}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ActAppendix(models.Model):
    """One appendix of an order, numbered by its place (Приложение 1, 2 …): a roadmap's table,
    the composition of the working group, the designated schools, the mentor pairings, or the
    partnership agreement form."""

    class Kind(models.TextChoices):
        ROADMAP = "roadmap", _("Дорожная карта")
        WORKING_GROUP = "working_group", _("Состав рабочей группы")
        SCHOOLS = "schools", _("Перечень школ")
        PAIRINGS = "pairings", _("Наставнические пары")
        AGREEMENT_FORM = "agreement_form", _("Форма соглашения о партнёрстве")

    class Mark(models.TextChoices):
        APPENDIX = "appendix", _("«Приложение N к приказу …»")
        STAMP = "stamp", _("«УТВЕРЖДЕНА приказом …»")

    act = models.ForeignKey(
        LegalAct,
        verbose_name=_("документ"),
        on_delete=models.CASCADE,
        related_name="appendices",
    )
    position = models.PositiveSmallIntegerField(_("номер приложения"))
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("дорожная карта"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appendices",
    )
    working_group = models.ForeignKey(
        "schools.WorkingGroup",
        verbose_name=_("рабочая группа"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appendices",
    )
    year = models.PositiveSmallIntegerField(
        _("год"), null=True, blank=True, help_text=_("Для перечня школ и наставнических пар")
    )
    title = models.TextField(_("заголовок"), blank=True)
    mark = models.CharField(
        _("отметка"), max_length=20, choices=Mark.choices, default=Mark.APPENDIX
    )
    # the printed data of a list appendix (working group, schools, pairings, agreement form),
    # frozen when the order is signed (printing.freeze_appendices): the signed document never
    # changes; a roadmap appendix is frozen in its RoadmapEdition instead
    content = models.JSONField(_("содержание при подписании"), default=dict, blank=True)

    class Meta:
        verbose_name = _("приложение")
        verbose_name_plural = _("приложения")
        ordering = ["act", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["act", "position"],
                name="appendix_unique_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=~Q(kind="roadmap") | Q(roadmap__isnull=False),
                name="appendix_roadmap_has_roadmap",
            ),
            models.CheckConstraint(
                condition=~Q(kind="working_group") | Q(working_group__isnull=False),
                name="appendix_group_has_group",
            ),
        ]

    def __str__(self) -> str:
        return _("Приложение %(number)s: %(kind)s") % {
            "number": self.position,
            "kind": self.get_kind_display(),
        }


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Section(models.Model):
    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("дорожная карта"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    position = models.PositiveSmallIntegerField(_("порядок"))
    number = models.CharField(_("номер"), max_length=20, blank=True)
    number_typed = models.BooleanField(
        _("номер введён вручную"),
        default=True,
        db_default=True,  # rows written by COPY (the scale data) too
        help_text=_("Введённый (или импортированный) номер не пересчитывается при перестановках"),
    )
    title = models.TextField(_("название"))
    # in an amendment draft: the section of the roadmap in force it was copied from
    source = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # grows on a person's change of the title or the number, not on the automatic renumbering
    # and moves (`measures.editing._write`): those do not make an open edit form stale
    version = models.PositiveIntegerField(
        _("версия"),
        default=1,
        db_default=1,  # rows written by COPY (the scale data) too
        help_text=_(
            "Растёт при каждом изменении названия или номера; форма, открытая на старой "
            "версии, не сохранится"
        ),
    )

    class Meta:
        verbose_name = _("раздел")
        verbose_name_plural = _("разделы")
        ordering = ["roadmap", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "position"],
                name="section_unique_position",
                # checked at commit: the editor reorders rows in a few UPDATEs
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class MeasureQuerySet(models.QuerySet):
    def with_deadline(self) -> "MeasureQuerySet":
        """Each measure with its current due dates (`Measure.deadline` reads them): a list
        reads every reading in its own query, with no query per measure."""
        return self.annotate(
            current_due_dates=ArraySubquery(
                Occurrence.objects.filter(
                    measure=OuterRef("pk"), kind=Occurrence.Kind.DUE, retired=False
                )
                .order_by("due_on")
                .values("due_on")
            )
        )


# The fields of a measure's reading of its deadline (`deadline_<name>` on Measure, `<name>` on
# Deadline), beside the text it is read from and its due dates (the measure's occurrences).
DEADLINE_FIELDS = (
    "kind", "start", "end", "recurrence", "external_body", "needs_review", "note",
)  # fmt: skip


def deadline_of(row: Any, due_dates: list) -> Deadline:
    """The reading kept on a measure (or on its history event: the same field names)."""
    return Deadline(
        text=row.deadline_text,
        due_dates=due_dates,
        **{name: getattr(row, f"deadline_{name}") for name in DEADLINE_FIELDS},
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Measure(models.Model):
    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("дорожная карта"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("раздел"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measures",
    )
    position = models.PositiveIntegerField(_("порядок"))
    number = models.CharField(_("номер, как записан"), max_length=20, blank=True)
    number_typed = models.BooleanField(
        _("номер введён вручную"),
        default=True,
        db_default=True,  # rows written by COPY (the scale data) too
        help_text=_("Введённый (или импортированный) номер не пересчитывается при перестановках"),
    )
    title = models.TextField(_("наименование мероприятия"))
    owners_text = models.TextField(_("ответственные исполнители, как записаны"), blank=True)
    owners = models.ManyToManyField(
        Person, verbose_name=_("ответственные сотрудники"), blank=True, related_name="measures"
    )
    owner_organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("ответственные организации"),
        blank=True,
        related_name="measures",
    )
    deadline_text = models.CharField(
        _("сроки реализации, как записаны"), max_length=500, blank=True
    )
    deadline_kind = models.CharField(
        _("вид срока"), max_length=20, choices=Kind.choices, default=Kind.UNKNOWN
    )
    deadline_start = models.DateField(_("срок: начало"), null=True, blank=True)
    deadline_end = models.DateField(_("срок: окончание"), null=True, blank=True)
    deadline_recurrence = models.CharField(
        _("периодичность"), max_length=50, choices=Recurrence.choices, blank=True
    )
    deadline_external_body = models.CharField(_("по графику органа"), max_length=300, blank=True)
    deadline_needs_review = models.BooleanField(_("срок требует проверки"), default=False)
    deadline_note = models.TextField(_("пояснение к сроку"), blank=True)
    deadline_corrected = models.BooleanField(
        _("срок исправлен вручную"),
        default=False,
        help_text=_("Исправленная вручную структура срока не пересчитывается из текста"),
    )
    planned_result = models.TextField(_("планируемый результат"), blank=True)
    # in an amendment draft: the measure of the roadmap in force it was copied from (its
    # reports stay on that measure, which the approving order rewrites)
    source = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    all_designated_schools = models.BooleanField(
        _("касается всех школ дорожной карты"), default=True
    )
    schools = models.ManyToManyField(
        School, verbose_name=_("касается школ"), blank=True, related_name="measures"
    )
    version = models.PositiveIntegerField(
        _("версия"),
        default=1,
        help_text=_(
            "Растёт при каждом сохранении; форма, открытая на старой версии, не сохранится"
        ),
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("мероприятие")
        verbose_name_plural = _("мероприятия")
        ordering = ["roadmap", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "position"],
                name="measure_unique_position",
                # checked at commit: the editor reorders rows in a few UPDATEs
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(deadline_start__isnull=True)
                | Q(deadline_end__isnull=True)
                | Q(deadline_end__gte=F("deadline_start")),
                name="measure_deadline_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def deadline(self) -> Deadline:
        """The reading of the deadline text, as the engine gives it (or as corrected): the
        one way to read it. Its due dates are the measure's current «due» occurrences (one
        query; none in a list read `with_deadline()`, or with the occurrences prefetched), or
        those of a reading set and not yet saved."""
        if self._pending_due_dates is not None:
            due_dates = list(self._pending_due_dates)
        elif "current_due_dates" in self.__dict__:  # MeasureQuerySet.with_deadline()
            due_dates = list(self.current_due_dates)
        elif self.pk is None:
            due_dates = []
        else:
            due_dates = sorted(
                o.due_on
                for o in self.occurrences.all()
                if o.kind == Occurrence.Kind.DUE and not o.retired
            )
        return deadline_of(self, due_dates)

    def set_deadline(self, reading: Deadline, *, corrected: bool = False) -> None:
        """Put a reading of the deadline on the measure (not saved): the one way to set it.

        Its due dates become the measure's occurrences when a service saves it
        (`services.sync_occurrences`). `corrected`: a person's reading, which later edits of
        the text keep (`services.measure_save` does not read the text again)."""
        for name in DEADLINE_FIELDS:
            setattr(self, f"deadline_{name}", getattr(reading, name))
        self.deadline_external_body = self.deadline_external_body[:300]
        self.deadline_corrected = corrected
        self._pending_due_dates = sorted(set(reading.due_dates))

    _pending_due_dates: list | None = None

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        self._pending_due_dates = None  # read the due dates from the occurrences again
        super().refresh_from_db(*args, **kwargs)

    @property
    def deadline_summary(self) -> str:
        return self.deadline.summary()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Occurrence(models.Model):
    """One due date of a measure: a monthly webinar has twelve a year.

    A measure whose deadline gives no control dates (постоянно, по мере необходимости, по
    графику другого органа) has instead one occurrence at the end of each quarter of the
    roadmap's period: the schools leave a status note there (`Kind.QUARTER`), which the working
    group reviews like a report but which does not count in progress."""

    class Kind(models.TextChoices):
        DUE = "due", _("Контрольный срок")
        QUARTER = "quarter", _("Отметка за квартал")

    measure = models.ForeignKey(
        Measure,
        verbose_name=_("мероприятие"),
        on_delete=models.CASCADE,
        related_name="occurrences",
    )
    due_on = models.DateField(_("контрольная дата"))
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices, default=Kind.DUE)
    retired = models.BooleanField(
        _("больше не в сроке"),
        default=False,
        help_text=_(
            "Дата ушла из прочтения срока, но по ней есть отчёты школ: она хранится ради них и "
            "не считается текущим контрольным сроком мероприятия"
        ),
    )

    class Meta:
        verbose_name = _("контрольный срок")
        verbose_name_plural = _("контрольные сроки")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "due_on"], name="occurrence_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.number} — {self.due_on:%d.%m.%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Report(models.Model):
    """A school's report on one occurrence of a measure.

    `status` is where the report is in review; `outcome` is what the school says about the
    measure. `due_on` is this school's control date: the occurrence's, moved when the working
    group accepts a postponement."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        SUBMITTED = "submitted", _("На проверке")
        ACCEPTED = "accepted", _("Принят")
        RETURNED = "returned", _("Возвращён на доработку")

    class Outcome(models.TextChoices):
        NOT_STARTED = "not_started", _("Не начато")
        IN_PROGRESS = "in_progress", _("В работе")
        DONE = "done", _("Выполнено")
        PARTLY = "partly", _("Выполнено частично")
        NOT_DONE = "not_done", _("Не выполнено")
        POSTPONED = "postponed", _("Перенесено")

    class Decision(models.TextChoices):
        NONE = "", _("—")
        PENDING = "pending", _("Ожидает решения")
        ACCEPTED = "accepted", _("Новый срок принят")
        REFUSED = "refused", _("Новый срок не принят")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    occurrence = models.ForeignKey(
        Occurrence,
        verbose_name=_("контрольный срок"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    outcome = models.CharField(
        _("ход выполнения"), max_length=20, choices=Outcome.choices, default=Outcome.NOT_STARTED
    )
    due_on = models.DateField(_("контрольная дата школы"))
    done_text = models.TextField(_("что сделано (фактический результат)"), blank=True)
    postponed_to = models.DateField(_("перенести на"), null=True, blank=True)
    postpone_reason = models.TextField(_("причина переноса"), blank=True)
    postpone_decision = models.CharField(
        _("решение о переносе"), max_length=20, choices=Decision.choices, default="", blank=True
    )
    on_behalf = models.BooleanField(_("заполнен координатором за школу"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("отправил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("отправлен"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(
        _("впервые отправлен"),
        null=True,
        blank=True,
        help_text=_(
            "Первая отправка на проверку (после возврата не меняется): по ней судят, выполнено ли "
            "в срок; сбрасывается, когда рабочая группа решает о переносе срока"
        ),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("проверил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("проверен"), null=True, blank=True)
    review_comment = models.TextField(_("комментарий проверяющего"), blank=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)
    version = models.PositiveIntegerField(
        _("версия"),
        default=1,
        help_text=_(
            "Растёт при каждом сохранении; форма, открытая на старой версии, не сохранится"
        ),
    )

    class Meta:
        verbose_name = _("отчёт школы")
        verbose_name_plural = _("отчёты школ")
        ordering = ["due_on", "school__short_name"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="report_queue"),
            models.Index(fields=["school", "status"], name="report_school_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "school"], name="report_unique_school"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="report_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "returned"]) | Q(reviewed_at__isnull=False),
                name="report_reviewed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""),
                name="report_returned_has_comment",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="postponed")
                | Q(status="draft")
                | (Q(postponed_to__isnull=False) & ~Q(postpone_reason="")),
                name="report_postponed_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.occurrence}"

    def save(self, *args, **kwargs) -> None:
        if self.due_on is None:  # a new report: the school's date is the occurrence's
            self.due_on = self.occurrence.due_on
        super().save(*args, **kwargs)

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def acceptable(self) -> bool:
        """Whether the working group may accept it as final: a result on a control date
        (done, partly, not done), or any status note of a quarter."""
        return self.occurrence.kind == Occurrence.Kind.QUARTER or self.outcome in (
            self.Outcome.DONE,
            self.Outcome.PARTLY,
            self.Outcome.NOT_DONE,
        )


class ReportStep(models.Model):
    """One step of a report's way: saved, submitted, returned, accepted, a postponement decided.

    What the people involved read as the report's history: who, when, what changed (field
    labels with the old and new values), the reviewer's comment."""

    class Action(models.TextChoices):
        SAVED = "saved", _("Сохранён черновик")
        SUBMITTED = "submitted", _("Отправлен на проверку")
        RETURNED = "returned", _("Возвращён на доработку")
        ACCEPTED = "accepted", _("Принят")
        POSTPONE_ACCEPTED = "postpone_accepted", _("Перенос срока принят")
        POSTPONE_REFUSED = "postpone_refused", _("Перенос срока не принят")

    report = models.ForeignKey(
        Report, verbose_name=_("отчёт"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("действие"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    on_behalf = models.BooleanField(_("за школу"), default=False)
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    changes = models.JSONField(_("что изменилось"), default=list, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    mailed_at = models.DateTimeField(_("письмо отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("шаг отчёта")
        verbose_name_plural = _("шаги отчёта")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.get_action_display()}"


class ControlPair(models.Model):
    """A control date and a school it concerns, with that school's report if there is one.

    A database view (migration 0009): the unit in which progress is counted and reminders are
    sent. The schools concerned are those of `measures_concerning`: the school of a school's
    roadmap; for a municipal roadmap, every school of the municipality designated in a year of
    the roadmap's period (measures for all designated schools) or the schools the measure names.
    Those (measure, school) pairs are the view `measures_concern`, which this one joins to the
    control dates and the reports (`progress.roadmap_progress` reads it directly).
    """

    pk = models.CompositePrimaryKey("occurrence_id", "school_id")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.DO_NOTHING, related_name="+")
    school = models.ForeignKey(School, on_delete=models.DO_NOTHING, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.DO_NOTHING, related_name="+")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.DO_NOTHING, related_name="+")
    section = models.ForeignKey(Section, on_delete=models.DO_NOTHING, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Occurrence.Kind.choices)
    planned_on = models.DateField()
    due_on = models.DateField()
    report = models.ForeignKey(Report, on_delete=models.DO_NOTHING, null=True, related_name="+")
    # "" when the school has no report yet
    report_status = models.CharField(max_length=20, choices=Report.Status.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=Report.Outcome.choices, blank=True)
    # the submission that decides «в срок»: the first of the report's cycle (a return for a fix
    # does not make an on-time report late), else the last
    submitted_at = models.DateTimeField(null=True)

    class Meta:
        managed = False
        db_table = "measures_controlpair"

    def __str__(self) -> str:
        return f"{self.occurrence_id}/{self.school_id}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    """A stored name that says nothing and cannot clash; the person's name is `original_name`."""
    import uuid

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.report_id}/{uuid.uuid4().hex}.{extension}"


def evidence_storage():
    from django.core.files.storage import storages

    return storages["evidence"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Evidence(models.Model):
    report = models.ForeignKey(
        Report, verbose_name=_("отчёт"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(
        _("файл"),
        upload_to=evidence_upload_to,
        storage=evidence_storage,
        blank=True,
        max_length=300,
    )
    original_name = models.CharField(_("имя файла"), max_length=255, blank=True)
    content_type = models.CharField(_("тип файла"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("размер"), default=0)
    link = models.URLField(_("ссылка"), blank=True, max_length=1000)
    description = models.CharField(_("описание"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("подтверждающий документ")
        verbose_name_plural = _("подтверждающие документы")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(link=""), name="evidence_has_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.original_name or self.file.name or self.link


class RoadmapImport(models.Model):
    """One uploaded file: its parsed preview, its problems, and the roadmap it became.

    The upload is kept on the row (`data`, at most MAX_FILE_SIZE) until the roadmap is made:
    reading and confirming run in Celery tasks (measures/tasks.py) that move `status` on.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        READING = "reading", _("Файл читается")
        PREVIEW = "preview", _("Предпросмотр")
        REFUSED = "refused", _("Отклонён")
        IMPORTING = "importing", _("Импорт выполняется")
        DONE = "done", _("Импортирован")
        FAILED = "failed", _("Ошибка")

    WORKING = (Status.QUEUED, Status.READING, Status.IMPORTING)

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        related_name="roadmap_imports",
    )
    file_name = models.CharField(_("файл"), max_length=300)
    sha256 = models.CharField(_("контрольная сумма"), max_length=64)
    starts_on = models.DateField(_("начало периода"))
    ends_on = models.DateField(_("окончание периода"))
    title = models.TextField(_("название"), blank=True)
    data = models.BinaryField(_("содержимое файла"), blank=True, default=b"", editable=False)
    parsed = models.JSONField(_("разобранная структура"), default=dict)
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PREVIEW
    )
    error = models.TextField(_("ошибка"), blank=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)
    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("дорожная карта"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("подтвердил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("импорт дорожной карты")
        verbose_name_plural = _("импорты дорожных карт")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "sha256"],
                condition=models.Q(status="done"),
                name="import_file_once_per_municipality",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="import_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


# --- Deadline reminders (measures.reminders) ---------------------------------------------------

REMINDER_OFFSETS = (14, 7, 3, 1, 0)  # days before the control date a reminder may come
DEFAULT_REMINDER_OFFSETS = (7, 1)
DEFAULT_OVERDUE_EVERY = 3
DEFAULT_REMINDER_HOUR = 9


def default_reminder_offsets() -> list[int]:
    return list(DEFAULT_REMINDER_OFFSETS)


class ReminderSettings(models.Model):
    """A person's choice about reminders; a user without a row has the defaults
    (`reminders.settings_of`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="reminder_settings",
    )
    offsets = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("за сколько дней до срока напоминать"),
        default=default_reminder_offsets,
        blank=True,
    )
    overdue_every = models.PositiveSmallIntegerField(
        _("после срока напоминать каждые, дней"), default=DEFAULT_OVERDUE_EVERY
    )
    hour = models.PositiveSmallIntegerField(
        _("час отправки (московское время)"), default=DEFAULT_REMINDER_HOUR
    )
    paused_until = models.DateField(_("не присылать до"), null=True, blank=True)
    digest_enabled = models.BooleanField(_("ежедневная сводка о сроках"), default=True)
    weekly_enabled = models.BooleanField(_("еженедельная сводка по муниципалитету"), default=True)
    weekly_substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("еженедельную сводку получает вместо меня"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # the address a mail server refused for good: nothing more is sent to it until it changes
    bounced_address = models.EmailField(_("отклонённый адрес"), blank=True)
    bounced_reason = models.TextField(_("почему отклонён"), blank=True)
    updated_at = models.DateTimeField(_("изменены"), auto_now=True)

    class Meta:
        verbose_name = _("настройки напоминаний")
        verbose_name_plural = _("настройки напоминаний")
        constraints = [
            models.CheckConstraint(
                condition=Q(hour__gte=0, hour__lte=23), name="reminder_hour_range"
            ),
            models.CheckConstraint(
                condition=Q(overdue_every__gte=1, overdue_every__lte=30),
                name="reminder_overdue_every_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class ReminderLetter(models.Model):
    """One letter to one person: the day's digest of their reminders, or the week's summary of
    a municipality. Unique per person, kind and day: the lock that makes a letter go once."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Сводка о сроках")
        WEEKLY = "weekly", _("Еженедельная сводка")

    class Status(models.TextChoices):
        SENDING = "sending", _("Отправляется")
        SENT = "sent", _("Отправлено")
        FAILED = "failed", _("Не отправлено")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("получатель"),
        on_delete=models.CASCADE,
        related_name="reminder_letters",
    )
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices)
    day = models.DateField(_("день"))  # the digest's day; the Monday of the summary's week
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    reason = models.TextField(_("причина"), blank=True)
    address = models.CharField(_("адрес"), max_length=254, blank=True)
    subject = models.CharField(_("тема"), max_length=300, blank=True)
    body = models.TextField(_("текст письма"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    attempted_at = models.DateTimeField(_("последняя попытка"), null=True, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("письмо-напоминание")
        verbose_name_plural = _("письма-напоминания")
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "day", "municipality"],
                name="reminder_letter_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} {self.day:%d.%m.%Y}"


class Reminder(models.Model):
    """A reminder to one person about one control date of one school: the unit that is sent
    exactly once. The scan inserts it (`INSERT … ON CONFLICT DO NOTHING` on the unique key); the
    day's digest of its person sends it and marks it sent in the same transaction."""

    class Kind(models.TextChoices):
        SOON = "soon", _("Срок приближается")
        TODAY = "today", _("Срок сегодня")
        OVERDUE = "overdue", _("Срок прошёл")

    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        SENT = "sent", _("Отправлено")
        FAILED = "failed", _("Не отправлено")
        SUPPRESSED = "suppressed", _("Не отправляется")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("получатель"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    occurrence = models.ForeignKey(
        Occurrence,
        verbose_name=_("контрольный срок"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices)
    remind_on = models.DateField(_("день напоминания"))
    due_on = models.DateField(_("контрольная дата школы"))
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("статус"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.TextField(_("причина"), blank=True)
    letter = models.ForeignKey(
        ReminderLetter,
        verbose_name=_("письмо"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("напоминание")
        verbose_name_plural = _("напоминания")
        ordering = ["-remind_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "occurrence", "school", "kind", "remind_on"],
                name="reminder_once",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status", "remind_on"], name="reminder_due"),
            models.Index(fields=["municipality", "-remind_on"], name="reminder_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.occurrence_id}/{self.school_id} {self.remind_on:%d.%m.%Y}"


class ReminderScan(models.Model):
    """One run of the scan (by beat, or `send_reminders` by hand): the health of the worker
    and beat as the admin sees it, and the record of what each run did."""

    class Trigger(models.TextChoices):
        BEAT = "beat", _("По расписанию")
        COMMAND = "command", _("Вручную (send_reminders)")

    trigger = models.CharField(_("запуск"), max_length=10, choices=Trigger.choices)
    moment = models.DateTimeField(_("момент проверки"))
    started_at = models.DateTimeField(_("начата"), auto_now_add=True)
    finished_at = models.DateTimeField(_("закончена"), null=True, blank=True)
    pairs = models.PositiveIntegerField(_("пар в проверке"), default=0)
    created = models.PositiveIntegerField(_("новых напоминаний"), default=0)
    digests = models.PositiveIntegerField(_("поставлено писем"), default=0)
    weekly = models.PositiveIntegerField(_("поставлено еженедельных сводок"), default=0)

    class Meta:
        verbose_name = _("проверка сроков")
        verbose_name_plural = _("проверки сроков")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.moment:%d.%m.%Y %H:%M}"
