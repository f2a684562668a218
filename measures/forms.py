from __future__ import annotations

import re
from datetime import date

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from measures.deadlines import Deadline, Kind, Recurrence, parse_deadline
from measures.importing import COLUMN_LABELS, FIELDS, MAX_FILE_SIZE, ColumnReading, period_problem
from measures.models import Measure, Report, Roadmap, Section
from measures.reporting import SCHOOL_FIELDS
from measures.selectors import designated_schools
from measures.services import roadmap_period
from roadmap_portal.forms import CleanTextMixin
from schools.models import Municipality, Organisation, Person, School
from schools.selectors import organisations_serving


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ImportForm(CleanTextMixin, forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Муниципалитет"), queryset=Municipality.objects.none(), empty_label=None
    )
    starts_on = forms.DateField(label=_("Начало периода"), widget=DateInput())
    ends_on = forms.DateField(label=_("Окончание периода"), widget=DateInput())
    title = forms.CharField(
        label=_("Название"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Оставьте пустым, чтобы взять название из файла."),
    )
    file = forms.FileField(
        label=_("Файл дорожной карты"),
        help_text=_(
            "DOCX (приложение к приказу), XLSX или CSV, до 10 МБ; старые DOC, RTF, ODT, XLS и ODS "
            "тоже читаются."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,.xlsx,.xlsm,.csv,.doc,.rtf,.odt,.xls,.ods"}
        ),
    )

    def __init__(self, *args: object, municipalities: QuerySet[Municipality], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        year = date.today().year
        self.fields["starts_on"].initial = date(year, 1, 1)
        self.fields["ends_on"].initial = date(year, 12, 31)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("Файл слишком большой: допускается до %(max)s МБ."),
                params={"max": MAX_FILE_SIZE // 1024 // 1024},
            )
        return upload

    def clean(self) -> dict:
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and (problem := period_problem(starts_on, ends_on)):
            self.add_error("ends_on", problem)
        return data


class ImportColumnsForm(forms.Form):
    """What each column of an imported table holds, as the coordinator chooses it in the
    preview: one select per column (`column_<n>`), initially what the import understood."""

    def __init__(self, *args: object, columns: list[ColumnReading], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("не используется"))] + [(name, COLUMN_LABELS[name]) for name in FIELDS]
        self.readings = columns
        for column in columns:
            self.fields[f"column_{column.index}"] = forms.ChoiceField(
                label=column.header or _("Столбец %(n)s без заголовка") % {"n": column.index + 1},
                choices=choices,
                required=False,
                initial=column.field,
            )

    def rows(self) -> list[tuple[ColumnReading, forms.BoundField]]:
        return [(column, self[f"column_{column.index}"]) for column in self.readings]

    def clean(self) -> dict:
        data = super().clean()
        chosen = [data.get(f"column_{c.index}") for c in self.readings]
        if not self.errors and "title" not in chosen:
            raise forms.ValidationError(
                _("Укажите столбец «Наименование мероприятия»: без него мероприятий нет.")
            )
        for name in ("number", "section"):
            if chosen.count(name) > 1:
                raise forms.ValidationError(
                    _("Поле «%(field)s» можно назначить только одному столбцу."),
                    params={"field": COLUMN_LABELS[name]},
                )
        return data

    def columns(self) -> dict[int, str]:
        return {c.index: self.cleaned_data.get(f"column_{c.index}") or "" for c in self.readings}


class VersionedForm(CleanTextMixin):
    """An edit form that carries the version of the row it was opened on (optimistic locking:
    `roadmap_portal.concurrency`). After a refused stale save, `over_version` gives the same
    typed values on the current version, so that saving again is a conscious choice."""

    def __init__(self, *args: object, version: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, min_value=1, initial=version,
            error_messages={"required": _("Форма устарела: откройте страницу заново.")},
        )  # fmt: skip

    def over_version(self, version: int, values: dict[str, str]) -> VersionedForm:
        """The same form on `version`, with `values` (the fields the user did not change,
        as the other person saved them) in place of what was posted."""
        data = self.data.copy()
        for name, value in values.items():
            data[self.add_prefix(name)] = value
        data[self.add_prefix("version")] = str(version)
        self.data = data
        self.cleaned_data = {}
        self._errors = None
        return self


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        place = obj.organisation or obj.school
        details = ", ".join(str(part) for part in (obj.position, place) if part)
        return f"{obj.short_name} — {details}" if details else obj.short_name


class OrganisationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.short_name} — {obj.name}" if obj.short_name else obj.name


