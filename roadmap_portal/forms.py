"""What every form of the portal shares."""

from __future__ import annotations

from typing import Any

from django import forms

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
