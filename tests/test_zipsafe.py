"""The bounded zip reader: real documents pass, zip bombs are refused in bounded memory, Strict Open XML
becomes Transitional, and damaged archives give a ManuscriptError, never another exception."""

from __future__ import annotations

import io
import random
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image

from bookforge.errors import ManuscriptError
from bookforge import zipsafe
from bookforge.zipsafe import MB

REPO = Path(__file__).resolve().parent.parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(paragraphs: list[str], *, picture: bool = False, title: str = "") -> bytes:
    """A real Word document, as python-docx writes it."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if picture:
        png = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(png, "PNG")
        document.add_picture(io.BytesIO(png.getvalue()))
    document.core_properties.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def texts(data: bytes) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs]


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# Fields of a central-directory entry, which is what zipfile trusts (offsets from its signature).
FLAGS, METHOD, CRC, UNCOMPRESSED = (8, "<H"), (10, "<H"), (16, "<I"), (24, "<I")


def patch_central(data: bytes, member: str, field: tuple[int, str], value: int) -> bytes:
    """Rewrite one field of `member`'s central-directory entry."""
    out = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        (length,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46:at + 46 + length] == member.encode():
            struct.pack_into(field[1], out, at + field[0], value)
            return bytes(out)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} is not in the central directory")


# --- real documents -----------------------------------------------------------------------------

PARAGRAPHS = ["Chapter One", "It was a dark and stormy night.", "“Quotes”, dashes — and café."]


def test_a_real_document_passes_and_opens_with_the_same_paragraphs():
    data = docx_bytes(PARAGRAPHS, picture=True)
    assert texts(zipsafe.open_docx_bytes(data, "story.docx")) == texts(data)
    assert texts(data)[:3] == PARAGRAPHS


def test_read_members_inflates_every_member_or_the_wanted_ones():
    data = docx_bytes(PARAGRAPHS)
    assert zipsafe.read_members(data, "story.docx") == members_of(data)
    word = zipsafe.read_members(data, "story.docx", wanted=lambda name: name.startswith("word/"))
    assert "word/document.xml" in word and all(name.startswith("word/") for name in word)


def test_repack_is_deterministic_stored_and_opens_with_the_same_paragraphs():
    members = zipsafe.read_members(docx_bytes(PARAGRAPHS, picture=True), "story.docx")
    packed = zipsafe.repack(members)
    assert packed == zipsafe.repack(dict(reversed(list(members.items()))))
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
    assert texts(packed)[:3] == PARAGRAPHS
    assert len(docx.Document(io.BytesIO(packed)).inline_shapes) == 1


