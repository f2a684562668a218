"""The one place that decides whether an uploaded file (or a link) may become report evidence.

A file is judged by its content, never by its name: PDF, DOCX, XLSX, ODT, JPG and PNG are
accepted; a program, a web page, a drawing that can carry scripts (SVG), an archive or anything
unknown is refused with a Russian message that names the file and the reason. Photos are
re-encoded so that no location (EXIF GPS) or other metadata leaves the school's phone; office
documents are opened as ZIP archives and refused when they would unpack into too much.

    checked = check_evidence_file(upload)   # EvidenceRefused(.message) or CheckedFile
    url = check_evidence_link(text)         # EvidenceRefused(.message) or the cleaned URL
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

NAME_MAX = 200  # characters of a cleaned file name, extension included
LINK_MAX = 1000  # characters of a link (Evidence.link max_length)
UNPACKED_MAX = 200 * 1024 * 1024  # bytes all members of an office document may unpack into
MEMBERS_MAX = 10_000  # members of an office document
READ_CHUNK = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
JPEG = "image/jpeg"
PNG = "image/png"

# content type -> (what people call it, the extension given to the stored name, other
# extensions of the same type that a name may keep)
KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    PDF: ("PDF", "pdf", ()),
    DOCX: ("DOCX", "docx", ()),
    XLSX: ("XLSX", "xlsx", ()),
    ODT: ("ODT", "odt", ()),
    JPEG: ("JPG", "jpg", ("jpeg", "jpe")),
    PNG: ("PNG", "png", ()),
}
ACCEPTED_TYPES = tuple(KINDS)
# what a name's extension claims, for «не PDF, а …»
CLAIMED = {
    extension: label for label, main, others in KINDS.values() for extension in (main, *others)
}

_EXTENSION = re.compile(r"\.([A-Za-z][A-Za-z0-9]{0,4})$")
_FORBIDDEN_IN_NAMES = re.compile(r'[<>:"|?*]')


class EvidenceRefused(Exception):
    """The file or link may not become evidence; `message` (Russian) says which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    name: str  # the person's file name, cleaned, with the extension of the real type
    content_type: str  # one of ACCEPTED_TYPES
    data: bytes  # the bytes to store (photos re-encoded without metadata)


def accepted_types_text() -> str:
    return _("Принимаются файлы PDF, DOCX, XLSX, ODT, JPG и PNG.")


def megabytes(size: int) -> str:
    value = f"{size / 1024 / 1024:.1f}".removesuffix(".0").replace(".", ",")
    return _("%(size)s МБ") % {"size": value}


# --- names --------------------------------------------------------------------------------


def clean_name(raw: str | None) -> str:
    """The last part of a path, without control or direction-changing characters, with
    whitespace collapsed and at most NAME_MAX characters; Cyrillic and other letters stay."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if unicodedata.category(char) not in {"Cc", "Cf", "Co", "Cs", "Cn"} or char.isspace()
    )
    name = _FORBIDDEN_IN_NAMES.sub("_", name)
    name = re.sub(r" +", " ", name).strip(" .")
    return _shorten(name or _("файл"), NAME_MAX)


def _shorten(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    match = _EXTENSION.search(name)
    extension = match.group(0) if match else ""
    return name[: limit - len(extension)].rstrip(" .") + extension


def name_for(name: str, content_type: str) -> str:
    """`name` with the extension of the type its content really is."""
    _label, main, others = KINDS[content_type]
    match = _EXTENSION.search(name)
    if match and match.group(1).lower() in (main, *others):
        stem, extension = name[: match.start()], match.group(1).lower()
    else:
        stem = name[: match.start()] if match else name
        extension = main
    stem = stem.rstrip(" .") or _("файл")
    return _shorten(f"{stem}.{extension}", NAME_MAX)


def _claimed(name: str) -> str | None:
    match = _EXTENSION.search(name)
    return CLAIMED.get(match.group(1).lower()) if match else None


def _refuse_as(name: str, what: str) -> EvidenceRefused:
    """«Файл «x.pdf» — не PDF, а исполняемая программа: такие файлы не принимаются.»"""
    claimed = _claimed(name)
    if claimed:
        text = _("Файл «%(name)s» — не %(claimed)s, а %(what)s: такие файлы не принимаются.") % {
            "name": name,
            "claimed": claimed,
            "what": what,
        }
    else:
        text = _("Файл «%(name)s» — %(what)s: такие файлы не принимаются.") % {
            "name": name,
            "what": what,
        }
    return EvidenceRefused(f"{text} {accepted_types_text()}")


def _damaged(name: str, label: str) -> EvidenceRefused:
    return EvidenceRefused(
        _(
            "Файл «%(name)s» похож на %(label)s, но не открывается: он повреждён. "
            "Сохраните его заново и загрузите ещё раз."
        )
        % {"name": name, "label": label}
    )


# --- reading ------------------------------------------------------------------------------


def _read_bounded(upload: UploadedFile, name: str, limit: int) -> bytes:
    """The upload's bytes, read in chunks; never more than limit + 1 bytes are held."""
    too_large = EvidenceRefused(
        _("Файл «%(name)s» больше %(limit)s: такие файлы не принимаются. Уменьшите его.")
        % {"name": name, "limit": megabytes(limit)}
    )
    if upload.size is not None and upload.size > limit:
        raise too_large
    upload.seek(0)
    buffer = bytearray()
    while len(buffer) <= limit:
        piece = upload.read(min(READ_CHUNK, limit + 1 - len(buffer)))
        if not piece:
            break
        buffer += piece
    if len(buffer) > limit:
        raise too_large
    return bytes(buffer)


