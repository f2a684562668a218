"""The text before a roadmap's table: its title and the act that approved it.

The act is read in the spellings published roadmaps use: «Приложение № 1 к приказу Управления
образования администрации … от 12.01.2022 № 5», «УТВЕРЖДЁН распоряжением Правительства … от
25 июня 2019 года N 203-р», «Утверждена постановлением администрации … от «14» ноября 2014 г.
№ 601», «Приказ … № 10 от 16.01.2015 года»; the number sign as «№», «№№», «N», «No», «N°» or
none, the date in digits or with the month in words. The issuer, written in the genitive after
the act's name, is given in the nominative for the registry (`issuer_nominative`).
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from measures.import_files import clean_cell

if TYPE_CHECKING:
    from measures.importing import Parsed


MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH_WORD = (
    r"(?:январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]"
    r"|октябр[яь]|ноябр[яь]|декабр[яь])"
)
# «12.01.2022», «12.01.22», «12/01/2022», «03» 06 2022, «12 января 2022», «« 12 » января 2022»
DATE = (
    r"«?\s*(?P<d>\d{1,2})\s*»?\s*(?:[./]\s*(?P<m>\d{1,2})\s*[./]|\s(?P<m2>\d{1,2})\s|\s*(?P<mw>"
    + _MONTH_WORD
    + r")\s)\s*(?P<y>\d{4}|\d{2})(?!\d)(?:\s*(?:года|год|г)\b\.?)?"
)
# «№», «№№», «N», «No», «N°», «Nо» (Cyrillic о); then the number itself: «31», «203-р», «230/1-од»
NUMBER_SIGN = r"(?:№\s*№|№|N\s*°|N[oо](?=[\s.\d])\.?|N(?=[\s\d])|(?-i:Н)(?=\s*\d))"
NUMBER = r"(?P<number>[\dA-Za-zА-Яа-яЁё][\w\-/]*)"
ON_DATE = r"(?:от\s+)?" + DATE
WITH_NUMBER = NUMBER_SIGN + r"\s*" + NUMBER
KIND = r"(?P<kind>приказ[а-я]*|распоряжени[а-я]*|постановлени[а-я]*)"
# After the act's name: the issuer (up to «от» or the number sign), then the date and the number
# in either order (or only one of them: an act without a number or a date is not taken).
# «№» ends the issuer unless it numbers the issuer itself: «приказом директора МБОУ СОШ № 5 от
# 01.09.2022 № 112» (the act's own date and number sign follow it).
_PLAIN_DATE = r"(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|«?\s*\d{1,2}\s*»?\s+[а-яё]+\s+\d{4})"
_ISSUER_NUMBER = r"\s*\d+[а-яё]?[»\"]?\s+от\s+" + _PLAIN_DATE + r"\s*(?:г\.?|года)?\s*№"
_ISSUER_ENDS = "|".join(
    [r"\bот\s", r"№(?!" + _ISSUER_NUMBER + ")", r"\bN[oо°]?(?=[\s\d.])", r"\b(?-i:Н)\s*\d",
     r"\d{1,2}[./]\d"]
)  # fmt: skip


def _named(pattern: str, prefix: str) -> str:
    """The pattern with its groups renamed (each alternative of ACT_RE has its own)."""
    return pattern.replace("(?P<", f"(?P<{prefix}")


ACT_RE = re.compile(
    r"(?<![а-яё])" + KIND + r"(?P<issuer>(?:(?!" + _ISSUER_ENDS + r").){0,300}?)(?:"
    # «от 12.01.2022 № 5»
    + r"\s*от\s+" + DATE + r"[\s,]*" + _named(WITH_NUMBER, "a_")
    # «№ 5 от 12.01.2022» (and no other number sign after it)
    + r"|\s*" + _named(WITH_NUMBER, "b_") + r"\s*(?:,\s*)?" + _named(ON_DATE, "b_")
    + r"(?![\s,]*№)"
    # «12.01.2022 № 5» (the heading of an act)
    + r"|\s*" + _named(DATE, "c_") + r"[\s,]*" + _named(WITH_NUMBER, "c_")
    # «от 12.01.2022 г. 5» (no number sign)
    + r"|\s*от\s+" + _named(DATE, "d_") + r"\s+(?P<d_number>\d[\w\-/]*)"
    + r")",
    re.I | re.S,
)  # fmt: skip
TITLE_START_RE = re.compile(
    r"^[«\"(]*(?:план|дорожная карта|комплекс мер|программа|«дорожная карта»|мероприятия|"
    r"сетевой|перечень|график|меры)",
    re.I,
)
# A line that continues the title: it starts with a small word of a title's second line.
TITLE_CONTINUES_RE = re.compile(
    r"^(?:[«\"(]|[а-яё]|(?i:по|на|в|во|для|с|к|и|школ[а-я]*)\s|\d{4}\s*[-–—]\s*\d{4})"
)
NOT_TITLE_RE = re.compile(
    r"^(?:\d+\.|[IVX]+\.|приложение|утвержд|согласован|цель|задач|приказ|распоряж|постановл)",
    re.I,
)


# The text before a table read for its title and act: a resolution printed whole before its
# appendix takes some forty paragraphs; a longer text is not a preamble and costs no more work.
MAX_LINES = 150
MAX_LINE_CHARS = 1000
MAX_TITLE_LINES = 6


def read_preamble(parsed: Parsed, lines: list[str]) -> None:
    """Take the roadmap's title and the approving act from the text before the table."""
    lines = [clean_cell(line).replace("\n", " ") for line in lines[:MAX_LINES]]
    lines = [line[:MAX_LINE_CHARS] for line in lines if line]
    parsed.title = read_title(lines)
    act = read_act(" ".join(lines))
    if act is None:
        return
    if "problem" not in act and not act["issuer"]:
        # «ПОСТАНОВЛЕНИЕ / от 24 апреля 2014 г. № 136-п» names no body: the heading above it
        # does («АДМИНИСТРАЦИЯ КАЛМАНСКОГО РАЙОНА»), else another mention of the same act («к
        # постановлению Городской Управы города Калуги от 24.04.2014 № 136-п»)
        act["issuer"] = act["issuer_as_written"] = heading_issuer(lines)
        named = next((other for line in lines if (other := _same_act_named(line, act))), None)
        if not act["issuer"] and named is not None:
            act["issuer"], act["issuer_as_written"] = named["issuer"], named["issuer_as_written"]
    if "problem" in act:
        parsed.warn(act["problem"])
        return
    parsed.order = act


