"""Evidence files (issue 8): what may become report evidence is decided by content, photos lose
their location, bombs and programs are refused with a Russian reason, and a file is downloaded
only by those who may read its report."""

import io
import struct
import zipfile
import zlib
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    SimpleUploadedFile,
    TemporaryUploadedFile,
)
from django.urls import reverse
from docx import Document
from openpyxl import Workbook
from PIL import ExifTags, Image

from measures.evidence import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    XLSX,
    CheckedFile,
    EvidenceRefused,
    check_evidence_file,
    check_evidence_link,
    clean_name,
)
from measures.models import Evidence
from schools.services import appoint
from tests import factories

MB = 1024 * 1024

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(EvidenceRefused) as caught:
        check_evidence_file(upload(name, data))
    assert str(caught.value) == caught.value.message
    return caught.value.message


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("Протокол совещания директоров")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active["A1"] = "Охват детей"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
            "<office:text><text:p>Справка</text:p></office:text></office:body>"
            "</office:document-content>",
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
    return out.getvalue()


def photo_with_location(fmt: str, orientation: int = 1) -> bytes:
    image = Image.new("RGB", (30, 20), (200, 30, 30))
    image.paste((0, 0, 255), (0, 0, 8, 8))  # a blue corner shows where the turn put it
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Телефон директора"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 45.0, 21.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (37.0, 37.0, 4.0)
    out = io.BytesIO()
    options = {"exif": exif}
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Comment", "Школа № 5, ул. Ленина, 1")
        options["pnginfo"] = text
    image.save(out, fmt, **options)
    return out.getvalue()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


# --- accepted types -----------------------------------------------------------------------


def test_a_pdf_is_accepted_as_it_is():
    checked = check_evidence_file(upload("Отчёт о встрече.pdf", TINY_PDF))
    assert checked == CheckedFile(name="Отчёт о встрече.pdf", content_type=PDF, data=TINY_PDF)


@pytest.mark.parametrize(
    ("name", "build", "content_type", "stored_name"),
    [
        ("Протокол.docx", docx_bytes, DOCX, "Протокол.docx"),
        ("Охват.XLSX", xlsx_bytes, XLSX, "Охват.xlsx"),
        ("Справка.odt", odt_bytes, ODT, "Справка.odt"),
        # the name lies: the content decides, and the stored name gets the real extension
        ("Протокол.pdf", docx_bytes, DOCX, "Протокол.docx"),
        ("Охват", xlsx_bytes, XLSX, "Охват.xlsx"),
        ("Справка от 12.03.2024", odt_bytes, ODT, "Справка от 12.03.2024.odt"),
    ],
)
def test_office_documents_are_known_by_their_members(name, build, content_type, stored_name):
    data = build()
    checked = check_evidence_file(upload(name, data))
    assert (checked.name, checked.content_type, checked.data) == (stored_name, content_type, data)


def test_a_jpeg_loses_its_location_and_is_turned_as_the_phone_held_it():
    data = photo_with_location("JPEG", orientation=6)  # 6: turn 90° clockwise to show
    assert gps_of(data)  # the test photo does carry a location
    checked = check_evidence_file(upload("Линейка.JPEG", data))
    assert (checked.name, checked.content_type) == ("Линейка.jpeg", JPEG)
    assert gps_of(checked.data) == {}
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.format == "JPEG"
        assert image.size == (20, 30)
        assert not image.getexif()  # no orientation left to apply twice, no phone model
        assert "exif" not in image.info
        red, _green, blue = image.getpixel((16, 3))  # the blue corner, turned to the right
        assert blue > 150 and red < 100


def test_a_png_loses_its_location_and_its_text():
    data = photo_with_location("PNG")
    assert gps_of(data)
    checked = check_evidence_file(upload("Стенд.png", data))
    assert checked.content_type == PNG
    assert gps_of(checked.data) == {}
    assert b"eXIf" not in checked.data and "Ленина".encode() not in checked.data
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.format == "PNG"
        assert image.size == (30, 20)
        assert image.getpixel((3, 3)) == (0, 0, 255)
        assert "Comment" not in image.info


def test_a_photo_with_a_pdf_name_is_stored_as_a_photo():
    checked = check_evidence_file(upload("скан.pdf", photo_with_location("JPEG")))
    assert (checked.name, checked.content_type) == ("скан.jpg", JPEG)


# --- refusals -----------------------------------------------------------------------------