class MeasureForm(VersionedForm, forms.ModelForm):
    """A measure's text as printed, its owners of the registry and the schools it concerns.

    The owners and schools are given to the service only when the form showed them
    (`links_shown`, a hidden field of `templates/measures/_measure_fields.html`): a post
    without them changes the text alone."""

    SCOPE_ALL, SCOPE_CHOSEN = "all", "chosen"

    links_shown = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)
    owners = PersonChoiceField(
        label=_("Сотрудники из реестра"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Отмеченный сотрудник добавляется в текст, снятый — убирается из него."),
    )
    owner_organisations = OrganisationChoiceField(
        label=_("Организации из реестра"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    schools_scope = forms.ChoiceField(
        label=_("Каких школ касается"), required=False, widget=forms.RadioSelect
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("Школы"),
        queryset=School.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "Школа не входит в дорожную карту: выберите из школ, назначенных на её период."
            ),
            "invalid_pk_value": _("Школа указана неверно: выберите её из списка."),
        },
    )

    class Meta:
        model = Measure
        fields = ["number", "title", "owners_text", "deadline_text", "planned_result"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 3}),
            "owners_text": forms.Textarea(attrs={"rows": 3}),
            "planned_result": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, instance: Measure, **kwargs: object) -> None:
        super().__init__(*args, instance=instance, version=instance.version, **kwargs)
        roadmap = instance.roadmap
        municipality = roadmap.municipality
        self.fields["owners_text"].label = _("Как печатается в приложении")
        self.fields["owners_text"].help_text = _(
            "Например, «Руководители ШНОР». Имя сотрудника или организации из реестра, "
            "набранное здесь, связывает их с мероприятием."
        )
        self.fields["deadline_text"].help_text = _(
            "Как в приложении: «Ежеквартально», «До 30.06.2024», «Март 2024 г.»."
        )
        if not instance.deadline_corrected:  # a correction is kept: no reading of the text
            field = self["deadline_text"]
            field.field.widget.attrs.update(
                {
                    "hx-get": reverse("measures:deadline_reading", args=[roadmap.pk]),
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": f"#{field.auto_id}-reading",
                    "hx-sync": "this:replace",
                    # not the hx-select / hx-swap a form of the editor passes down to its fields
                    "hx-select": "unset",
                    "hx-swap": "innerHTML",
                    "aria-describedby": f"{field.auto_id}_helptext {field.auto_id}-reading",
                }
            )
        linked = {"measure": instance.pk} if instance.pk else {"measure": None}
        self.fields["owners"].queryset = (
            Person.objects.filter(municipality=municipality)
            .select_related("organisation", "school")
            .alias(
                linked=Exists(
                    Measure.owners.through.objects.filter(person=OuterRef("pk"), **linked)
                )
            )
            .order_by("-linked", "short_name")
        )
        self.fields["owner_organisations"].queryset = (
            organisations_serving(municipality)
            .alias(
                linked=Exists(
                    Measure.owner_organisations.through.objects.filter(
                        organisation=OuterRef("pk"), **linked
                    )
                )
            )
            .order_by("-linked", "short_name", "name")
        )
        if instance.pk:
            self.fields["owners"].initial = list(instance.owners.values_list("pk", flat=True))
            self.fields["owner_organisations"].initial = list(
                instance.owner_organisations.values_list("pk", flat=True)
            )
        if roadmap.level != Roadmap.Level.MUNICIPAL:
            del self.fields["schools_scope"], self.fields["schools"]
            return
        schools = designated_schools(roadmap).order_by("short_name")
        self.designated_count = schools.count()
        self.fields["schools"].queryset = schools
        self.fields["schools_scope"].choices = [
            (
                self.SCOPE_ALL,
                ngettext(
                    "Все школы дорожной карты (%(count)s)",
                    "Все школы дорожной карты (%(count)s)",
                    self.designated_count,
                )
                % {"count": self.designated_count},
            ),
            (self.SCOPE_CHOSEN, _("Только выбранные школы")),
        ]
        self.fields["schools_scope"].initial = (
            self.SCOPE_ALL if instance.all_designated_schools else self.SCOPE_CHOSEN
        )
        if instance.pk:
            self.fields["schools"].initial = list(instance.schools.values_list("pk", flat=True))

    def clean(self) -> dict:
        """The roadmap keeps text as it prints: no spaces around it."""
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = value.strip()
        if (
            data.get("links_shown")
            and data.get("schools_scope") == self.SCOPE_CHOSEN
            and not data.get("schools")
            and "schools" not in self.errors
        ):
            self.add_error(
                "schools", _("Выберите хотя бы одну школу или «Все школы дорожной карты».")
            )
        return data

    def links(self) -> dict[str, list] | None:
        """The owners and schools to set (`services.measure_save`'s `links`), None when the
        form did not show them; puts the choice «all schools» on the measure."""
        data = self.cleaned_data
        if not data.get("links_shown"):
            return None
        links = {
            "owners": list(data["owners"]),
            "owner_organisations": list(data["owner_organisations"]),
        }
        if "schools" in self.fields:
            every = data.get("schools_scope") != self.SCOPE_CHOSEN
            self.instance.all_designated_schools = every
            links["schools"] = [] if every else list(data["schools"])
        return links

    def deadline_reading(self) -> Deadline:
        """The reading beside «Сроки»: of the text as typed in a form sent back with errors,
        else the measure's own (its engine reading or a person's correction)."""
        if self.is_bound and not self.instance.deadline_corrected:
            text = str(self.data.get(self.add_prefix("deadline_text"), "")).strip()
            return parse_deadline(text, roadmap_period(self.instance.roadmap))
        return self.instance.deadline


