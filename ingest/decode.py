"""Bytes to text: BOMs, a strict UTF-8 fast path, UTF-16/32, charset-normalizer.

Decoding raw bytes is a separate step from mojibake repair: this module guesses how
the bytes were written; `ingest.repair` fixes text that an earlier program decoded
with the wrong codec. `ingest.clean_bytes` does both.

`decode_bytes` tries the surest and cheapest readings first:

1. empty input is empty UTF-8 text;
2. a byte-order mark names the encoding, if its body decodes under it;
3. NUL bytes: UTF-16/32 without a mark where they leave no doubt, else binary;
4. strict UTF-8 (pure ASCII included): one pass at C speed, no detection;
5. many control bytes: binary;
6. UTF-8 with a few bad bytes, else the code page charset-normalizer finds.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, replace

from charset_normalizer import from_bytes


class BinaryInputError(ValueError):
    """The data is not text in any encoding we read; `reason` says why."""

    def __init__(self, reason: str) -> None:
        # The reason is the only argument, so the error keeps its message when it is
        # pickled back from a worker process.
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"not text: {self.reason}"


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, and how sure the decoding is.

    `encoding` is Python's canonical codec name ("utf-8", "utf-16-le", "cp1252",
    "gb18030", "mac-cyrillic"); pure ASCII is reported as "utf-8". `bom` is True when
    the data began with a byte-order mark and was decoded under it. The mark is never
    part of `text`: one that its body contradicts is dropped, with bom=False.
    """

    text: str
    encoding: str
    confidence: float  # 0..1: 1.0 for strict UTF-8 and marks, less for guesses
    bom: bool


# UTF-32 first: its little-endian mark starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Bytes read to judge the whole; charset-normalizer is given no more, since it
#: decodes all its input with dozens of codecs (about 40 ms per MB).
SAMPLE = 64 * 1024
#: Characters of a UTF-16/32 reading checked for junk.
JUDGE = 4096
#: Control bytes: 27 of the 256 byte values, so ~10% of compressed or random data.
CONTROL_SHARE = 0.05
#: UTF-16 without a mark. Every ASCII character (space, digit, punctuation) has a NUL
#: high byte, so text has NULs on one side of its code units: 9% of them in the
#: Chinese sample, 18-20% in Russian, Greek, Arabic, Hebrew, ~100% in English. A 30%
#: bar would refuse all but Latin scripts. This low one is safe because the NULs must
#: also be WIDE_NUL_RATIO times rarer on the other side (binary data has them on
#: both) and the decoded text must pass JUNK_SHARE.
WIDE_NUL_SHARE = 0.05
WIDE_NUL_RATIO = 4
#: Controls, unassigned and private-use characters allowed in a UTF-16/32 reading:
#: random bytes read as UTF-16 give 14% of them, real text none.
JUNK_SHARE = 0.05
#: Valid multi-byte characters per invalid byte above which data is UTF-8 with damage
#: (one Windows-1252 ’ pasted into a UTF-8 file). Legacy text read as UTF-8 gives at
#: most 0.44 (cp949; Windows-1252 and GBK far less): its high bytes seldom happen to
#: form UTF-8 sequences.
MOSTLY_UTF8 = 4
#: A guessed code page is never as sure as strict UTF-8 or a byte-order mark.
LEGACY_CONFIDENCE = 0.9
#: C0 controls that text does carry: whitespace, SUB (the DOS end-of-file mark) and
#: ESC (ANSI colours in logs).
_TEXT_CONTROLS = "\t\n\v\f\r\x1a\x1b"
_NOT_CONTROL = bytes(b for b in range(256) if b >= 0x20 and b != 0x7F or chr(b) in _TEXT_CONTROLS)
_JUNK_CATEGORIES = {"Cc", "Cn", "Co", "Cs"}
#: ISO-2022-JP and -KR are 7-bit, so they pass as UTF-8; they switch character sets
#: with "ESC $" sequences ("ESC $ B" selects JIS X 0208), which no other text has.
_ISO2022 = ("iso2022_jp", "iso2022_jp_2", "iso2022_kr")


