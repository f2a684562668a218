"""The text before a roadmap's table: its title and the act that approved it."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from measures.import_files import clean_cell

if TYPE_CHECKING:
    from measures.importing import Parsed


ORDER_RE = re.compile(
    r"(?:к\s+)?(?P<kind>приказ[а-я]*|распоряжени[а-я]*|постановлени[а-я]*)\s+"
    r"(?P<issuer>[^№]*?)\s*(?:от\s+«?(?P<d>\d{1,2})»?[.\s]+(?P<m>\d{1,2})[.\s]+(?P<y>\d{2,4})\s*г?\.?)"
    r"\s*(?:г\.?\s*)?№\s*(?P<number>[\w\-/]+)",
    re.I | re.S,
)
ORDER_AFTER_NUMBER_RE = re.compile(
    r"(?:к\s+)?(?P<kind>приказ[а-я]*|распоряжени[а-я]*|постановлени[а-я]*)\s+"
    r"(?P<issuer>[^№]*?)\s*№\s*(?P<number>[\w\-/]+)\s+от\s+(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2,4})",
    re.I | re.S,
)
TITLE_START_RE = re.compile(r"^(?:план|дорожная карта|комплекс мер|«дорожная карта»)", re.I)


def read_preamble(parsed: Parsed, lines: list[str]) -> None:
    """Take the roadmap's title and the approving order from the text before the table."""
    lines = [clean_cell(line).replace("\n", " ") for line in lines]
    lines = [line for line in lines if line]
    for index, line in enumerate(lines):
        if TITLE_START_RE.match(line):
            parts = [line]
            for following in lines[index + 1 :]:
                if following[:1].islower() or following.startswith(("по ", "на ", "в ")):
                    parts.append(following)
                else:
                    break
            parsed.title = re.sub(r"\s+", " ", " ".join(parts)).strip(" *")
            break
    text = " ".join(lines)
    matches = [m for m in (ORDER_RE.search(text), ORDER_AFTER_NUMBER_RE.search(text)) if m]
    match = min(matches, key=lambda m: m.start()) if matches else None
    if match:
        year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
        try:
            when = date(year, int(match["m"]), int(match["d"]))
        except ValueError:
            parsed.warn(_("Дата приказа в тексте перед таблицей не распознана."))
            return
        kind = match["kind"].lower()
        parsed.order = {
            "kind": "order" if kind.startswith("приказ")
            else "disposition" if kind.startswith("распоряж")
            else "resolution",
            "issuer": match["issuer"].strip(" ,") or "",
            "number": match["number"],
            "date": when.isoformat(),
        }  # fmt: skip
