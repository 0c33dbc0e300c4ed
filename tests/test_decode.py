"""decode_bytes on real data the project did not write: the eval-sources samples in
their true encodings (listed in SOURCES.md beside them), CPython's test/cjkencodings
pairs, and real binary files. Cases and known misdetections: cases/decode_cases.json."""

from __future__ import annotations

import codecs
import gzip
import io
import pickle
import random
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, load_cases
from hypothesis import given
from hypothesis import strategies as st

import ingest
import ingest.decode as decode_module

SAMPLES = ROOT.parent / "shared" / "eval-sources"
NO_SAMPLES = f"{SAMPLES} is absent: the shared/ folder must sit beside the repository"
NO_CJK = "CPython's test/cjkencodings is not installed with this Python"
IDLE_ICONS = Path(codecs.__file__).parent / "idlelib" / "Icons"
CASES = load_cases("decode_cases.json")
FAILS_WITH = {"wrong_text": AssertionError, "refused": ingest.BinaryInputError}


def _true_encodings() -> dict[str, tuple[str, bool]]:
    """file -> (codec, has BOM), read from the table in SOURCES.md."""
    if not SAMPLES.is_dir():
        return {}
    rows = re.findall(r"^\| (sample-\S+) \| (\w+)( \(with BOM\))? \|",
                      (SAMPLES / "SOURCES.md").read_text(encoding="utf-8"), re.MULTILINE)
    return {name: (codec, bool(bom)) for name, codec, bom in rows}


def _cjk_dir() -> Path | None:
    try:
        import test  # CPython's own test package; some distributions leave it out
    except ImportError:
        return None
    path = Path(test.__file__).parent / "cjkencodings"
    return path if path.is_dir() else None


TRUE = _true_encodings()
CJK = _cjk_dir()


def sample_text(name: str) -> str:
    if not SAMPLES.is_dir():
        pytest.skip(NO_SAMPLES)
    codec, bom = TRUE[name]
    return (SAMPLES / name).read_bytes().decode("utf-8-sig" if bom else codec)


def _params(rows: list[dict], key: str) -> list:
    """Cases as pytest params, the known failures marked strict xfail."""
    out = []
    for row in rows:
        marks = []
        if "xfail" in row:
            marks = [pytest.mark.xfail(reason=row["xfail"], strict=True,
                                       raises=FAILS_WITH[row["fails_with"]])]
        name = f"{row[key]}:{row['encoding']}" if "encoding" in row else row[key]
        out.append(pytest.param(row, marks=marks, id=name))
    return out


def test_empty_input() -> None:
    assert ingest.decode_bytes(b"") == ingest.Decoded("", "utf-8", 1.0, False)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason=NO_SAMPLES)
@pytest.mark.parametrize("name", sorted(TRUE) or ["(none)"])
def test_eval_source_decodes_to_its_true_text(name: str) -> None:
    codec, bom = TRUE[name]
    decoded = ingest.decode_bytes((SAMPLES / name).read_bytes())
    assert decoded.text == sample_text(name)
    assert decoded.bom == bom
    if codec == "utf_8":
        assert (decoded.encoding, decoded.confidence) == ("utf-8", 1.0)
    else:
        assert 0.5 < decoded.confidence < 1


def test_eval_sources_table_is_read() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(NO_SAMPLES)
    assert len(TRUE) >= 18 and TRUE["sample-russian.txt"] == ("mac_cyrillic", False)


@pytest.mark.parametrize("case", _params(CASES["reencoded"], "file"))
def test_reencoded_sample_decodes_to_the_same_text(case: dict) -> None:
    text = sample_text(case["file"])
    decoded = ingest.decode_bytes(text.encode(case["encoding"]))
    assert decoded.text == text, f"read as {decoded.encoding}"
    assert not decoded.bom and 0 < decoded.confidence < 1


@pytest.mark.parametrize("case", _params(CASES["reported"], "text"))
def test_reported_bytes_decode_to_their_text(case: dict) -> None:
    decoded = ingest.decode_bytes(bytes.fromhex(case["hex"]))
    assert (decoded.text, decoded.encoding) == (case["text"], case["encoding"])
    assert 0.5 < decoded.confidence < 1


@pytest.mark.parametrize(("superset", "subset"), [
    ("cp1252", "latin-1"), ("gb18030", "gbk"), ("gbk", "gb2312"), ("cp949", "euc_kr"),
    ("euc_jis_2004", "euc_jp"), ("cp932", "shift_jis")])