ACCEPTED = "Принимаются файлы PDF, DOCX, XLSX, ODT, JPG и PNG."


def test_a_renamed_program_is_refused_with_the_reason():
    message = refusal("отчёт.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    assert message == (
        "Файл «отчёт.pdf» — не PDF, а исполняемая программа: такие файлы не принимаются. "
        + ACCEPTED
    )
    assert "исполняемая программа" in refusal("фото.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 60)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "план.docx",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "не DOCX, а веб-страница (HTML)",
        ),
        (
            "схема.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "не PNG, а рисунок SVG",
        ),
        ("рисунок.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "— рисунок SVG"),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n", "— сценарий (программа)"),
        (
            "старый.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "сохраните его как DOCX или XLSX",
        ),
        ("анимация.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "изображение GIF"),
        ("шум.bin", bytes(range(256)) * 4, "файл неизвестного типа"),
    ],
)
def test_other_content_is_refused_and_the_accepted_types_are_named(name, data, reason):
    message = refusal(name, data)
    assert message.startswith(f"Файл «{name}»")
    assert reason in message
    assert message.endswith(ACCEPTED)


def test_a_zip_that_is_no_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("virus.exe", b"MZ")
    assert "— не DOCX, а архив ZIP" in refusal("Протокол.docx", out.getvalue())


def test_an_opendocument_spreadsheet_is_refused_with_advice():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    message = refusal("Охват.odt", out.getvalue())
    assert (
        "— не ODT, а документ OpenDocument другого вида (сохраните его как ODT или XLSX)" in message
    )


def test_a_document_with_macros_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\x00" * 10)
    assert "содержит макросы" in refusal("Протокол.docx", out.getvalue())


def test_a_zip_bomb_is_refused_without_unpacking():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = b"\x00" * (8 * MB)
            for _ in range(26):  # 208 MB unpacked, under 1 MB packed
                member.write(zeros)
    data = out.getvalue()
    assert len(data) < MB
    message = refusal("Протокол.docx", data)
    assert message == (
        "Файл «Протокол.docx» распаковывается больше чем в 200 МБ: такие файлы не принимаются."
    )


def test_an_image_of_too_many_pixels_is_refused_not_a_server_error():
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)  # 10¹⁰ RGB points
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )
    assert refusal("карта.png", bomb) == (
        "Изображение «карта.png» слишком велико по числу точек: такие файлы не принимаются. "
        "Уменьшите его."
    )