def _same_act_named(line: str, act: dict[str, Any]) -> dict[str, Any] | None:
    """The act of `line` when it is `act` (its number and date) and names its issuer."""
    other = read_act(line)
    if (
        other is None
        or "problem" in other
        or not other["issuer"]
        or (other["number"], other["date"], other["kind"])
        != (act["number"], act["date"], act["kind"])
    ):
        return None
    return other


BODY_RE = re.compile(
    r"^(?:администрация|управление|министерство|департамент|комитет|отдел|правительство|"
    r"муниципальное|государственное|мку|мбу|мку|гку|глава|мэрия|мэр|губернатор)\b",
    re.I,
)


def heading_issuer(lines: list[str]) -> str:
    """The body in the heading of an act printed before its name («АДМИНИСТРАЦИЯ КАЛМАНСКОГО
    РАЙОНА» / «ПОСТАНОВЛЕНИЕ» / «от 14.11.2014 № 601»), in the registry's case: «Администрация
    Калманского района»; "" when the heading names none."""
    for index, line in enumerate(lines):
        if re.match(r"^(?:приказ|распоряжение|постановление)\b", line, re.I):
            above: list[str] = []
            for previous in reversed(lines[max(0, index - 4) : index]):
                if not previous.isupper() or re.search(r"\d", previous):
                    break
                above.insert(0, previous)
            while above and not BODY_RE.match(above[0]):
                above.pop(0)  # the region's name above the body («КАБАРДИНО-БАЛКАРСКАЯ …»)
            return _registry_case(" ".join(above)) if above else ""
    return ""


# Adjectives made from place names («Калманского», «Кабардино-Балкарской») are capitalised;
# the common ones with the same suffix are not.
_PLACE_ADJECTIVE = re.compile(r"(?:ск|цк)(?:ий|ого|ой|ая|ое|ому|им|ом)$")
_COMMON_ADJECTIVE = re.compile(r"^(?:городск|сельск|детск|юношеск|поселковск)|ческ")
_ALWAYS_CAPITAL = re.compile(r"^(?:республик|федераци)")


def _capitalised(word: str) -> str:
    return "-".join(part if part in {"на", "де"} else part[:1].upper() + part[1:]
                    for part in word.split("-"))  # fmt: skip


def _registry_case(text: str) -> str:
    """A name printed in capitals, as the registry writes it: the first word, a word opening
    quotes, proper names and place adjectives capitalised; abbreviations (words the dictionary
    does not know, up to five letters) kept."""
    morph = _morph()
    words = []
    for position, word in enumerate(text.split(" ")):
        bare = word.strip('«»"().,')
        lower = word.lower()
        parse = morph.parse(bare.lower())[0]
        proper = {"Geox", "Name", "Surn", "Orgn"} & set(parse.tag.grammemes)
        if not parse.is_known and len(bare) <= 5:
            words.append(word)  # КБР, МКУ
            continue
        place = _PLACE_ADJECTIVE.search(bare.lower()) and not _COMMON_ADJECTIVE.search(bare.lower())
        if position == 0 or proper or place or _ALWAYS_CAPITAL.match(bare.lower()):
            lower = _capitalised(lower)
        if lower.startswith(("«", '"')):
            lower = lower[0] + lower[1:2].upper() + lower[2:]
        words.append(lower)
    return " ".join(words)


