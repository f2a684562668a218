"""What every form of the portal shares."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from roadmap_portal.text import clean_text


class CleanTextMixin:
    """Submitted text is cleaned before any validation: line breaks as LF, tabs kept, other
    control characters dropped (a NUL or a vertical tab pasted from Word is not an error the
    person can see or fix, and it would break the exports)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and hasattr(self.data, "lists"):
            data = self.data.copy()
            for key, values in self.data.lists():
                data.setlist(key, [clean_text(v) if isinstance(v, str) else v for v in values])
            self.data = data
        elif self.is_bound and isinstance(self.data, dict):
            self.data = {
                key: clean_text(value) if isinstance(value, str) else value
                for key, value in self.data.items()
            }


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    """The admin's forms: the same cleaning as the portal's own."""


def show_errors(
    form: forms.BaseForm, problem: ValidationError, fallback: str | None = None
) -> None:
    """A service's refusal (ValidationError, in Russian) shown on the form: each message on its
    field where the form has that field, else on `fallback`, else above the form. Never an
    error page: a service may name a field the form does not show."""
    errors = problem.message_dict if hasattr(problem, "error_dict") else {None: problem.messages}
    for field, texts in errors.items():
        target = field if field in form.fields else fallback
        for text in texts:
            form.add_error(target, text)