@pytest.mark.parametrize(
    ("name", "data", "label"),
    [
        ("фото.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "JPG"),
        ("фото.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "PNG"),
        ("Протокол.docx", b"PK\x03\x04" + b"\x00" * 40, "документ"),
    ],
)
def test_a_damaged_file_is_refused_as_damaged(name, data, label):
    assert refusal(name, data) == (
        f"Файл «{name}» похож на {label}, но не открывается: он повреждён. "
        "Сохраните его заново и загрузите ещё раз."
    )


def test_an_empty_file_is_refused():
    assert refusal("пусто.pdf", b"") == "Файл «пусто.pdf» пустой: в нём нет ни одного байта."


def test_a_file_one_byte_over_the_limit_is_refused_naming_the_limit():
    assert settings.EVIDENCE_MAX_SIZE == 20 * MB
    spooled = TemporaryUploadedFile("Большой скан.pdf", "application/pdf", 0, None)
    spooled.write(b"%PDF-1.4\n" + b"0" * (20 * MB + 1 - 9))
    spooled.size = 20 * MB + 1
    with spooled, pytest.raises(EvidenceRefused) as caught:
        check_evidence_file(spooled)
    assert caught.value.message == (
        "Файл «Большой скан.pdf» больше 20 МБ: такие файлы не принимаются. Уменьшите его."
    )


class CountingFile(io.BytesIO):
    """A file that remembers the most bytes asked for at once and in all."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.total = 0

    def read(self, size: int | None = -1) -> bytes:
        piece = super().read(size)
        self.total += len(piece)
        return piece


def test_a_file_of_unknown_size_is_read_only_to_one_byte_over_the_limit(settings):
    settings.EVIDENCE_MAX_SIZE = 3 * MB
    stream = CountingFile(b"%PDF-1.4\n" + b"0" * (10 * MB))
    sized_wrongly = InMemoryUploadedFile(stream, "file", "скан.pdf", "application/pdf", None, None)
    with pytest.raises(EvidenceRefused, match="больше 3 МБ"):
        check_evidence_file(sized_wrongly)
    assert stream.total == 3 * MB + 1
    # exactly at the limit is accepted
    exact = CountingFile(b"%PDF-1.4\n" + b"0" * (3 * MB - 9))
    at_limit = InMemoryUploadedFile(exact, "file", "скан.pdf", "application/pdf", None, None)
    assert len(check_evidence_file(at_limit).data) == 3 * MB


# --- names and links ----------------------------------------------------------------------


def test_names_lose_paths_and_control_characters_and_keep_cyrillic():
    assert clean_name("C:\\Users\\Директор\\Мои документы\\Отчёт  №5.pdf") == "Отчёт №5.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("отчёт\u202egpj.exe") == "отчётgpj.exe"  # no right-to-left trick
    assert clean_name("a\x00b\r\nc\t1 .pdf") == "ab c 1 .pdf"
    assert clean_name('что?<такое>:"|*.pdf') == "что__такое_____.pdf"
    assert clean_name("") == "файл"
    assert clean_name("...") == "файл"
    long = clean_name("Я" * 300 + ".docx")
    assert len(long) == 200 and long.endswith("Я.docx")


def test_the_stored_name_is_clean_too():
    checked = check_evidence_file(upload("/tmp/x/" + "Ж" * 250 + ".pdf", TINY_PDF))
    assert len(checked.name) == 200 and checked.name.endswith(".pdf")


def test_links_are_http_addresses_only():
    assert (
        check_evidence_link("  https://школа5.рф/новости/линейка  ")
        == "https://школа5.рф/новости/линейка"
    )
    assert check_evidence_link("http://example.ru/a?b=1") == "http://example.ru/a?b=1"
    for bad in (
        "javascript:alert(1)",
        "ftp://example.ru/f",
        "file:///etc/passwd",
        "школа.рф",
        "https://",
    ):
        with pytest.raises(
            EvidenceRefused, match="принимаются только ссылки, которые начинаются с http"
        ):
            check_evidence_link(bad)
    with pytest.raises(EvidenceRefused, match="Ссылка пустая"):
        check_evidence_link("   ")
    with pytest.raises(EvidenceRefused, match="длиннее 1000 знаков"):
        check_evidence_link("https://example.ru/" + "a" * 1000)


# --- download -----------------------------------------------------------------------------


@pytest.fixture
def evidence_files():
    """The evidence storage (a temporary folder in tests: tests/conftest.py)."""
    return Evidence._meta.get_field("file").storage


@pytest.fixture
def school_report(db, evidence_files):
    municipality = factories.MunicipalityFactory()
    school = factories.SchoolFactory(municipality=municipality)
    report = factories.ReportFactory(school=school)
    director = factories.UserFactory()
    appoint(user=director, role="director", target=school)
    stranger = factories.UserFactory()
    appoint(
        user=stranger, role="director", target=factories.SchoolFactory(municipality=municipality)
    )
    evidence = Evidence.objects.create(
        report=report,
        file=ContentFile(TINY_PDF, name="Отчёт о линейке.pdf"),
        original_name="Отчёт о линейке.pdf",
        content_type=PDF,
        size=len(TINY_PDF),
    )
    return {"evidence": evidence, "director": director, "stranger": stranger}


def test_the_director_downloads_the_file_under_its_russian_name(client, school_report):
    evidence = school_report["evidence"]
    assert str(settings.DATA_DIR) not in evidence.file.path  # tests write elsewhere
    assert evidence_files_name_is_opaque(evidence.file.name)
    client.force_login(school_report["director"])
    response = client.get(reverse("measures:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("Отчёт о линейке.pdf")
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def evidence_files_name_is_opaque(name: str) -> bool:
    """Stored under a name that says nothing (evidence/<report>/<uuid>.pdf)."""
    return name.startswith("evidence/") and "линейк" not in name and name.endswith(".pdf")


def test_a_director_of_another_school_gets_404(client, school_report):
    client.force_login(school_report["stranger"])
    url = reverse("measures:evidence_download", args=[school_report["evidence"].pk])
    assert client.get(url).status_code == 404


def test_the_municipality_coordinator_downloads_too(client, school_report):
    coordinator = factories.UserFactory()
    appoint(
        user=coordinator,
        role="coordinator",
        target=school_report["evidence"].report.school.municipality,
    )
    client.force_login(coordinator)
    url = reverse("measures:evidence_download", args=[school_report["evidence"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF


def test_an_anonymous_visitor_is_sent_to_login(client, school_report):
    url = reverse("measures:evidence_download", args=[school_report["evidence"].pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_link_row_and_a_missing_file_have_no_download(client, school_report):
    evidence = school_report["evidence"]
    link = Evidence.objects.create(report=evidence.report, link="https://example.ru/новость")
    client.force_login(school_report["director"])
    assert client.get(reverse("measures:evidence_download", args=[link.pk])).status_code == 404
    evidence.file.storage.delete(evidence.file.name)
    assert client.get(reverse("measures:evidence_download", args=[evidence.pk])).status_code == 404


# --- request bodies -------------------------------------------------------------------------


def test_the_report_form_url_has_its_own_body_limit(client, settings, db):
    assert settings.REQUEST_BODY_EVIDENCE_URLS == ["measures:report_edit"]
    assert settings.REQUEST_BODY_MAX_EVIDENCE == 101 * MB
    # the report form is written elsewhere; a list URL stands in for it here
    settings.REQUEST_BODY_EVIDENCE_URLS = ["measures:roadmap_list"]
    client.force_login(factories.UserFactory())
    url = reverse("measures:roadmap_list")

    def post(length: int):
        return client.post(
            url, data=b"x=1", content_type="application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(length),
        )  # fmt: skip

    assert post(100 * MB).status_code != 413
    response = post(102 * MB)
    assert response.status_code == 413
    assert "не больше 101 МБ" in response.text


# --- storage ------------------------------------------------------------------------------


def test_an_s3_bucket_in_the_environment_selects_the_s3_storage_without_connecting(monkeypatch):
    """The settings module as it reads the S3 variables; the storage is made as Django makes it,
    with an endpoint where nothing listens: neither may connect."""
    import importlib.util

    from django.utils.module_loading import import_string

    from roadmap_portal import settings as portal_settings

    monkeypatch.setenv("EVIDENCE_S3_BUCKET", "evidence")
    monkeypatch.setenv("EVIDENCE_S3_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("EVIDENCE_S3_ACCESS_KEY", "portal")
    monkeypatch.setenv("EVIDENCE_S3_SECRET_KEY", "secret-key")
    monkeypatch.delenv("EVIDENCE_S3_REGION", raising=False)
    spec = importlib.util.spec_from_file_location("s3_settings", portal_settings.__file__)
    s3_settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(s3_settings)
    backend = s3_settings.STORAGES["evidence"]
    assert backend["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = import_string(backend["BACKEND"])(**backend["OPTIONS"])
    assert (storage.bucket_name, storage.endpoint_url, storage.access_key, storage.secret_key) == (
        "evidence", "http://127.0.0.1:1", "portal", "secret-key",
    )  # fmt: skip
    assert (storage.region_name, storage.default_acl, storage.querystring_auth) == (
        "us-east-1", "private", False,
    )  # fmt: skip
    assert storage.addressing_style == "path"
    assert storage.file_overwrite is False


def test_without_a_bucket_evidence_stays_in_the_data_folder():
    backend = settings.STORAGES["evidence"]
    assert backend["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert backend["OPTIONS"]["location"] == str(settings.DATA_DIR / "evidence")


def test_the_proxy_lets_the_report_form_through_with_its_files():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    conf = (root / "deploy" / "nginx.conf").read_text()
    match = re.search(r"location ~ (\S+) \{\n\s+client_max_body_size 101m;", conf)
    assert match, "no 101m location for the report form"
    assert reverse("measures:report_detail", args=[7]) == "/roadmaps/reports/7/"  # the prefix
    assert re.match(match.group(1), "/roadmaps/reports/7/12/")
    assert not re.match(match.group(1), "/roadmaps/reports/7/")
    assert not re.match(match.group(1), "/roadmaps/reports/7/12/../../import/")
    compose = (root / "docker-compose.yml").read_text()
    services = compose.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    minio = services.split("\n  minio:\n", 1)[1].split("\n\n", 1)[0]
    setup = services.split("\n  minio-setup:\n", 1)[1].split("\n\n", 1)[0]
    assert "image: minio/minio" in minio and "ports:" not in minio
    assert "image: minio/mc" in setup and "mc mb --ignore-existing" in setup
    assert "EVIDENCE_S3_BUCKET:" in compose and "EVIDENCE_S3_ENDPOINT_URL:" in compose
    assert "condition: service_completed_successfully" in compose
