"""Counted strings read right in Russian: «2 сотрудника», «5 сотрудников», «21 сотрудник».
The source text gives two forms; Russian needs three, so every counted string of our code and
templates has its forms in the portal's catalogue (locale/ru), and the compiled .mo matches it."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.mo"
SOURCES = ["measures", "schools", "monitoring", "roadmap_portal"]


def _python_plurals() -> set[str]:
    found = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", "")).endswith(
                        "ngettext"
                    )
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.add(node.args[0].value)
    return found


BLOCK = re.compile(r"{% blocktranslate count [^%]*%}(.*?){% plural %}", re.S)


def _template_plurals() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for text in BLOCK.findall(path.read_text()):
            found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", text))
    return found


def test_every_counted_string_has_its_russian_forms():
    with CATALOGUE.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)._catalog
    wanted = _python_plurals() | _template_plurals()
    assert len(wanted) >= 10  # the scan finds them
    missing = sorted(m for m in wanted if not all(catalogue.get((m, i)) for i in range(3)))
    assert not missing, "add them to locale/ru/LC_MESSAGES/django.po and compilemessages"


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 сотрудник"), (2, "2 сотрудника"), (5, "5 сотрудников"), (11, "11 сотрудников"),
     (21, "21 сотрудник"), (24, "24 сотрудника")],
)  # fmt: skip
def test_counts_agree_with_their_noun(count, text):
    with translation.override("ru"):
        assert (
            ngettext("%(counter)s сотрудник", "%(counter)s сотрудников", count) % {"counter": count}
            == text
        )
        template = Template(
            "{% load i18n %}{% blocktranslate count counter=n %}Найдена {{ counter }} "
            "дорожная карта{% plural %}Найдено {{ counter }} дорожных карт{% endblocktranslate %}"
        )
        rendered = template.render(Context({"n": count}))
    noun = {1: "дорожная карта", 2: "дорожные карты", 5: "дорожных карт"}
    assert rendered.endswith(
        noun[1 if count % 10 == 1 and count != 11 else 2 if count in (2, 24) else 5]
    )
