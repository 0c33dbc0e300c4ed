"""decode_bytes on real text in its real encodings (the eval-sources samples carry
their true encoding in SOURCES.md) and on data that is not text."""

from __future__ import annotations

import random

import pytest
from conftest import ROOT, SEEDS

import ingest

SAMPLES = ROOT.parent / "shared" / "eval-sources"
# file, true encoding (from SOURCES.md)
KNOWN = [
    ("sample-arabic-1.txt", "cp1256"), ("sample-chinese.txt", "big5"),
    ("sample-french-1.txt", "cp1252"), ("sample-greek.txt", "cp1253"),
    ("sample-hebrew-2.txt", "cp1255"), ("sample-korean.txt", "cp949"),
    ("sample-russian.txt", "mac_cyrillic"), ("sample-turkish.txt", "cp1254"),
    ("sample-polish.txt", "utf-8"), ("sample-arabic.txt", "utf-8"),
]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/eval-sources is not beside the repo")
@pytest.mark.parametrize(("name", "encoding"), KNOWN)
def test_legacy_and_utf8_samples(name: str, encoding: str) -> None:
    data = (SAMPLES / name).read_bytes()
    decoded = ingest.decode_bytes(data)
    assert decoded.text == data.decode(encoding)
    assert not decoded.bom and 0 < decoded.confidence <= 1


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/eval-sources is not beside the repo")
def test_utf8_bom_sample() -> None:
    decoded = ingest.decode_bytes((SAMPLES / "sample-english.bom.txt").read_bytes())
    assert decoded.bom and decoded.encoding == "utf-8"
    assert not decoded.text.startswith("\ufeff")


SEED = (SEEDS / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_32_with_and_without_bom(encoding: str) -> None:
    bare = ingest.decode_bytes(SEED.encode(encoding))
    assert (bare.text, bare.encoding, bare.bom) == (SEED, encoding, False)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
           "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}[encoding]
    marked = ingest.decode_bytes(bom + SEED.encode(encoding))
    assert (marked.text, marked.encoding, marked.bom) == (SEED, encoding, True)


def test_strict_utf8_fast_path() -> None:
    decoded = ingest.decode_bytes(SEED.encode("utf-8"))
    assert (decoded.text, decoded.encoding, decoded.confidence) == (SEED, "utf-8", 1.0)
    assert ingest.decode_bytes(b"plain ascii").encoding == "utf-8"
    assert ingest.decode_bytes(b"").text == ""


def test_bom_with_wrong_body_does_not_crash() -> None:
    decoded = ingest.decode_bytes(b"\xef\xbb\xbf" + SEED.encode("cp1252"))
    assert not decoded.bom
    assert "Downing Street" in decoded.text


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200),
    random.Random(7).randbytes(4096),
], ids=["png", "zip", "random"])
def test_binary_is_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(ingest.BinaryInputError) as info:
        ingest.decode_bytes(data)
    assert info.value.reason


def test_clean_bytes_decodes_then_repairs() -> None:
    broken = (SEEDS / "002_1c36b51a41f00386.txt").read_bytes()
    assert "they’re" in ingest.clean_bytes(broken)