# --- what the content is --------------------------------------------------------------------


def _what_text_is(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if b"<svg" in head:
        return _("рисунок SVG (в нём могут быть сценарии)")
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or (
        b"<html" in head or b"<script" in head
    ):
        return _("веб-страница (HTML)")
    if head.startswith(b"#!"):
        return _("сценарий (программа)")
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return _("файл разметки (XML)")
    return _("текстовый файл или сценарий")


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample.lstrip(b"\xff\xfe"):
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(sample) - 4  # a character cut at the sample's end
    return True


_OTHER_KINDS = {
    "zip": gettext_lazy("архив ZIP"),
    "rar": gettext_lazy("архив RAR"),
    "7z": gettext_lazy("архив 7z"),
    "gz": gettext_lazy("архив GZ"),
    "tar": gettext_lazy("архив TAR"),
    "gif": gettext_lazy("изображение GIF (сохраните его как PNG)"),
    "webp": gettext_lazy("изображение WEBP (сохраните его как JPG или PNG)"),
    "heic": gettext_lazy("фотография HEIC (сохраните её как JPG)"),
    "bmp": gettext_lazy("изображение BMP (сохраните его как PNG)"),
    "tif": gettext_lazy("изображение TIFF (сохраните его как PNG)"),
    "exe": gettext_lazy("исполняемая программа"),
    "elf": gettext_lazy("исполняемая программа"),
    "swf": gettext_lazy("ролик Flash"),
}


def _what_else(data: bytes) -> str:
    """Words for content that is not an accepted type."""
    if data.startswith(
        (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
    ):
        return _("исполняемая программа")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("документ старого формата (DOC или XLS; сохраните его как DOCX или XLSX)")
    if _looks_like_text(data):
        return _what_text_is(data)
    kind = filetype.guess(data[:8192])
    if kind is not None:
        if kind.mime.startswith(("video/", "audio/")):
            return _("видео или звукозапись")
        if kind.extension in _OTHER_KINDS:
            return str(_OTHER_KINDS[kind.extension])
        return _("файл типа %(type)s") % {"type": kind.extension.upper()}
    return _("файл неизвестного типа")


def _office_type(name: str, data: bytes) -> str | None:
    """DOCX, XLSX or ODT by the members of the ZIP archive; None for another archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _damaged(name, _("документ")) from None
    if len(members) > MEMBERS_MAX or sum(member.file_size for member in members) > UNPACKED_MAX:
        raise EvidenceRefused(
            _("Файл «%(name)s» распаковывается больше чем в %(limit)s: такие файлы не принимаются.")
            % {"name": name, "limit": megabytes(UNPACKED_MAX)}
        )
    names = {member.filename for member in members}
    if any(member.lower().endswith("vbaproject.bin") for member in names):
        raise EvidenceRefused(
            _(
                "Файл «%(name)s» содержит макросы: такие файлы не принимаются. "
                "Сохраните его как обычный документ DOCX или XLSX."
            )
            % {"name": name}
        )
    if "mimetype" in names:
        try:
            with archive.open("mimetype") as member:
                mimetype = member.read(100).strip()
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
            raise _damaged(name, "ODT") from None
        if mimetype == ODT.encode():
            return ODT
        if mimetype.startswith(b"application/vnd.oasis.opendocument."):
            raise _refuse_as(
                name, _("документ OpenDocument другого вида (сохраните его как ODT или XLSX)")
            )
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _clean_image(name: str, data: bytes, content_type: str) -> bytes:
    """The photo re-encoded: turned as its EXIF orientation says, with no EXIF (location
    included), no text chunks and no comments; only the colour profile is kept."""
    label = KINDS[content_type][0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                expected = {"JPEG", "MPO"} if content_type == JPEG else {"PNG"}
                if probe.format not in expected:  # MPO: a phone's JPEG with a preview
                    raise _damaged(name, label)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                icc_profile = image.info.get("icc_profile")
                transparency = image.info.get("transparency")
                turned = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise EvidenceRefused(
            _(
                "Изображение «%(name)s» слишком велико по числу точек: такие файлы не "
                "принимаются. Уменьшите его."
            )
            % {"name": name}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _damaged(name, label) from None

    clean = Image.new(turned.mode, turned.size)  # a new image: no info, no EXIF carried over
    if turned.mode == "P":
        clean.putpalette(turned.getpalette(rawmode="RGB") or [])
    clean.paste(turned)
    out = io.BytesIO()
    options: dict = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    try:
        if content_type == JPEG:
            clean.save(out, "JPEG", quality=92, **options)
        else:
            if transparency is not None:
                options["transparency"] = transparency
            clean.save(out, "PNG", optimize=False, **options)
    except (OSError, ValueError):
        raise _damaged(name, label) from None
    return out.getvalue()


# --- the checks -----------------------------------------------------------------------------


def check_evidence_file(upload: UploadedFile) -> CheckedFile:
    """The uploaded file as it may be stored, or EvidenceRefused with the reason."""
    name = clean_name(getattr(upload, "name", ""))
    limit = settings.EVIDENCE_MAX_SIZE
    data = _read_bounded(upload, name, limit)
    if not data:
        raise EvidenceRefused(
            _("Файл «%(name)s» пустой: в нём нет ни одного байта.") % {"name": name}
        )

    if data.startswith(b"%PDF-"):
        content_type = PDF
    elif data.startswith(b"PK\x03\x04"):
        content_type = _office_type(name, data)
        if content_type is None:
            raise _refuse_as(name, _("архив ZIP"))
    elif data.startswith(b"\xff\xd8\xff"):
        content_type = JPEG
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = PNG
    else:
        raise _refuse_as(name, _what_else(data))

    if content_type in (JPEG, PNG):
        data = _clean_image(name, data, content_type)
        if len(data) > limit:
            raise EvidenceRefused(
                _("Файл «%(name)s» больше %(limit)s: такие файлы не принимаются. Уменьшите его.")
                % {"name": name, "limit": megabytes(limit)}
            )
    return CheckedFile(name=name_for(name, content_type), content_type=content_type, data=data)


def check_evidence_link(text: str) -> str:
    """An http(s) address of at most LINK_MAX characters, stripped of surrounding spaces."""
    link = (text or "").strip()
    shown = link if len(link) <= 80 else link[:77] + "…"
    if not link:
        raise EvidenceRefused(_("Ссылка пустая: вставьте адрес, который начинается с https://."))
    if len(link) > LINK_MAX:
        raise EvidenceRefused(
            _("Ссылка «%(link)s» длиннее %(limit)s знаков: такие ссылки не принимаются.")
            % {"link": shown, "limit": LINK_MAX}
        )
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise EvidenceRefused(
            _(
                "Ссылка «%(link)s» — не адрес страницы: принимаются только ссылки, "
                "которые начинаются с http:// или https://."
            )
            % {"link": shown}
        ) from None
    return link