def test_of_two_pages_that_read_alike_the_superset_is_named(superset: str, subset: str) -> None:
    # COMMON_PAGES lists the superset first, so it names a reading both give; checked
    # on the bytes they both decode, and they differ on at most a handful.
    order = [codecs.lookup(name).name for name in decode_module.COMMON_PAGES]
    assert order.index(codecs.lookup(superset).name) < order.index(codecs.lookup(subset).name)
    differ = 0
    for lead in range(0x80, 0x100):
        for data in [bytes([lead])] + [bytes([lead, trail]) for trail in range(0x40, 0x100)]:
            try:
                narrow = data.decode(subset)
            except UnicodeDecodeError:
                continue
            if len(narrow) != 1:  # two characters of a single-byte page
                continue
            try:
                differ += data.decode(superset) != narrow
            except UnicodeDecodeError:
                differ += 1
    assert differ <= 32  # 80-9F: Windows-1252's letters and quotes, Latin-1's C1 controls


def test_no_candidate_reads_as_text_is_binary() -> None:
    # Latin-1 decodes any bytes; random high bytes must still be refused.
    with pytest.raises(ingest.BinaryInputError, match="no code page reads it as plausible"):
        ingest.decode_bytes(bytes(b | 0x80 for b in _RANDOM))


@pytest.mark.skipif(CJK is None, reason=NO_CJK)
@pytest.mark.parametrize("case", _params(CASES["cjkencodings"], "codec"))
def test_cpython_cjk_pair_decodes_to_its_utf8_twin(case: dict) -> None:
    assert CJK is not None
    data = (CJK / f"{case['codec']}.txt").read_bytes()
    expected = (CJK / f"{case['codec']}-utf8.txt").read_text(encoding="utf-8")
    assert data.decode(case["codec"]) == expected  # the pair itself is sound
    decoded = ingest.decode_bytes(data)
    assert decoded.text == expected, f"read as {decoded.encoding}"


@pytest.mark.parametrize(("bom", "encoding"), [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
])
@pytest.mark.parametrize("name", ["sample-french.txt", "sample-russian-2.txt", "sample-chinese.txt"])
def test_each_bom_names_its_encoding_and_is_stripped(bom: bytes, encoding: str, name: str) -> None:
    text = sample_text(name)
    decoded = ingest.decode_bytes(bom + text.encode(encoding))
    assert decoded == ingest.Decoded(text, encoding, 1.0, True)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co"))),
       st.sampled_from(["utf-8-sig", "utf-16", "utf-32"]))
def test_any_text_with_a_bom_round_trips(text: str, codec: str) -> None:
    decoded = ingest.decode_bytes(text.encode(codec))
    assert decoded.text == text and decoded.bom


def test_bom_over_a_windows_1252_body_is_dropped() -> None:
    text = sample_text("sample-french.txt")
    body = text.encode("cp1252")
    alone = ingest.decode_bytes(body)
    decoded = ingest.decode_bytes(codecs.BOM_UTF8 + body)
    assert (decoded.text, decoded.encoding, decoded.bom) == (text, "cp1252", False)
    assert decoded.confidence == round(alone.confidence * 0.8, 3)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE], ids=["utf-16", "utf-32"])
def test_wide_bom_over_a_utf8_body_falls_back_to_utf8(bom: bytes) -> None:
    text = sample_text("sample-french.txt")
    body = text.encode("utf-8")
    assert len(body) % 2  # odd: cannot be UTF-16 (nor UTF-32)
    decoded = ingest.decode_bytes(bom + body)
    assert (decoded.text, decoded.encoding, decoded.bom) == (text, "utf-8", False)
    assert decoded.confidence == 0.8


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("name", ["sample-french.txt", "sample-russian-2.txt", "sample-arabic.txt",
                                  "sample-chinese.txt", "sample-korean.txt"])
def test_utf16_32_without_bom(encoding: str, name: str) -> None:
    text = sample_text(name)
    decoded = ingest.decode_bytes(text.encode(encoding))
    assert (decoded.text, decoded.encoding, decoded.bom) == (text, encoding, False)
    assert 0.5 < decoded.confidence < 1


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("name", ["sample-russian-2.txt", "sample-greek.txt", "sample-hebrew-2.txt",
                                  "sample-arabic.txt", "sample-bulgarian.txt",
                                  "sample-chinese.txt", "sample-korean.txt"])