def decode_bytes(data: bytes) -> Decoded:
    """Decode raw bytes as text, or raise BinaryInputError for data that is not text.

    >>> decode_bytes("naïve".encode("utf-16")).text
    'naïve'
    """
    if not data:
        return Decoded("", "utf-8", 1.0, False)
    marks = [(bom, encoding) for bom, encoding in _BOMS if data.startswith(bom)]
    for bom, encoding in marks:
        marked = _under_bom(data[len(bom):], encoding)
        if marked is not None:
            return marked
    if marks:
        # A mark over a body in another encoding: an editor that put the UTF-8 mark
        # on a Windows-1252 file it never re-encoded. The rest is judged on its own.
        guess = _unmarked(data[len(marks[0][0]):])
        return replace(guess, confidence=round(guess.confidence * 0.8, 3))
    return _unmarked(data)


def _under_bom(body: bytes, encoding: str) -> Decoded | None:
    """The body decoded under its byte-order mark, or None where it does not fit."""
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return None
    if encoding == "utf-8":
        return None if "\x00" in text else _utf8(body, text, bom=True)
    return Decoded(text, encoding, 1.0, True) if _junk_share(text[:JUDGE]) <= JUNK_SHARE else None


def _unmarked(data: bytes) -> Decoded:
    """Steps 3 to 6 of `decode_bytes`, for data without a believable mark."""
    # NULs first: UTF-16 of ASCII text is valid UTF-8, and 8-bit text has none.
    if b"\x00" in data:
        wide = _utf16_or_32(data)
        if wide is not None:
            return wide
        nuls = data[:SAMPLE].count(0)
        raise BinaryInputError(
            f"NUL bytes {_where(nuls, len(data)) if nuls else f'at offset {data.index(0)}'}; "
            "text has none, and UTF-16/32 without a byte-order mark is read only where "
            "they leave no doubt (if this is UTF-16/32 text, save it with the mark)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        _refuse_controls(data)
        return _legacy(data, err.start)
    return _utf8(data, text, bom=False)


def _utf8(data: bytes, text: str, bom: bool) -> Decoded:
    """Valid UTF-8, unless ISO-2022 escapes or control bytes say otherwise."""
    # A one-byte search runs at memchr speed; the two-byte one is 50 times slower.
    if b"\x1b" in data and b"\x1b$" in data:
        for encoding in _ISO2022:
            try:
                return Decoded(data.decode(encoding), codecs.lookup(encoding).name, 0.95, bom)
            except UnicodeDecodeError:
                continue
    # Controls are counted in the sample only: scanning 10 MB costs 7 ms, seven times
    # the UTF-8 decode of that much ASCII.
    controls = _refuse_controls(data)
    return Decoded(text, "utf-8", 0.99 if controls else 1.0, bom)


def _refuse_controls(data: bytes) -> int:
    """Count control bytes in the sample; raise if they mark binary data.

    In every encoding read here, bytes below 0x20 are the ASCII controls (double-byte
    codes use 0x40 and up for their second byte), so they are counted before the
    encoding is known: gzip data has one in ten, prose none. Up to three are allowed
    whatever the length, so that "ding\\x07 dong" (a bell) stays text.
    """
    sample = data[:SAMPLE]
    controls = len(sample.translate(None, _NOT_CONTROL))
    if controls > max(CONTROL_SHARE * len(sample), 3):
        raise BinaryInputError(f"control bytes {_where(controls, len(data))}")
    return controls


def _where(count: int, size: int) -> str:
    sample = min(size, SAMPLE)
    if count >= 0.01 * sample:
        return f"in {count / sample:.0%} of the first {sample} bytes"
    return f"({count} in the first {sample} bytes)"


def _utf16_or_32(data: bytes) -> Decoded | None:
    """UTF-16/32 without a byte-order mark, where the NUL bytes leave no doubt.

    "Мир 1" in UTF-16-LE is 1C 04 38 04 40 04 20 00 31 00: the NULs (space, digit)
    all fall on the high side. UTF-32 needs no count: a strict decode already demands
    a NUL top byte in every unit, since code points end at U+10FFFF.
    """
    sample = data[: SAMPLE - SAMPLE % 4]
    for width in (4, 2):
        if len(data) % width:
            continue
        for order in ("le", "be"):
            if width == 2 and not _nul_on_one_side(sample, high_first=order == "be"):
                continue
            encoding = f"utf-{8 * width}-{order}"
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _junk_share(text[:JUDGE]) <= JUNK_SHARE:
                return Decoded(text, encoding, 0.9, False)
    return None


def _nul_on_one_side(sample: bytes, high_first: bool) -> bool:
    high, low = (sample[0::2], sample[1::2]) if high_first else (sample[1::2], sample[0::2])
    nul_high, nul_low = high.count(0), low.count(0)
    return nul_high >= WIDE_NUL_SHARE * len(high) and nul_low * WIDE_NUL_RATIO <= nul_high


def _junk_share(text: str) -> float:
    """Share of characters no text is made of: controls other than whitespace and
    ESC, unassigned and private-use code points.

    Catches binary data that decodes as UTF-16: a PNG header reads as "傉䝎\\u0a0dਚ"
    then NULs and controls, half junk; the start of an ELF executable, 86%.
    """
    if not text:
        return 0.0
    junk = sum(
        1 for c in text
        if unicodedata.category(c) in _JUNK_CATEGORIES and c not in _TEXT_CONTROLS
    )
    return junk / len(text)


def _legacy(data: bytes, first_error: int) -> Decoded:
    """Data that is not valid UTF-8: UTF-8 with damage, or a legacy code page.

    The whole data is decoded with the codec the sample chose. Where the rest does not
    fit it (a 0x81 byte, undefined in Windows-1252, after the sample), undecodable
    bytes become U+FFFD and the confidence is halved: the text is kept, the damage
    visible.
    """
    sample = _detection_sample(data, first_error)
    probe = sample.decode("utf-8", errors="replace")
    bad = probe.count("\ufffd")
    valid = len(probe) - len(probe.encode("ascii", errors="ignore")) - bad
    if valid >= MOSTLY_UTF8 * max(bad, 1):
        encoding, confidence = "utf-8", LEGACY_CONFIDENCE
    else:
        best = from_bytes(sample).best()
        if best is None:
            raise BinaryInputError(
                "no text encoding fits: charset-normalizer found every reading too garbled"
            )
        encoding = codecs.lookup(best.encoding).name
        encoding = "utf-8" if encoding == "ascii" else encoding  # ASCII is UTF-8
        confidence = LEGACY_CONFIDENCE * max(0.0, 1.0 - best.chaos)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        confidence *= 0.5
    return Decoded(text, encoding, round(confidence, 3), False)


def _detection_sample(data: bytes, first_error: int) -> bytes:
    """At most SAMPLE bytes, cut after a newline or space.

    A byte below 0x40 is never the second byte of a GBK, Big5, Shift_JIS or EUC
    character, so such cuts split no character. A head of pure ASCII says nothing
    about the code page (a CSV with 64 KiB of English rows before the first "é"), so
    then the sample starts at the line of the first byte that is not UTF-8.
    """
    start = 0
    if data[:SAMPLE].isascii():
        start = _after_break(data, max(0, first_error - 4096), first_error)
    end = start + SAMPLE
    if end < len(data):
        end = _after_break(data, start + SAMPLE // 2, end)
    return data[start:end]


def _after_break(data: bytes, lo: int, hi: int) -> int:
    """The index after the last newline or space in data[lo:hi], else hi."""
    cut = max(data.rfind(b"\n", lo, hi), data.rfind(b" ", lo, hi))
    return cut + 1 if cut >= 0 else hi