def read_title(lines: list[str]) -> str:
    """The title, also when it runs over several paragraphs («ДОРОЖНАЯ КАРТА» / «по повышению
    качества…» / «на 2022-2024 годы»)."""
    for index, line in enumerate(lines):
        if TITLE_START_RE.match(line) and not ACT_RE.search(line):
            parts = [line]
            for following in lines[index + 1 : index + MAX_TITLE_LINES]:
                if (
                    TITLE_CONTINUES_RE.match(following)
                    and not NOT_TITLE_RE.match(following)
                    and not ACT_RE.search(following)
                ):
                    parts.append(following)
                else:
                    break
            return re.sub(r"\s+", " ", " ".join(parts)).strip(" *")
    return ""


def _group(match: re.Match[str], name: str) -> str | None:
    for prefix in ("", "a_", "b_", "c_", "d_"):
        try:
            value = match[prefix + name]
        except IndexError:
            continue
        if value:
            return value
    return None


def read_act(text: str) -> dict[str, Any] | None:
    """The first act named in the text: {kind, issuer, issuer_as_written, number, date}, or
    {problem} when its date is not a date, or None when no act is named."""
    match = ACT_RE.search(text)
    if match is None:
        return None
    day, year = int(_group(match, "d") or 0), _group(match, "y") or ""
    month_word = _group(match, "mw")
    if month_word:
        lower = month_word.lower()
        month = next(n for stem, n in MONTHS.items() if lower.startswith(stem))
    else:
        month = int(_group(match, "m") or _group(match, "m2") or 0)
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        when = date(full_year, month, day)
    except ValueError:
        return {"problem": _("Дата приказа в тексте перед таблицей не распознана.")}
    kind = match["kind"].lower()
    written = re.sub(r"\s+", " ", match["issuer"]).strip(" ,.:;")
    written = re.sub(r"^(?:об утверждении|о)\b.*$", "", written, flags=re.I)
    return {
        "kind": "order" if kind.startswith("приказ")
        else "disposition" if kind.startswith("распоряж")
        else "resolution",
        "issuer": issuer_nominative(written),
        "issuer_as_written": written,
        "number": _group(match, "number").rstrip(".-/"),
        "date": when.isoformat(),
    }  # fmt: skip


@functools.cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _cased_like(word: str, model: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def issuer_nominative(name: str) -> str:
    """An issuer written in the genitive («Управления образования администрации …»), in the
    nominative («Управление образования администрации …»): the head noun and the adjectives
    before it agreeing with it are inflected, the rest (its own genitive complements, names in
    quotes, abbreviations) is kept. A name that does not start in the genitive is kept as is."""
    words = name.split(" ")
    if not name or not words[0][:1].isalpha() or re.match(r"Мин(?!истерств)[а-яё]", name):
        return name  # «Минпросвещения России», «Минобрнауки России» do not decline
    morph = _morph()
    head = None
    adjectives: list[tuple[int, Any]] = []
    for index, word in enumerate(words[:6]):
        letters = word.strip('«»"(),.')
        abbreviation = letters.isupper() and len(letters) > 1 and not name.isupper()
        if not letters or letters != word or (abbreviation and index):
            return name
        parses = [p for p in morph.parse(letters) if p.tag.case == "gent"]
        noun = next((p for p in parses if p.tag.POS == "NOUN" and p.tag.number == "sing"), None)
        noun = noun or next((p for p in parses if p.tag.POS == "NOUN"), None)
        if noun is not None and not any(
            p.tag.POS in {"ADJF", "PRTF"} for p in morph.parse(letters)[:1]
        ):
            head = (index, noun)
            break
        adjective = next((p for p in parses if p.tag.POS in {"ADJF", "PRTF"}), None)
        if adjective is None:
            return name
        adjectives.append((index, adjective))
    if head is None:
        return name
    head_index, noun = head
    nominative = noun.inflect({"nomn"})
    if nominative is None:
        return name
    result = list(words)
    result[head_index] = _cased_like(nominative.word, words[head_index])
    grammemes = {"nomn", noun.tag.number or "sing"}
    if noun.tag.number != "plur" and noun.tag.gender:
        grammemes.add(noun.tag.gender)
    for index, adjective in adjectives:
        agreed = adjective.inflect(grammemes)
        if agreed is None:
            return name
        result[index] = _cased_like(agreed.word, words[index])
    text = " ".join(result)
    return text[:1].upper() + text[1:]