def test_utf16_without_bom_or_spaces(encoding: str, name: str) -> None:
    # Without spaces, digits or newlines, UTF-16 of an alphabetic script has no NUL:
    # its high bytes are the script's block (04 for Cyrillic), a control byte, and
    # the data was refused as binary. Chinese and Korean have their punctuation
    # (。 is 3002) and one ideograph or syllable in eight with a low byte below 20.
    text = "".join(re.findall(r"[^\W\d_a-zA-Z]+", sample_text(name)[:3000]))
    for data in (text.encode(encoding), text.encode(encoding)[:-1]):
        # (Few NULs, not the 5% of code units the NUL rule needs: 一 is 4E00.)
        assert data.count(0) < 0.05 * len(data) / 2
        decoded = ingest.decode_bytes(data)
        assert decoded.encoding == encoding and not decoded.bom
        assert decoded.text[:-1] == text[:-1] and 0.5 < decoded.confidence < 0.9


def test_pure_ascii_is_utf8() -> None:
    body = sample_text("sample-english.bom.txt").encode("ascii")
    assert ingest.decode_bytes(body) == ingest.Decoded(body.decode(), "utf-8", 1.0, False)


def test_valid_utf8_never_reaches_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("charset-normalizer called on valid UTF-8")

    monkeypatch.setattr(decode_module, "from_bytes", forbidden)
    text = sample_text("sample-bulgarian.txt") * 100  # well past the sample size
    assert ingest.decode_bytes(text.encode("utf-8")).text == text


@pytest.mark.parametrize("size", [10, 3000])
def test_a_stray_control_lowers_utf8_confidence_a_little(size: int) -> None:
    text = sample_text("sample-french.txt")[:size] + "\x07"  # a bell, even in a short line
    assert ingest.decode_bytes(text.encode("utf-8")) == ingest.Decoded(text, "utf-8", 0.99, False)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("name", ["sample-chinese.txt", "sample-russian-2.txt",
                                  "sample-french.txt", "sample-english.bom.txt"])
def test_text_cut_short_in_its_last_character_keeps_its_encoding(name: str, encoding: str) -> None:
    # A truncated download: the last character lost a byte. Before, UTF-8 Chinese
    # read as Windows-1255 ("ה½\xa0ו¥½"), and UTF-16/32 as binary.
    text = sample_text(name).rstrip() + "’"   # ends in a character of several bytes
    data = text.encode(encoding)[:-1]
    decoded = ingest.decode_bytes(data)
    named = encoding.removesuffix("-sig")
    if named in ("utf-16", "utf-32"):
        named += "-le" if sys.byteorder == "little" else "-be"
    assert (decoded.text, decoded.encoding) == (text[:-1] + "\ufffd", named)
    assert decoded.bom == (encoding in ("utf-8-sig", "utf-16", "utf-32"))
    assert decoded.confidence <= decode_module.CUT_SHORT_CONFIDENCE


def test_ascii_ending_in_one_high_byte_is_not_taken_for_cut_utf8() -> None:
    # E9 may begin a UTF-8 character, or be "é" in Windows-1252: one byte proves nothing.
    decoded = ingest.decode_bytes(b"Rendez-vous au caf\xe9")
    assert decoded.text == "Rendez-vous au caf\u00e9"