# the kinds of deadline that name control dates (the others: continuous, as needed, external,
# not read)
DATED_KINDS = {Kind.DATE, Kind.BY_DATE, Kind.MONTH, Kind.RANGE, Kind.DATES, Kind.RECURRING}


class DeadlineForm(VersionedForm, forms.Form):
    kind = forms.ChoiceField(label=_("Вид срока"), choices=Kind.choices)
    start = forms.DateField(label=_("Начало"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Окончание"), required=False, widget=DateInput())
    due_dates = forms.CharField(
        label=_("Контрольные даты"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Через запятую или с новой строки, в виде ДД.ММ.ГГГГ."),
    )
    recurrence = forms.ChoiceField(
        label=_("Периодичность"),
        required=False,
        choices=[("", _("нет")), *Recurrence.choices],
    )
    external_body = forms.CharField(label=_("По графику органа"), required=False, max_length=300)

    def correction(self) -> dict[str, object]:
        """The person's reading, by Deadline's field names (the form's own names)."""
        return {k: v for k, v in self.cleaned_data.items() if k in self.declared_fields}

    def clean_due_dates(self) -> list[date]:
        dates = []
        bad = []
        for part in re.split(r"[\s,;]+", self.cleaned_data["due_dates"].strip()):
            if not part:
                continue
            try:
                day, month, year = (int(x) for x in part.split("."))
                dates.append(date(year, month, day))
            except ValueError:
                bad.append(part)
        if bad:
            raise forms.ValidationError(
                _("Не распознаны даты: %(dates)s. Пишите ДД.ММ.ГГГГ, например 28.02.2022."),
                params={"dates": ", ".join(bad)},
            )
        return dates

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("Окончание раньше начала."))
        if data.get("kind") in DATED_KINDS and (
            not data.get("due_dates") and "due_dates" not in self.errors
        ):
            self.add_error("due_dates", _("Для этого вида срока укажите хотя бы одну дату."))
        return data


class RoadmapFilterForm(CleanTextMixin, forms.Form):
    """The filters of the roadmap list: a plain GET form that works without JavaScript."""

    q = forms.CharField(label=_("Слова названия"), required=False, max_length=200)
    municipality = forms.CharField(label=_("Муниципалитет"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("Любой")), *Roadmap.Status.choices],
    )
    year = forms.IntegerField(
        label=_("Год периода"), required=False, min_value=2000, max_value=2100
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by measures.evidence in the service."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


EVIDENCE_ACCEPT = ".pdf,.docx,.xlsx,.odt,.jpg,.jpeg,.png"


class ReportForm(VersionedForm, forms.Form):
    """The school's report on one control date. Files and links are checked by the service
    (measures.reporting), which refuses the whole save when one of them is refused."""

    outcome = forms.ChoiceField(
        label=_("Ход выполнения"),
        choices=Report.Outcome.choices,
        widget=forms.RadioSelect,
        initial=Report.Outcome.NOT_STARTED,
    )
    done_text = forms.CharField(
        label=_("Что сделано (фактический результат)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Что проведено, сколько участников, какой документ принят."),
    )
    postponed_to = forms.DateField(
        label=_("Перенести на"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Только если выбрано «Перенесено»: новый срок примет или отклонит рабочая группа."
        ),
    )
    postpone_reason = forms.CharField(
        label=_("Причина переноса"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = MultipleFileField(
        label=_("Подтверждающие документы"),
        required=False,
        help_text=_("PDF, DOCX, XLSX, ODT, JPG или PNG, до 20 МБ каждый, до 5 файлов за раз."),
    )
    links = forms.CharField(
        label=_("Ссылки на сайт школы"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "https://"}),
        help_text=_("По одной в строке."),
    )
    remove_evidence = forms.MultipleChoiceField(
        label=_("Убрать из отчёта"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, report: Report | None, **kwargs: object) -> None:
        initial = {}
        if report is not None:
            initial = {name: getattr(report, name) for name in SCHOOL_FIELDS}
        super().__init__(*args, initial=initial, version=report.version if report else 0, **kwargs)
        self.fields["version"].min_value = 0
        self.fields["version"].validators = []
        evidence = list(report.evidence.all()) if report is not None else []
        self.fields["remove_evidence"].choices = [(str(item.pk), str(item)) for item in evidence]
        if not evidence:
            del self.fields["remove_evidence"]

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]

    def values(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in SCHOOL_FIELDS}


class ReviewForm(VersionedForm, forms.Form):
    ACTIONS = ("accept", "return", "postpone_accept", "postpone_refuse")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Комментарий для школы"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Обязателен, если отчёт возвращается или перенос не принят."),
    )

    def __init__(self, *args: object, report: Report, **kwargs: object) -> None:
        super().__init__(*args, version=report.version, **kwargs)


class RoadmapCopyForm(CleanTextMixin, forms.Form):
    """The new period and title of a roadmap's copy. The period may not overlap the copied
    roadmap's own (a copy is for another period); the service checks the rest."""

    starts_on = forms.DateField(label=_("Начало нового периода"), widget=DateInput())
    ends_on = forms.DateField(label=_("Окончание нового периода"), widget=DateInput())
    title = forms.CharField(
        label=_("Название копии"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Годы в названии заменены на годы нового периода. Оставьте пустым, чтобы название "
            "составилось по новому периоду."
        ),
    )

    def __init__(self, *args: object, roadmap: Roadmap, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap

    def clean(self) -> dict:
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if not (starts_on and ends_on):
            return data
        if problem := period_problem(starts_on, ends_on):
            self.add_error("ends_on", problem)
        elif starts_on <= self.roadmap.ends_on and ends_on >= self.roadmap.starts_on:
            self.add_error(
                "starts_on",
                _(
                    "Новый период пересекается с периодом копируемой дорожной карты "
                    "(%(start)s — %(end)s): выберите период после него или до него."
                )
                % {
                    "start": self.roadmap.starts_on.strftime("%d.%m.%Y"),
                    "end": self.roadmap.ends_on.strftime("%d.%m.%Y"),
                },
            )


def next_school_year(today: date) -> tuple[date, date]:
    """The default period of a new roadmap: the next school year, 01.09–31.08 (from the
    spring on; in autumn, the school year that has just begun)."""
    year = today.year if today.month >= 3 else today.year - 1
    return date(year, 9, 1), date(year + 1, 8, 31)


class RoadmapForm(VersionedForm, forms.ModelForm):
    """A roadmap's header, as it prints above the table: created in the browser, edited in a
    draft (carrying the version it was opened on). The municipality: one the user coordinates
    (fixed once it has measures)."""

    class Meta:
        model = Roadmap
        fields = [
            "municipality", "starts_on", "ends_on", "title", "goal", "tasks",
            "expected_results", "legal_basis", "developers", "control",
        ]  # fmt: skip
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "title": forms.Textarea(attrs={"rows": 2}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("goal", "tasks", "expected_results", "legal_basis", "developers",
                             "control")
            },
        }  # fmt: skip
        help_texts = {
            "title": _("Как в приложении к приказу: «Дорожная карта по повышению качества "
                       "образования на 2026–2027 годы»."),
            "developers": _("Кто разработал: отдел образования, муниципальная рабочая группа."),
            "control": _("Кто контролирует исполнение дорожной карты."),
        }  # fmt: skip

    def __init__(
        self, *args: object, municipalities: QuerySet[Municipality], today: date, **kwargs: object
    ) -> None:
        instance = kwargs.get("instance")
        super().__init__(*args, version=instance.version if instance else None, **kwargs)
        if self.instance.pk is None:  # a new roadmap has no version yet
            del self.fields["version"]
        field = self.fields["municipality"]
        field.queryset = municipalities
        field.empty_label = None if len(municipalities) == 1 else _("— выберите —")
        if self.instance.pk is None:
            starts_on, ends_on = next_school_year(today)
            self.initial.update(starts_on=starts_on, ends_on=ends_on)

    def clean(self) -> dict:
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = value.strip()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and (problem := period_problem(starts_on, ends_on)):
            self.add_error("ends_on", problem)
        return data


class SectionForm(VersionedForm, forms.Form):
    """A section's number and title: a new one (`section=None`), or one edited in place,
    carrying its version and the number as shown (see `editing.section_update`)."""

    number = forms.CharField(
        label=_("Номер"),
        required=False,
        max_length=20,
        help_text=_("Оставьте пустым: номер проставится сам и будет меняться при перестановках."),
    )
    title = forms.CharField(label=_("Название раздела"), widget=forms.Textarea(attrs={"rows": 2}))
    number_opened = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args: object, section: Section | None = None, **kwargs: object) -> None:
        if section is not None:
            kwargs.setdefault("initial", {"number": section.number, "title": section.title})
        super().__init__(*args, version=section.version if section else None, **kwargs)
        if section is None:  # a new section has no version yet
            del self.fields["version"]
            del self.fields["number_opened"]
        else:
            self.fields["number_opened"].initial = section.number

    def values(self) -> dict[str, object]:
        """What `editing.section_add` / `section_update` take."""
        names = ("title", "number", "version", "number_opened")
        values = {name: self.cleaned_data[name] for name in names if name in self.fields}
        if "version" in values:
            values["expected_version"] = values.pop("version")
        return values

    def clean(self) -> dict:
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = value.strip()
        if "title" in data and not data["title"]:
            self.add_error("title", _("Обязательное поле."))
        return data
