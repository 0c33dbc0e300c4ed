"""Bytes to text: BOMs, a strict UTF-8 fast path, UTF-16/32, charset-normalizer.

Decoding raw bytes is a separate step from mojibake repair: this module guesses how
the bytes were written; `ingest.repair` fixes text that an earlier program decoded
with the wrong codec. `ingest.clean_bytes` does both.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes


class BinaryInputError(ValueError):
    """The data is not text in any encoding we know; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not text: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str       # Python's canonical codec name: "utf-8", "utf-16-le", "cp1252", ...
    confidence: float   # 0..1
    bom: bool           # a byte-order mark was present and stripped


# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Bytes read to judge the whole (NUL statistics, charset-normalizer's sample).
SAMPLE = 64 * 1024
#: UTF-16 without a BOM: text in Latin, Greek, Cyrillic and most other scripts has
#: a NUL in every other byte; we ask for a third of the sample's code units to
#: have their high byte NUL, all on one side (no other encoding produces that).
UTF16_NUL_SHARE = 0.3
#: Control characters (other than whitespace) in decoded text that mark binary data.
CONTROL_SHARE = 0.05
_WHITESPACE_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\x1b"}


def decode_bytes(data: bytes) -> Decoded:
    """Decode raw bytes, or raise BinaryInputError for data that is not text."""
    if not data:
        return Decoded("", "utf-8", 1.0, False)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom):].decode(encoding), encoding, 1.0, True)
            except UnicodeDecodeError:
                break   # a BOM with the wrong body: judge the bytes on their own
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return Decoded(text, "utf-8", 1.0, False)
    wide = _utf16_or_32(data)
    if wide is not None:
        return wide
    if b"\x00" in data[:SAMPLE]:
        share = data[:SAMPLE].count(0) / len(data[:SAMPLE])
        raise BinaryInputError(f"NUL bytes ({share:.1%} of the first {len(data[:SAMPLE])} bytes)")
    return _legacy(data)


def _utf16_or_32(data: bytes) -> Decoded | None:
    """UTF-16/32 without a BOM, where the NUL bytes leave no doubt."""
    sample = data[:SAMPLE]
    for width, name in ((4, "utf-32"), (2, "utf-16")):
        if len(data) % width or len(sample) < 2 * width:
            continue
        units = len(sample) // width
        for order in ("le", "be"):
            if width == 2:
                high = sample[1::2] if order == "le" else sample[0::2]
                low = sample[0::2] if order == "le" else sample[1::2]
                nul_high, nul_low = high.count(0), low.count(0)
                if nul_high < UTF16_NUL_SHARE * units or nul_low > 0.05 * units:
                    continue
            else:
                pad = sample[2::4] + sample[3::4] if order == "le" else sample[0::4] + sample[1::4]
                if pad.count(0) < 1.9 * units:
                    continue
            encoding = f"{name}-{order}"
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _control_share(text[:SAMPLE]) <= CONTROL_SHARE:
                return Decoded(text, encoding, 0.95, False)
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for c in text if c < " " and c not in _WHITESPACE_CONTROLS)
    return controls / len(text)


def _legacy(data: bytes) -> Decoded:
    """A legacy code page, as charset-normalizer judges it from a sample."""
    sample = data[:SAMPLE]
    best = from_bytes(sample).best()
    if best is None:
        raise BinaryInputError("no text encoding fits these bytes")
    encoding = codecs.lookup(best.encoding).name
    confidence = round(max(0.05, min(0.99, 1.0 - best.chaos)) * (1.0 if best.coherence else 0.9), 3)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        # The sample fitted, the rest does not quite: keep it all, mark the damage.
        text = data.decode(encoding, errors="replace")
        confidence = round(confidence * 0.5, 3)
    if _control_share(text[:SAMPLE]) > CONTROL_SHARE:
        raise BinaryInputError(f"control characters throughout (read as {encoding})")
    return Decoded(text, encoding, confidence, False)
