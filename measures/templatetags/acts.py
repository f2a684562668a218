"""How an act's number is printed in templates: «№ 31» that never breaks across two lines."""

from django import template

from roadmap_portal.text import act_number as act_number_text

register = template.Library()


@register.filter
def act_number(number: str) -> str:
    return act_number_text(number)