def test_a_novel_sized_word_document_passes():
    """300 000 words in Word-like markup (rsids, fonts, a run every few words): about 20 MB of XML."""
    rng = random.Random(7)
    syllables = [c + v for c in "bcdfghklmnprstw" for v in ("a", "e", "i", "o", "u", "ea", "ou")]
    vocabulary = ["".join(rng.choices(syllables, k=rng.randint(1, 3))) for _ in range(3000)]
    rsids = [f"00{rng.randrange(16**6):06X}" for _ in range(60)]
    run = ('<w:r w:rsidR="{}" w:rsidRPr="{}"><w:rPr><w:rFonts w:ascii="Garamond" w:hAnsi="Garamond" '
           'w:cs="Times New Roman"/><w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-GB"/></w:rPr>'
           '<w:t xml:space="preserve">{} </w:t></w:r>')
    body = []
    for _ in range(300_000 // 60):
        runs = "".join(run.format(rng.choice(rsids), rng.choice(rsids), " ".join(rng.choices(vocabulary, k=4)))
                       for _ in range(15))
        body.append(f'<w:p w:rsidR="{rng.choice(rsids)}"><w:pPr><w:spacing w:after="120"/></w:pPr>{runs}</w:p>')
    xml = f'<w:document xmlns:w="{W_NS}"><w:body>{"".join(body)}</w:body></w:document>'.encode()
    assert 18 * MB < len(xml) < zipsafe.MAX_MEMBER_BYTES
    members = members_of(docx_bytes(["x"]))
    members["word/document.xml"] = xml
    data = zipped(members)
    packed = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").compress_size
    assert len(xml) / packed < zipsafe.MAX_RATIO / 4
    assert zipsafe.read_members(data, "novel.docx")["word/document.xml"] == xml
    assert zipsafe.open_docx_bytes(data, "novel.docx") is data


# --- limits -------------------------------------------------------------------------------------


def test_too_many_members_are_refused_before_zipfile_parses_them():
    data = zipped({f"media/{n}.txt": b"" for n in range(zipsafe.MAX_MEMBERS + 1)})
    with pytest.raises(ManuscriptError, match=r"it has 10001 members \(the limit is 10000\): refused as a possible"):
        zipsafe.read_members(data, "many.docx")


def test_a_member_compressed_beyond_the_ratio_is_refused_and_a_small_one_is_not():
    blank = zipped({"word/media/blank.bmp": bytes(2 * MB)})
    refused = r"^blank\.docx: word/media/blank\.bmp would inflate \d+-fold \(the limit is 200-fold\)"
    with pytest.raises(ManuscriptError, match=refused):
        zipsafe.read_members(blank, "blank.docx")
    assert zipsafe.read_members(zipped({"word/header1.xml": bytes(MB // 2)}), "small.docx")


def test_the_members_together_are_limited(monkeypatch):
    monkeypatch.setattr(zipsafe, "MAX_TOTAL_BYTES", 150_000)
    data = zipped({"a.bin": random.Random(1).randbytes(100_000), "b.bin": random.Random(2).randbytes(100_000)})
    with pytest.raises(ManuscriptError, match="together"):
        zipsafe.read_members(data, "two.docx")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_members_compressed_otherwise_than_word_and_epub_writers_do_are_refused_unopened(method, monkeypatch):
    """zipfile inflates bzip2 and LZMA a whole block at a time, past any bound: such a member is refused
    on its declared method, before it is opened (the stream's bound is for stored and deflated ones)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr(zipfile.ZipInfo("word/document.xml"), b"<w:document/>", compress_type=method)
    monkeypatch.setattr(zipsafe, "_inflate", lambda *args: pytest.fail("the member was opened"))
    with pytest.raises(ManuscriptError) as caught:
        zipsafe.read_members(out.getvalue(), "packed.docx")
    assert caught.value.message == ("not a readable Word document: word/document.xml uses a compression method "
                                    "bookforge cannot read (only stored and deflated members, as Word and EPUB "
                                    "writers make)")
    assert caught.value.path == "packed.docx" and caught.value.hint


def test_unwanted_members_are_never_inflated_nor_refused():
    data = zipped({"word/document.xml": b"<w:document/>", "junk.bin": bytes(400 * MB // 8)})
    assert zipsafe.read_members(data, "x.docx", wanted=lambda name: name.endswith(".xml")) == {
        "word/document.xml": b"<w:document/>"}


# --- the zip bomb -------------------------------------------------------------------------------

BOMB_MB = 1500


@pytest.fixture(scope="session")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """A .docx-shaped zip whose word/document.xml inflates to 1500 MB (about 1.5 MB on disk), written in
    1 MiB chunks, with its declared size honest, lying small, and lying just under the member limit."""
    folder = tmp_path_factory.mktemp("bombs")
    honest = folder / "honest.docx"
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members_of(docx_bytes(["x"])).items():
            if name != "word/document.xml":
                archive.writestr(name, data)
        with archive.open("word/document.xml", "w", force_zip64=True) as stream:
            stream.write(f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r>'.encode())
            chunk = b"<w:t>" + b"a" * (MB - 11) + b"</w:t>"
            for _ in range(BOMB_MB):
                stream.write(chunk)
    data = honest.read_bytes()
    assert len(data) < 3 * MB
    paths = {"honest": honest}
    # bzip2 packs 400 MB of zeros into a few hundred bytes, and zipfile would inflate it a whole
    # block at a time: declared 1000 bytes, it is refused on its method before it is opened.
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>", compress_type=zipfile.ZIP_DEFLATED)
        with archive.open("word/document.xml", "w") as stream:
            for _ in range(400):
                stream.write(bytes(MB))
    paths["bzip2"] = folder / "bzip2.docx"
    paths["bzip2"].write_bytes(patch_central(packed.getvalue(), "word/document.xml", UNCOMPRESSED, 1000))
    for variant, size in (("lying-small", 4096), ("lying-near-limit", zipsafe.MAX_MEMBER_BYTES - MB)):
        paths[variant] = folder / f"{variant}.docx"
        paths[variant].write_bytes(patch_central(data, "word/document.xml", UNCOMPRESSED, size))
    return paths


@pytest.mark.slow
def test_an_honest_bomb_is_refused_on_its_declared_size(bombs):
    with pytest.raises(ManuscriptError) as caught:
        zipsafe.open_docx_bytes(bombs["honest"].read_bytes(), "bomb.docx")
    assert re.fullmatch(r"word/document\.xml would inflate to 150\d MB \(the limit is 48 MB\): "
                        r"refused as a possible zip bomb", caught.value.message)
    assert caught.value.path == "bomb.docx" and caught.value.hint


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["lying-small", "lying-near-limit"])
def test_a_bomb_lying_about_its_size_is_refused(bombs, variant):
    with pytest.raises(ManuscriptError) as caught:
        zipsafe.open_docx_bytes(bombs[variant].read_bytes(), "bomb.docx")
    assert caught.value.message == "not a readable Word document: word/document.xml does not match its checksum"


@pytest.mark.slow
def test_the_stream_is_bounded_even_without_the_declared_size_check(bombs, monkeypatch):
    monkeypatch.setattr(zipsafe, "_check_declared", lambda *declared: None)
    with pytest.raises(ManuscriptError, match=r"^bomb\.docx: word/document\.xml inflates to more than 48 MB: refused"):
        zipsafe.open_docx_bytes(bombs["honest"].read_bytes(), "bomb.docx")


# Measured in a child process. Linux starts an exec'd process's ru_maxrss at its parent's peak (pytest's
# own), so the child forks first and the fresh fork, whose count starts from its own few MB, does the read.
# The 1 GiB address-space cap is a safety net; VmHWM (the same peak, from /proc) is a cross-check.
MEASURE = """
import os, resource, sys
if os.fork():
    sys.exit(os.waitstatus_to_exitcode(os.wait()[1]))
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from bookforge.errors import ManuscriptError
from bookforge import zipsafe
path, variant = sys.argv[1:]
if variant == "unchecked":
    zipsafe._check_declared = lambda *declared: None
try:
    zipsafe.open_docx_bytes(open(path, "rb").read(), "bomb.docx")
    outcome = "accepted"
except ManuscriptError as exc:
    outcome = exc.message
hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, int(hwm) // 1024)
print(outcome)
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS, /proc and ru_maxrss in KiB are Linux's")
@pytest.mark.parametrize("variant", ["honest", "lying-small", "lying-near-limit", "unchecked", "bzip2"])
def test_reading_a_bomb_keeps_peak_memory_under_200_mb(bombs, variant):
    path = bombs["honest" if variant == "unchecked" else variant]
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path), variant], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    peaks, outcome = done.stdout.strip().split("\n")
    maxrss_mb, hwm_mb = map(int, peaks.split())
    print(f"{variant}: ru_maxrss {maxrss_mb} MB, VmHWM {hwm_mb} MB; {outcome}")
    assert maxrss_mb < 200 and hwm_mb < 200
    assert "word/document.xml" in outcome


# --- Strict Open XML ----------------------------------------------------------------------------

# Transitional → Strict as ECMA-376 Part 1 names them: the test's own table, not the module's rule.
TO_STRICT = [
    ("officeDocument/2006/relationships/extended-properties", "officeDocument/relationships/extendedProperties"),
    ("officeDocument/2006/relationships/custom-properties", "officeDocument/relationships/customProperties"),
    ("officeDocument/2006/relationships", "officeDocument/relationships"),
    ("officeDocument/2006/extended-properties", "officeDocument/extendedProperties"),
    ("officeDocument/2006/custom-properties", "officeDocument/customProperties"),
    ("officeDocument/2006/docPropsVTypes", "officeDocument/docPropsVTypes"),
    ("officeDocument/2006/math", "officeDocument/math"),
    ("officeDocument/2006/bibliography", "officeDocument/bibliography"),
    ("officeDocument/2006/customXml", "officeDocument/customXml"),
    ("officeDocument/2006/sharedTypes", "officeDocument/sharedTypes"),
    ("wordprocessingml/2006/main", "wordprocessingml/main"),
    ("drawingml/2006/main", "drawingml/main"),
    ("drawingml/2006/wordprocessingDrawing", "drawingml/wordprocessingDrawing"),
    ("drawingml/2006/picture", "drawingml/picture"),
    ("drawingml/2006/chart", "drawingml/chart"),
    ("schemaLibrary/2006/main", "schemaLibrary/main"),
]
TRANSITIONAL, STRICT = "http://schemas.openxmlformats.org/", "http://purl.oclc.org/ooxml/"


def to_strict(members: dict[str, bytes]) -> dict[str, bytes]:
    """What Word's "Strict Open XML Document" save type would have written instead."""
    converted = {}
    for name, data in members.items():
        if name.endswith((".xml", ".rels")):
            for transitional, strict in TO_STRICT:
                data = data.replace((TRANSITIONAL + transitional).encode(), (STRICT + strict).encode())
        converted[name] = data
    return converted


def test_a_strict_document_becomes_the_transitional_one_it_came_from():
    data = docx_bytes(PARAGRAPHS, picture=True, title="Storm")
    members = members_of(data)
    strict = to_strict(members)
    assert zipsafe.is_strict(strict) and not zipsafe.is_strict(members)
    assert b"schemas.openxmlformats.org/wordprocessingml" not in strict["word/document.xml"]
    assert b"drawingml/picture" in strict["word/document.xml"]
    with pytest.raises(KeyError):  # what python-docx does with a Strict file
        docx.Document(io.BytesIO(zipsafe.repack(strict)))
    assert zipsafe.to_transitional(strict) == members
    opened = docx.Document(io.BytesIO(zipsafe.open_docx_bytes(zipsafe.repack(strict), "strict.docx")))
    assert [paragraph.text for paragraph in opened.paragraphs] == texts(data)
    assert len(opened.inline_shapes) == 1 and opened.core_properties.title == "Storm"


@pytest.mark.parametrize("strict, transitional", [
    ("wordprocessingml/main", "wordprocessingml/2006/main"),
    ("officeDocument/relationships", "officeDocument/2006/relationships"),
    ("officeDocument/relationships/officeDocument", "officeDocument/2006/relationships/officeDocument"),
    ("officeDocument/relationships/styles", "officeDocument/2006/relationships/styles"),
    ("officeDocument/relationships/extendedProperties", "officeDocument/2006/relationships/extended-properties"),
    ("officeDocument/relationships/customProperties", "officeDocument/2006/relationships/custom-properties"),
    ("officeDocument/extendedProperties", "officeDocument/2006/extended-properties"),
    ("officeDocument/extended-properties", "officeDocument/2006/extended-properties"),  # LibreOffice's spelling
    ("officeDocument/customProperties", "officeDocument/2006/custom-properties"),
    ("officeDocument/docPropsVTypes", "officeDocument/2006/docPropsVTypes"),
    ("officeDocument/math", "officeDocument/2006/math"),
    ("officeDocument/bibliography", "officeDocument/2006/bibliography"),
    ("officeDocument/customXml", "officeDocument/2006/customXml"),
    ("officeDocument/customXmlDataProps", "officeDocument/2006/customXml"),
    ("drawingml/main", "drawingml/2006/main"),
    ("drawingml/wordprocessingDrawing", "drawingml/2006/wordprocessingDrawing"),
    ("drawingml/picture", "drawingml/2006/picture"),
    ("drawingml/chart", "drawingml/2006/chart"),
    ("schemaLibrary/main", "schemaLibrary/2006/main"),
])
def test_each_strict_uri_has_its_transitional_equivalent(strict, transitional):
    xml = f"<x xmlns:a='{STRICT}{strict}' Type=\"{STRICT}{strict}\"/>".encode()
    expected = f"<x xmlns:a='{TRANSITIONAL}{transitional}' Type=\"{TRANSITIONAL}{transitional}\"/>".encode()
    assert zipsafe.to_transitional({"word/part.xml": xml, "media/a.bin": xml}) == {
        "word/part.xml": expected, "media/a.bin": xml}


def test_text_that_mentions_a_strict_uri_is_left_alone():
    xml = f'<w:t>see {STRICT}wordprocessingml/main for details</w:t>'.encode()
    assert zipsafe.to_transitional({"word/document.xml": xml}) == {"word/document.xml": xml}


def test_a_word_shaped_strict_package_opens():
    """The parts Word writes for "Strict Open XML Document", w:conformance included."""
    rel = f"{STRICT}officeDocument/relationships"
    members = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '<Override PartName="/word/styles.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId2" Type="{rel}/extendedProperties" Target="docProps/app.xml"/>'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>'),
        "docProps/app.xml": (
            f'<Properties xmlns="{STRICT}officeDocument/extendedProperties" '
            f'xmlns:vt="{STRICT}officeDocument/docPropsVTypes"><Application>Microsoft Office Word</Application>'
            '</Properties>'),
        "word/_rels/document.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/styles" Target="styles.xml"/></Relationships>'),
        "word/styles.xml": (
            f'<w:styles xmlns:w="{STRICT}wordprocessingml/main">'
            '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
            '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>'),
        "word/document.xml": (
            f'<w:document xmlns:w="{STRICT}wordprocessingml/main" xmlns:r="{rel}" '
            f'xmlns:m="{STRICT}officeDocument/math" w:conformance="strict"><w:body>'
            '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>One</w:t></w:r></w:p>'
            '<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>Rain.</w:t></w:r></w:p></w:body></w:document>'),
    }
    data = zipped({name: text.encode() for name, text in members.items()})
    opened = docx.Document(io.BytesIO(zipsafe.open_docx_bytes(data, "strict.docx")))
    assert [(p.style.name, p.text) for p in opened.paragraphs] == [("Heading 1", "One"), ("Normal", "Rain.")]
    assert opened.paragraphs[1].runs[0].italic is True


# --- damaged input ------------------------------------------------------------------------------


def _holed(data: bytes) -> bytes:
    """word/document.xml's compressed bytes overwritten in the middle."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    names, extra = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + names + extra + info.compress_size // 3
    return data[:start] + b"\xff" * 40 + data[start + 40:]


GOOD = docx_bytes(PARAGRAPHS * 20)
DAMAGED = {
    "random bytes": (random.Random(3).randbytes(5000), "(not a zip archive, or a damaged one)"),
    "empty": (b"", "(not a zip archive, or a damaged one)"),
    "truncated": (GOOD[: len(GOOD) // 2], "(not a zip archive, or a damaged one)"),
    "holed member": (_holed(GOOD), "word/document.xml"),
    "wrong checksum": (patch_central(GOOD, "word/document.xml", CRC, 1234),
                       ": word/document.xml does not match its checksum"),
    "encrypted": (patch_central(GOOD, "word/document.xml", FLAGS, 1), ": word/document.xml is encrypted"),
    "unknown method": (patch_central(GOOD, "word/document.xml", METHOD, 99),
                       ": word/document.xml uses a compression method bookforge cannot read"),
}


@pytest.mark.parametrize("case", DAMAGED)
def test_damaged_input_is_a_manuscript_error(case):
    data, expected = DAMAGED[case]
    with pytest.raises(ManuscriptError) as caught:
        zipsafe.open_docx_bytes(data, "broken.docx")
    assert caught.value.message.startswith("not a readable Word document")
    assert expected in caught.value.message and caught.value.path == "broken.docx" and caught.value.hint


def test_a_zip_without_a_document_part_is_read_all_the_same():
    data = zipped({"mimetype": b"application/epub+zip", "notes.txt": b"hello"})
    assert zipsafe.read_members(data, "odd.docx") == {"mimetype": b"application/epub+zip", "notes.txt": b"hello"}
    assert zipsafe.open_docx_bytes(data, "odd.docx") is data
    assert zipsafe.read_members(zipped({"word/": b"", "a": b"x"}), "odd.docx") == {"a": b"x"}


def test_a_member_with_an_empty_name_is_read():
    """zipfile will not write one, so the name "a" becomes a one-byte extra field in both headers."""
    data = bytearray(zipped({"a": b"nameless"}))
    for signature, lengths in ((b"PK\x03\x04", 26), (b"PK\x01\x02", 28)):
        struct.pack_into("<HH", data, data.find(signature) + lengths, 0, 1)
    assert zipsafe.read_members(bytes(data), "odd.docx") == {"": b"nameless"}


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_mangled_bytes_never_raise_anything_but_a_manuscript_error(method):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members_of(GOOD).items():
            archive.writestr(name, data)
    good = out.getvalue()
    directory = good.find(b"PK\x01\x02")
    rng = random.Random(method)
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 10)):  # half the time in the headers zipfile parses first
            at = rng.randrange(directory, len(data)) if rng.random() < 0.5 else rng.randrange(len(data))
            data[at] = rng.randrange(256)
        if rng.random() < 0.2:
            del data[rng.randrange(len(data)):]
        try:
            zipsafe.open_docx_bytes(bytes(data), "mangled.docx")
        except ManuscriptError as exc:
            assert exc.message and exc.path == "mangled.docx"
