"""Text as people meant it, at every entry point (forms, import, admin) and every exit (exports).

Text pasted from Word carries control characters (a vertical tab for a soft line break, form
feeds, NULs from broken files) that PostgreSQL, XML and spreadsheets refuse. `clean_text` keeps
line breaks and tabs and drops the rest; `neutralise_formula` makes a spreadsheet cell that a
program would run as a formula read as the same text instead.
"""

from __future__ import annotations

import re

# C0 controls except tab and line feed (CR is turned into a line break first), DEL, C1 controls,
# lone surrogates and the two non-characters XML 1.0 forbids.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Word's soft line break (vertical tab) and the Unicode line and paragraph separators are line
# breaks to the person who typed them.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029\x85]")

# OWASP's CSV injection rule: a cell starting with one of these may be run as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """Line breaks as LF, tabs kept, every other control character dropped."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", value))


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES)


def neutralise_formula(value: str) -> str:
    """A CSV cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP); so
    does one that already starts with apostrophes before such a character, so that the
    importer's `restore_formula` gives back exactly what was written."""
    return "'" + value if is_formula_like(value.lstrip("'")) else value


def restore_formula(value: str) -> str:
    """The text of a cell `neutralise_formula` wrote (an import reads back what we exported)."""
    if value.startswith("'") and is_formula_like(value[1:].lstrip("'")):
        return value[1:]
    return value


def act_number(number: str) -> str:
    """«№ 31» as printed wherever an act's number is: a no-break space keeps the sign and the
    number on one line."""
    return f"№\u00a0{number}" if number else ""


# the first word of a document's title and the gender its participles agree with
_GENDERS = (
    ("m", ("план", "комплекс", "перечень", "состав", "порядок", "регламент", "график")),
    ("f", ("дорожная", "программа", "форма", "концепция", "модель", "схема")),
    ("n", ("положение", "соглашение")),
    ("pl", ("изменения", "правила")),
)


def document_gender(title: str) -> str:
    """ "m", "f", "n" or "pl": the gender (or the plural) of a document by the first word of its
    title — «План …» → m, «Дорожная карта …» → f, «Положение …» → n; another word: m."""
    words = re.findall(r"[а-яё]+", title.lower())
    first = words[0] if words else ""
    for gender, starts in _GENDERS:
        if first in starts:
            return gender
    return "m"
