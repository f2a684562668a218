"""Template helpers of the work lists."""

from django import template
from django.utils.translation import gettext as _

from measures.models import Roadmap

register = template.Library()

SHORT_TITLE = 60


@register.filter
def short_roadmap(roadmap: Roadmap) -> str:
    """A name a phone can show: the title when short, else the kind of roadmap and its period
    (the long official titles all begin with the same words)."""
    title = " ".join(roadmap.title.split())
    if len(title) <= SHORT_TITLE:
        return f"{title} ({roadmap.period_display})"
    if roadmap.level == Roadmap.Level.SCHOOL:
        return _("Дорожная карта школы, %(period)s") % {"period": roadmap.period_display}
    return _("Дорожная карта муниципалитета, %(period)s") % {"period": roadmap.period_display}
