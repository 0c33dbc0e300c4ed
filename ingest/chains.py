"""Codec chains: which wrong decodings we undo, and each wrong decoder's exact behaviour.

A chain is written as the history of the text, true encoding first: ``("utf-8",
"gbk")`` means UTF-8 bytes were decoded as GBK. Two layers read
``("utf-8", "gbk", "utf-8", "windows-1252")``.

Everything here is about bytes and Python's own codecs: no scoring, no search.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

#: Families of double-byte decoders that turn UTF-8 into CJK mojibake, in the order
#: we encode with them: the common codec first, then the superset for characters it
#: lacks. Korean goes the other way: Python's EUC-KR encodes the syllables outside
#: KS X 1001 as eight-byte "make-up" sequences that no decoding of UTF-8 produces,
#: where CP949 has the real two-byte code. Python's codec names.
FORWARD_FAMILIES: dict[str, tuple[str, ...]] = {
    "gbk": ("gbk", "gb18030"),
    "big5": ("big5", "cp950"),
    "shift_jis": ("shift_jis", "cp932"),
    "euc_jp": ("euc_jp",),
    "euc_kr": ("cp949", "euc_kr"),
}
#: Not a family of the text's decoder but a reading of runs of U+FFFD alone, one per
#: lost byte, as ASCII leaves them (see forward.BLIND_HOLES).
ASCII_READING: tuple[str, ...] = ("ascii",)
#: When several codecs of a family reproduce a text, we name the narrowest.
NARROWEST_FIRST = ("gbk", "gb18030", "big5", "cp950", "shift_jis", "cp932", "euc_jp",
                   "euc_kr", "cp949")


def report_order(codec: str) -> int:
    """Sort key: the narrowest codec of a family first (others keep their place)."""
    return NARROWEST_FIRST.index(codec) if codec in NARROWEST_FIRST else -1

#: Legacy encodings whose bytes get read as Latin-1 or Windows-1252, in the order we
#: try them. Multi-byte sets first: a strict decode through one of them is strong
#: evidence by itself; single-byte sets always decode and rely on scoring alone.
REVERSE_MULTIBYTE: tuple[str, ...] = ("gbk", "gb18030", "big5", "cp950", "shift_jis",
                                      "cp932", "euc_jp", "euc_kr", "cp949")
REVERSE_SINGLEBYTE: tuple[str, ...] = ("cp1251", "koi8_r", "cp1253", "cp1255", "cp1256",
                                       "tis_620")

#: One valid UTF-8 multi-byte character (RFC 3629: no overlongs, no surrogates).
UTF8_CHAR = (
    rb"(?:[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})"
)
#: Two or more UTF-8 multi-byte characters, possibly ending in one ASCII byte that
#: a double-byte decoder swallowed as a trail byte (“a read as GBK is 鈥渁).


# Windows-1252 as software really decodes it: the five bytes it leaves undefined
# come out as the C1 controls of Latin-1. Encoding through this table turns text
# read as either Latin-1 or Windows-1252 back into its bytes.
_SLOPPY_1252 = {}
for _b in range(0x80, 0x100):
    try:
        _SLOPPY_1252[ord(bytes([_b]).decode("cp1252"))] = _b
    except UnicodeDecodeError:
        pass
_TO_LATIN1 = {cp: b for cp, b in _SLOPPY_1252.items() if cp >= 0x100}
#: Characters that Latin-1 or Windows-1252 produce from a high byte.
SBCS_HIGH = "".join(sorted({chr(c) for c in range(0x80, 0x100)} | {chr(c) for c in _TO_LATIN1}))


def sbcs_bytes(text: str) -> bytes | None:
    """The bytes that Latin-1 or Windows-1252 decoded into `text`, or None."""
    try:
        return text.translate(_TO_LATIN1).encode("latin-1")
    except UnicodeEncodeError:
        return None


def sbcs_name(text: str) -> str:
    """Which of the two single-byte decoders `text` shows evidence of."""
    return "windows-1252" if any(ord(c) in _TO_LATIN1 for c in text) else "latin-1"


@dataclass(frozen=True)
class Encoded:
    """A run of text encoded back into the bytes a wrong decoder saw.

    `holes` are byte offsets where the decoder wrote U+FFFD: the byte there is lost.
    `bounds` are the byte offsets of character boundaries (len(text) + 1 of them).
    """

    data: bytes
    holes: tuple[int, ...]
    bounds: tuple[int, ...]


LOST = 0x00  # placeholder byte value at a hole; never a valid byte of a mojibake run
#: A run of non-ASCII characters: what a wrong decoder's reading spans between ASCII
#: bytes, which decode alike in every codec here, and what is encoded back.
NON_ASCII = re.compile(r"[^\x00-\x7f]+")
#: Runs longer than this that a family's main codec cannot encode whole are not that
#: family's mojibake; shorter ones are encoded a character at a time.
MAX_MIXED_RUN = 64


def encode_run(run: str, family: tuple[str, ...]) -> Encoded | None:
    """Encode `run` back with the family's codecs, or None if some character is in none.

    None means the run is not this family's mojibake (a caller may try its pieces).
    Short runs come back often ("â€\ufffd" in every line of a Windows-1252 document,
    tried under each family): their encodings are kept.
    """
    if len(run) <= CACHED_RUN:
        return _encode_run_cached(run, family)
    return _encode_run(run, family)


#: Runs up to this long have their encodings kept (`encode_run`).
CACHED_RUN = 64


def _encode_run(run: str, family: tuple[str, ...]) -> Encoded | None:
    if "\ufffd" not in run:
        try:
            data = run.encode(family[0])
        except UnicodeEncodeError:
            pass
        else:
            return Encoded(data, (), _bounds(run, family[0], data))
    if len(run) > MAX_MIXED_RUN:
        # Long: only U+FFFD may be what the main codec cannot write. Chinese or
        # Japanese read as GBK writes long runs with no ASCII to end them.
        return _encode_with_holes(run, family)
    out = bytearray()
    holes = []
    bounds = [0]
    for ch in run:
        if ch == "\ufffd":
            holes.append(len(out))
            out.append(LOST)
        else:
            data = encode_char(ch, family)
            if data is None:
                return None
            out += data
        bounds.append(len(out))
    return Encoded(bytes(out), tuple(holes), tuple(bounds))


_encode_run_cached = lru_cache(maxsize=16384)(_encode_run)


def _lost_byte(exc: UnicodeError) -> tuple[bytes, int]:
    """Encoding error handler: U+FFFD becomes the LOST byte; anything else fails."""
    if not isinstance(exc, UnicodeEncodeError) or exc.object[exc.start:exc.end].strip("\ufffd"):
        raise exc
    return bytes([LOST]) * (exc.end - exc.start), exc.end


_AS_LOST = "ingest.lost"
codecs.register_error(_AS_LOST, _lost_byte)
_LOST_BYTE = re.compile(re.escape(bytes([LOST])))


def _encode_with_holes(run: str, family: tuple[str, ...]) -> Encoded | None:
    """`run` encoded with its U+FFFD as lost bytes, in C where the main codec writes
    every other character in two bytes; else a stretch between U+FFFD at a time,
    each with the first codec of the family that writes it whole; None if none does."""
    try:
        data = run.encode(family[0], errors=_AS_LOST)
    except UnicodeEncodeError:
        pass
    else:
        holes = tuple(m.start() for m in _LOST_BYTE.finditer(data))
        if len(data) == len(run):   # a single-byte codec
            return Encoded(data, holes, tuple(range(len(data) + 1)))
        if len(data) == 2 * len(run) - len(holes):
            widths = (1 if c == "\ufffd" else 2 for c in run)
            return Encoded(data, holes, (0, *accumulate(widths)))
    out = bytearray()
    holes = []
    bounds = [0]
    for k, stretch in enumerate(run.split("\ufffd")):
        if k:
            holes.append(len(out))
            out.append(LOST)
            bounds.append(len(out))
        for codec in family:
            try:
                data = stretch.encode(codec)
                break
            except UnicodeEncodeError:
                continue
        else:
            return None
        bounds.extend(len(out) + b for b in _bounds(stretch, codec, data)[1:])
        out += data
    return Encoded(bytes(out), tuple(holes), tuple(bounds))


@lru_cache(maxsize=65536)
def encode_char(ch: str, family: tuple[str, ...]) -> bytes | None:
    """The bytes of one character in the first codec of `family` that has it, or None."""
    for codec in family:
        try:
            data = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        # GB18030's four-byte sequences never come out of UTF-8: their second and
        # fourth bytes are digits, and a digit never follows a UTF-8 lead byte.
        if len(data) < 4:
            return data
    return None


def _bounds(run: str, codec: str, data: bytes) -> tuple[int, ...]:
    """Offsets of the characters of `run` in `data`, its encoding in `codec`."""
    if len(data) == 2 * len(run):   # every character two bytes: no need to look
        return tuple(range(0, len(data) + 1, 2))
    offsets = [0]
    n = 0
    for ch in run:
        n += len(ch.encode(codec))
        offsets.append(n)
    return tuple(offsets)
