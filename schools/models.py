import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from roadmap_portal.text import act_number


class Region(models.Model):
    name = models.CharField(_("название"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A municipal district or city district: the tenant of everything else."""

    region = models.ForeignKey(
        Region, verbose_name=_("регион"), on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField(_("название"), max_length=300)

    class Meta:
        verbose_name = _("муниципалитет")
        verbose_name_plural = _("муниципалитеты")
        ordering = ["name"]
        permissions = [
            ("coordinate_municipality", _("Координирует муниципалитет")),
            ("review_reports", _("Проверяет отчёты школ")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name"),
        ]
        # the roadmap list is ordered by municipality name: read in this order, the first page
        # needs the first few municipalities, not a sort of every roadmap of the country
        indexes = [models.Index(fields=["name", "id"], name="municipality_name_order")]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("Орган управления образованием")
        ADMINISTRATION = "administration", _("Администрация муниципального образования")
        METHODOLOGICAL_CENTRE = "methodological_centre", _("Методический центр")
        REGIONAL_BODY = "regional_body", _("Региональный орган или учреждение")
        FEDERAL_BODY = "federal_body", _("Федеральный орган или учреждение")
        OTHER = "other", _("Другая организация")

    kind = models.CharField(_("вид"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("полное название"), max_length=500)
    short_name = models.CharField(_("краткое название"), max_length=200, blank=True)
    name_genitive = models.CharField(
        _("название в родительном падеже"),
        max_length=500,
        blank=True,
        help_text=_(
            "Для отметки «Приложение к приказу …»: «администрации муниципального образования …»"
        ),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("регион"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="organisation_unique_name",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(kind="federal_body") | Q(municipality__isnull=True),
                name="organisation_federal_has_no_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def genitive(self) -> str:
        return self.name_genitive or self.name


class School(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    name = models.CharField(_("полное название"), max_length=500)
    short_name = models.CharField(_("краткое название"), max_length=200)
    code = models.CharField(
        _("код ОО"),
        max_length=50,
        blank=True,
        default="",
        db_default="",  # rows written without it (the scale data's COPY) have none
        help_text=_(
            "Код образовательной организации, под которым её результаты приходят в таблицах "
            "ВПР, ОГЭ и ЕГЭ (например, код ФИС ОКО или РЦОИ)"
        ),
    )
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    director = models.ForeignKey(
        "Person",
        verbose_name=_("руководитель"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directed_schools",
    )

    class Meta:
        verbose_name = _("школа")
        verbose_name_plural = _("школы")
        ordering = ["short_name"]
        permissions = [("report_for_school", _("Отчитывается за школу"))]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "short_name"], name="school_unique_name"
            ),
            models.UniqueConstraint(
                fields=["municipality", "code"],
                condition=~models.Q(code=""),
                name="school_unique_code",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


DESIGNATION_SHORT = {
    "low_results": _("ШНОР"),
    "unfavourable_context": _("ШНСУ"),
    "risk_zone": _("зона риска"),
    "unobjective_results": _("необъективность"),
    "resilient": _("резильентная"),
    "mentor": _("наставник"),
}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SchoolDesignation(models.Model):
    """A school named in a given year as one of the kinds that need (or give) help."""

    class Kind(models.TextChoices):
        LOW_RESULTS = "low_results", _("ШНОР — школа с низкими образовательными результатами")
        UNFAVOURABLE_CONTEXT = (
            "unfavourable_context",
            _("ШНСУ — школа, функционирующая в неблагоприятных социальных условиях"),
        )
        RISK_ZONE = "risk_zone", _("Школа в зоне риска по низким образовательным результатам")
        UNOBJECTIVE_RESULTS = (
            "unobjective_results",
            _("Школа с признаками необъективности результатов"),
        )
        RESILIENT = "resilient", _("Резильентная школа")
        MENTOR = "mentor", _("Школа-наставник")

    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="designations"
    )
    kind = models.CharField(_("категория"), max_length=30, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("год"))
    basis = models.TextField(
        _("основание"), help_text=_("Приказ или перечень, которым школа отнесена к категории")
    )
    basis_act = models.ForeignKey(
        "measures.LegalAct",
        verbose_name=_("документ-основание"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="designations",
    )
    ended_on = models.DateField(
        _("снята с категории"),
        null=True,
        blank=True,
        help_text=_(
            "С этой даты школа больше не в категории; дорожные карты, начатые позже, её не касаются"
        ),
    )
    # a database default too: the scale generator and other bulk loads COPY rows without it
    end_reason = models.TextField(_("причина снятия"), blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("отнесение школы к категории")
        verbose_name_plural = _("отнесения школ к категориям")
        ordering = ["-year", "school__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "year"], name="designation_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="designation_year_range"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                name="designation_ended_with_reason",
                violation_error_message=_("Укажите причину снятия школы с категории."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.get_kind_display()} ({self.year})"

    @property
    def kind_short(self) -> str:
        """The category as lists name it in a table cell: «ШНОР», «зона риска»."""
        return str(DESIGNATION_SHORT.get(self.kind, self.get_kind_display()))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MentorPairing(models.Model):
    mentor = models.ForeignKey(
        School,
        verbose_name=_("школа-наставник"),
        on_delete=models.CASCADE,
        related_name="mentoring",
    )
    supported = models.ForeignKey(
        School,
        verbose_name=_("поддерживаемая школа"),
        on_delete=models.CASCADE,
        related_name="mentored_by",
    )
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    version = models.PositiveIntegerField(
        _("версия"),
        default=1,
        db_default=1,  # rows written by COPY (the scale data) too
        help_text=_("Растёт при каждом изменении; форма, открытая на старой версии, не сохранится"),
    )

    class Meta:
        verbose_name = _("пара «наставник — школа»")
        verbose_name_plural = _("пары «наставник — школа»")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "supported", "starts_on"], name="pairing_unique"
            ),
            models.CheckConstraint(condition=~Q(mentor=F("supported")), name="pairing_not_self"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="pairing_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.supported}"


class PartnershipAgreement(models.Model):
    """Партнёрское соглашение between a mentor school and a supported school."""

    pairing = models.OneToOneField(
        MentorPairing, verbose_name=_("пара"), on_delete=models.CASCADE, related_name="agreement"
    )
    number = models.CharField(_("номер"), max_length=50, blank=True)
    signed_on = models.DateField(_("дата подписания"))
    starts_on = models.DateField(_("действует с"))
    ends_on = models.DateField(_("действует по"))
    term_text = models.CharField(_("срок, как записан"), max_length=100, blank=True)
    mentor_director = models.ForeignKey(
        "Person",
        verbose_name=_("руководитель школы-наставника"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supported_director = models.ForeignKey(
        "Person",
        verbose_name=_("руководитель поддерживаемой школы"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("партнерское соглашение")
        verbose_name_plural = _("партнерские соглашения")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_period_order"
            ),
        ]

    def __str__(self) -> str:
        return _("Соглашение %(number)s от %(date)s") % {
            "number": act_number(self.number) or "б/н",
            "date": self.signed_on.strftime("%d.%m.%Y"),
        }


class AgreementItem(models.Model):
    agreement = models.ForeignKey(
        PartnershipAgreement,
        verbose_name=_("соглашение"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    position = models.PositiveSmallIntegerField(_("порядок"))
    text = models.TextField(_("предмет соглашения"))

    class Meta:
        verbose_name = _("пункт соглашения")
        verbose_name_plural = _("пункты соглашения")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="agreement_item_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Person(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    full_name = models.CharField(_("ФИО"), max_length=300, blank=True)
    short_name = models.CharField(
        _("фамилия и инициалы"), max_length=100, help_text=_("Как в документах: «Бозиев А.Т.»")
    )
    position = models.CharField(_("должность"), max_length=500, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("школа"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    email = models.EmailField(_("электронная почта"), blank=True)
    phone = models.CharField(_("телефон"), max_length=50, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    class Meta:
        verbose_name = _("сотрудник")
        verbose_name_plural = _("сотрудники")
        ordering = ["short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "short_name"], name="person_unique_short_name"
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(school__isnull=True),
                name="person_one_workplace",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class WorkingGroup(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.PROTECT,
        related_name="working_groups",
    )
    title = models.CharField(_("название"), max_length=500)
    year = models.PositiveSmallIntegerField(_("год"))
    act = models.ForeignKey(
        "measures.LegalAct",
        verbose_name=_("утверждена приказом"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="working_groups",
    )
    members = models.ManyToManyField(
        Person,
        verbose_name=_("состав"),
        through="WorkingGroupMember",
        related_name="working_groups",
    )

    class Meta:
        verbose_name = _("рабочая группа")
        verbose_name_plural = _("рабочие группы")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="working_group_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class WorkingGroupMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Председатель")
        SECRETARY = "secretary", _("Секретарь")
        MEMBER = "member", _("Член рабочей группы")

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("рабочая группа"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("сотрудник"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    position = models.PositiveSmallIntegerField(_("порядок"))
    position_text = models.CharField(_("должность, как в составе"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("член рабочей группы")
        verbose_name_plural = _("члены рабочей группы")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="member_unique_person"),
            models.UniqueConstraint(fields=["group", "position"], name="member_unique_position"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="chair"), name="member_one_chair"
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="secretary"), name="member_one_secretary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Appointment(models.Model):
    """A person's role in the portal: what they may see and do, and where."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Муниципальный координатор")
        WORKING_GROUP = "working_group", _("Член рабочей группы")
        DIRECTOR = "director", _("Руководитель школы / школьный координатор")
        REGIONAL_VIEWER = "regional_viewer", _("Региональный наблюдатель")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="appointments",
    )
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("регион"), on_delete=models.CASCADE, null=True, blank=True
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appointments",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("школа"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appointments",
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("назначил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    appointed_at = models.DateTimeField(_("назначен"), auto_now_add=True)

    class Meta:
        verbose_name = _("назначение")
        verbose_name_plural = _("назначения")
        ordering = ["role", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=["coordinator", "working_group"])
                    & Q(municipality__isnull=False, school__isnull=True, region__isnull=True)
                )
                | (
                    Q(role="director")
                    & Q(school__isnull=False, municipality__isnull=True, region__isnull=True)
                )
                | (
                    Q(role="regional_viewer")
                    & Q(region__isnull=False, municipality__isnull=True, school__isnull=True)
                ),
                name="appointment_target_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region", "municipality", "school"],
                name="appointment_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}: {self.target}"

    @property
    def target(self) -> Region | Municipality | School:
        return self.municipality or self.school or self.region  # type: ignore[return-value]


class PermissionEvent(models.Model):
    """One object permission granted or revoked (rows of django-guardian's tables).

    Filled by database triggers on guardian's tables (migration schools 0004), so that grants
    made outside the appointment services are recorded too; append-only like the other events.
    """

    class Action(models.TextChoices):
        GRANT = "insert", _("Выдано")
        REVOKE = "delete", _("Отозвано")

    created_at = models.DateTimeField(_("когда"), auto_now_add=True)
    action = models.CharField(_("действие"), max_length=10, choices=Action.choices)
    user_id = models.IntegerField(_("пользователь"), null=True)
    group_id = models.IntegerField(_("группа"), null=True)
    permission_id = models.IntegerField(_("право"))
    content_type_id = models.IntegerField(_("тип объекта"))
    object_pk = models.CharField(_("объект"), max_length=255)
    context = models.ForeignKey(
        "pghistory.Context", on_delete=models.DO_NOTHING, db_constraint=False, null=True,
        verbose_name=_("контекст"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("изменение прав")
        verbose_name_plural = _("изменения прав")
        ordering = ["-created_at"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.permission_id} {self.object_pk}"
