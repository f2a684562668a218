from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from measures.models import LegalAct
from roadmap_portal.forms import CleanTextMixin
from schools.models import (
    Appointment,
    Municipality,
    Organisation,
    Person,
    School,
    WorkingGroup,
    WorkingGroupMember,
)
from schools.selectors import appointable_users, appointments_in, organisations_serving

MUNICIPAL_ROLES = [
    (Appointment.Role.COORDINATOR, Appointment.Role.COORDINATOR.label),
    (Appointment.Role.WORKING_GROUP, Appointment.Role.WORKING_GROUP.label),
    (Appointment.Role.DIRECTOR, Appointment.Role.DIRECTOR.label),
]


class AppointForm(forms.Form):
    username = forms.CharField(
        label=_("Имя пользователя"),
        max_length=150,
        help_text=_("Учётная запись уже создана администратором."),
    )
    role = forms.ChoiceField(label=_("Роль"), choices=MUNICIPAL_ROLES)
    school = forms.ModelChoiceField(
        label=_("Школа"), queryset=School.objects.none(), required=False,
        empty_label=_("— не выбрана —"),
        help_text=_("Только для руководителя школы."),
    )  # fmt: skip

    def __init__(self, *args: object, municipality: Municipality, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["school"].queryset = municipality.schools.all()

    def clean_username(self) -> User:
        # one answer for a login that does not exist and one that works in another place
        users = appointable_users(self.municipality)
        user = users.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(
                _("Нет учётной записи с таким именем, которую можно назначить здесь.")
            )
        return user

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") == Appointment.Role.DIRECTOR and not data.get("school"):
            self.add_error("school", _("Выберите школу руководителя."))
        return data


# --- The registry: people, organisations, the working group ---------------------------------


class PersonForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "full_name", "short_name", "position", "organisation", "school", "email", "phone",
            "user",
        ]  # fmt: skip
        widgets = {
            "position": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        self.fields["organisation"].queryset = organisations_serving(municipality).order_by("name")
        self.fields["school"].queryset = municipality.schools.order_by("short_name")
        appointed = appointments_in(municipality).values("user")
        linked = Person.objects.filter(user__isnull=False).exclude(pk=self.instance.pk)
        self.fields["user"].queryset = (
            User.objects.filter(pk__in=appointed)
            .exclude(pk__in=linked.values("user"))
            .order_by("username")
        )
        self.fields["user"].label_from_instance = _account_label
        self.fields["user"].help_text = _(
            "Только учётные записи, назначенные в этом муниципалитете и ещё не связанные с "
            "другим сотрудником."
        )
        self.fields["short_name"].widget.attrs["placeholder"] = "Бозиев А.Т."
        for name in ("organisation", "school", "user"):
            self.fields[name].empty_label = _("— не выбрана —")

    def clean_short_name(self) -> str:
        short_name = self.cleaned_data["short_name"].strip()
        taken = Person.objects.filter(
            municipality=self.instance.municipality, short_name=short_name
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Сотрудник «%(name)s» уже есть в реестре муниципалитета."),
                params={"name": short_name},
            )
        return short_name

    def clean(self) -> dict:
        data = super().clean()
        if data.get("organisation") and data.get("school"):
            self.add_error(
                "school", _("Укажите одно место работы: организацию или школу, не обе сразу.")
            )
        return data


def _account_label(user: User) -> str:
    name = user.get_full_name()
    return f"{user.username} ({name})" if name else user.username


ORGANISATION_KINDS = [
    choice for choice in Organisation.Kind.choices if choice[0] != Organisation.Kind.FEDERAL_BODY
]


class OrganisationForm(CleanTextMixin, forms.ModelForm):
    """An organisation of the municipality (federal bodies are the administrator's)."""

    kind = forms.ChoiceField(label=_("Вид"), choices=ORGANISATION_KINDS)

    class Meta:
        model = Organisation
        fields = ["kind", "name", "short_name", "name_genitive"]
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "name_genitive": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        self.instance.region_id = municipality.region_id

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Organisation.objects.filter(
            municipality=self.instance.municipality, name=name
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Организация с таким названием уже есть в реестре."))
        return name


class SearchForm(CleanTextMixin, forms.Form):
    q = forms.CharField(label=_("Найти"), required=False, max_length=200)


class WorkingGroupForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["year", "title", "act"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        self.fields["act"].queryset = LegalAct.objects.filter(
            municipality=municipality
        ).select_related("issuer")
        self.fields["act"].empty_label = _("— не указан —")
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        if not self.instance.pk:
            self.fields["title"].initial = _("Муниципальная рабочая группа")

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Укажите год от 2000 до 2100."))
        taken = WorkingGroup.objects.filter(
            municipality=self.instance.municipality, year=year
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Рабочая группа на %(year)s год уже есть."), params={"year": year}
            )
        return year


class MemberAddForm(CleanTextMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Сотрудник"), queryset=Person.objects.none())
    role = forms.ChoiceField(
        label=_("Роль"), choices=WorkingGroupMember.Role.choices,
        initial=WorkingGroupMember.Role.MEMBER,
    )  # fmt: skip
    position_text = forms.CharField(
        label=_("Должность, как в составе"), required=False, max_length=500,
        help_text=_("Оставьте пустым, чтобы взять должность из реестра."),
    )  # fmt: skip

    def __init__(self, *args: Any, group: WorkingGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            municipality=group.municipality_id
        ).exclude(memberships__group=group)
        self.fields["person"].empty_label = _("— выберите —")


class MemberForm(CleanTextMixin, forms.Form):
    role = forms.ChoiceField(label=_("Роль"), choices=WorkingGroupMember.Role.choices)
    position_text = forms.CharField(
        label=_("Должность, как в составе"), required=False, max_length=500
    )
