from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from schools.models import Appointment, Municipality, School
from schools.selectors import appointable_users

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
