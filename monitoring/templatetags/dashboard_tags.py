"""The cells of a row of the school × measure grid, written in Python: a page holds 40 × 60 of
them, and a template loop over 2,400 cells took longer than every query of the page."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from measures.progress import OVERDUE, STATE_LABELS

register = template.Library()

PLACEHOLDER = 987654321


@register.simple_tag
def grid_cells(cells: list[dict | None]) -> SafeString:
    """`<td>` for each cell of `dashboards.grid_table`: the sign, the state in words for
    screen readers and as a tooltip, a link to the report when there is one; «·» where the
    school has no control date of the measure."""
    url = reverse("measures:report_detail", args=[PLACEHOLDER])
    labels = {state: escape(label) for state, label in STATE_LABELS.items()}
    titles = {state: escape(capfirst(str(label))) for state, label in STATE_LABELS.items()}
    no_report = escape(", " + _("отчёта нет"))
    none = (
        '<td class="grid-cell cell-none"><span aria-hidden="true">·</span>'
        f'<span class="visually-hidden">{escape(_("нет срока"))}</span></td>'
    )
    html = []
    for cell in cells:
        if not cell:
            html.append(none)
            continue
        state = cell["state"]
        inner = f'{cell["sign"]}<span class="visually-hidden"> {labels[state]}</span>'
        if cell["report"]:
            link = url.replace(str(PLACEHOLDER), str(int(cell["report"])))
            html.append(
                f'<td class="grid-cell cell-{state}"><a href="{link}" title="{titles[state]}">'
                f"{inner}</a></td>"
            )
        else:
            title = titles[state] + (no_report if state == OVERDUE else "")
            html.append(
                f'<td class="grid-cell cell-{state}"><span title="{title}">{inner}</span></td>'
            )
    return mark_safe("".join(html))