@pytest.mark.parametrize("text", ["The price is 5\u00a3", "Le prix est de 10 \u20ac"])
def test_legacy_text_ending_in_a_double_byte_lead_is_not_cut(text: str) -> None:
    # A3 and 80 begin EUC-JP characters: read as a sample cut short, the end of the
    # data was "a character cut in two", and EUC-JP won with U+FFFD for it.
    decoded = ingest.decode_bytes(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_small_letters_of_windows_1251_are_not_mac_cyrillic() -> None:
    # Without a capital (C0-DF, symbols in Mac Cyrillic) the two pages differ only in
    # FF: "я" in Windows-1251, "€" in Mac Cyrillic, which won as "културни€".
    text = next(line for line in sample_text("sample-bulgarian.txt").splitlines()
                if "културния живот" in line)
    text = text[text.index("да участва"):text.index("културния") + 30]
    decoded = ingest.decode_bytes(text.encode("cp1251"))
    assert (decoded.text, decoded.encoding) == (text, "cp1251")


def test_legacy_text_after_64_kib_of_ascii() -> None:
    # The detection sample must start where the non-ASCII bytes do.
    head = sample_text("sample-english.bom.txt") * (decode_module.SAMPLE // 800 + 2)
    text = head + sample_text("sample-french.txt")
    decoded = ingest.decode_bytes(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


def test_large_double_byte_text_is_cut_between_characters() -> None:
    text = sample_text("sample-chinese.txt") * (3 * decode_module.SAMPLE // 700)
    decoded = ingest.decode_bytes(text.encode("big5"))
    assert (decoded.text, decoded.encoding) == (text, "big5")


def test_bytes_the_sample_did_not_see_become_replacement_characters() -> None:
    text = sample_text("sample-french.txt") * (2 * decode_module.SAMPLE // 3000)
    data = text.encode("cp1252") + b"\x81"  # undefined in Windows-1252
    decoded = ingest.decode_bytes(data)
    assert (decoded.text, decoded.encoding) == (text + "\ufffd", "cp1252")
    assert decoded.confidence < 0.5


def test_a_page_must_fit_the_whole_sample_not_only_the_lines_it_is_judged_on() -> None:
    # The first lines read alike in Windows-1252 and Latin-1; 0x81, undefined in
    # Windows-1252, comes later in the sample, past the lines that are costed.
    text = sample_text("sample-spanish.txt") * 2
    assert len(text.encode("latin-1")) > 2 * decode_module.EVIDENCE
    data = text.encode("latin-1") + b"\x81\n"
    assert len(data) < decode_module.SAMPLE
    decoded = ingest.decode_bytes(data)
    assert (decoded.text, decoded.encoding) == (text + "\x81\n", "iso8859-1")


@pytest.mark.parametrize("where", [0.1, 0.9])
def test_utf8_with_one_windows_1252_byte_stays_utf8(where: float) -> None:
    text = sample_text("sample-french.txt") * 30
    cut = text.index(" ", int(len(text) * where))
    data = text[:cut].encode("utf-8") + b"\x92" + text[cut:].encode("utf-8")  # cp1252 ’
    decoded = ingest.decode_bytes(data)
    assert (decoded.text, decoded.encoding) == (text[:cut] + "\ufffd" + text[cut:], "utf-8")
    assert decoded.confidence < 0.5


def _png_header() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 256, 1, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(
        ">I", zlib.crc32(chunk))


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("a.txt", (2020, 1, 1, 0, 0, 0)), b"some text " * 50)
    return out.getvalue()


_RANDOM = random.Random(7).randbytes(4096)
BINARY = {
    "png-header": (_png_header, "NUL bytes"),
    "zip": (_zip, "NUL bytes"),
    "gzip": (lambda: gzip.compress(b"some text " * 500, mtime=0), "NUL bytes"),
    "random": (lambda: _RANDOM, "NUL bytes"),
    "executable": (lambda: Path(sys.executable).resolve().read_bytes()[:65536], "NUL bytes"),
    "text-with-nul-padding": (lambda: b"log line one\nlog line two\n" + bytes(64), "NUL bytes"),
    "random-without-nul": (lambda: _RANDOM.replace(b"\x00", b""), "control bytes"),
    "random-high-bytes": (lambda: bytes(b | 0x80 for b in _RANDOM), "no text encoding fits"),
    "utf-16-bom-then-executable": (
        lambda: codecs.BOM_UTF16_LE + Path(sys.executable).resolve().read_bytes()[:4096], "NUL bytes"),
    # NULs all on one side, like UTF-16 text, but they read as controls and C1 codes
    "16-bit-counters": (lambda: struct.pack("<1024H", *range(1024)), "NUL bytes"),
    "idle-png": (lambda: (IDLE_ICONS / "idle_48.png").read_bytes(), "NUL bytes"),
    "idle-ico": (lambda: (IDLE_ICONS / "idle.ico").read_bytes(), "NUL bytes"),
}


@pytest.mark.parametrize("kind", list(BINARY))
def test_binary_is_refused_with_its_reason(kind: str) -> None:
    make, reason = BINARY[kind]
    if kind.startswith("idle") and not IDLE_ICONS.is_dir():
        pytest.skip("idlelib's icons are not installed with this Python")
    with pytest.raises(ingest.BinaryInputError) as info:
        ingest.decode_bytes(make())
    assert info.value.reason.startswith(reason)
    assert str(info.value) == f"not text: {info.value.reason}"


def test_nul_refusal_says_how_much_and_what_to_do() -> None:
    with pytest.raises(ingest.BinaryInputError, match=r"NUL bytes in 50% of the first 8 bytes"
                       r".*byte-order mark"):
        ingest.decode_bytes(b"a\x00b\x00\x00c\x00d")


def test_binary_input_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(ingest.BinaryInputError("NUL bytes at offset 3")))
    assert (error.reason, str(error)) == ("NUL bytes at offset 3", "not text: NUL bytes at offset 3")


def test_clean_bytes_decodes_then_repairs() -> None:
    broken = (SEEDS / "002_1c36b51a41f00386.txt").read_bytes()
    assert "they’re" in ingest.clean_bytes(broken)
