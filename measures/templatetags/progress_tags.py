"""Progress in one line of a table («выполнено 5 из 8 (63 %), просрочено 2»): a tag, not an
include, because a dashboard writes it on hundreds of rows."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from measures.progress import Progress

register = template.Library()


@register.simple_tag
def progress_row(progress: Progress) -> SafeString:
    if not progress.total:
        return format_html(
            '<span class="progress-none muted">{}</span>', _("нет контрольных сроков")
        )
    text = _("выполнено %(done)s из %(total)s (%(percent)s\u00a0%%)") % {
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
    }
    late = (", " + _("с опозданием %(late)s") % {"late": progress.late}) if progress.late else ""
    overdue = (
        format_html(
            ', <span class="progress-overdue-count">{}</span>',
            _("просрочено %(overdue)s") % {"overdue": progress.overdue},
        )
        if progress.overdue
        else ""
    )
    return format_html('<span class="progress-row">{}{}{}</span>', text, late, overdue)
