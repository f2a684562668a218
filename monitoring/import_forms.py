"""The form of a table of values' upload."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.import_files import MAX_FILE_SIZE
from monitoring.models import MonitoringStage
from monitoring.value_forms import MeasuredOnField
from roadmap_portal.forms import CleanTextMixin


class ValuesImportForm(CleanTextMixin, forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Этап мониторинга"), queryset=MonitoringStage.objects.none(), empty_label=None
    )
    source = forms.CharField(
        label=_("Источник данных"),
        max_length=500,
        help_text=_("Откуда таблица, например: «ФИС ОКО, ВПР-2025» или «РЦОИ, ОГЭ-2025»."),
    )
    measured_on = MeasuredOnField(help_text=_("Например, 15.10.2025."))
    file = forms.FileField(
        label=_("Таблица значений"),
        help_text=_(
            "XLSX или CSV, до 10 МБ (XLS и ODS тоже читаются, если на сервере есть LibreOffice; "
            "иначе сохраните файл как .xlsx). Одна строка — одна школа, столбцы — показатели."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.xls,.ods"}),
    )

    def __init__(self, *args: object, stages: QuerySet[MonitoringStage], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages
        self.fields["measured_on"].initial = timezone.localdate().strftime("%d.%m.%Y")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(
                _("Файл слишком большой: допускается до %(max)s МБ."),
                params={"max": MAX_FILE_SIZE // 1024 // 1024},
            )
        return upload
