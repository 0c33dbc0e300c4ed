"""Bytes to text: BOMs, a strict UTF-8 fast path, UTF-16/32, charset-normalizer.

This module guesses how bytes were written; `ingest.repair` fixes text that an
earlier program decoded with the wrong codec; `ingest.clean_bytes` does both.
`decode_bytes` tries the surest and cheapest readings first:

1. empty input is empty UTF-8 text;
2. a byte-order mark names the encoding, if its body decodes under it;
3. NUL bytes: UTF-16/32 without a mark where they leave no doubt, else binary;
4. strict UTF-8 (pure ASCII included): one pass at C speed, no detection;
   data cut short in its last character is still UTF-8 (see `_cut_short`);
5. many control bytes: binary;
6. UTF-8 with a few bad bytes, else a legacy code page: charset-normalizer's
   candidates and the widely used pages, ranked by `ingest.plausible.cost`;
7. before data is refused as binary, UTF-16 with few NULs, told by the shape of
   its bytes (Thai or Russian without spaces).
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
from dataclasses import dataclass, replace

from charset_normalizer import from_bytes

from . import plausible


class BinaryInputError(ValueError):
    """The data is not text in any encoding we read; `reason` says why."""

    def __init__(self, reason: str) -> None:
        # The reason as the only argument keeps the message through pickling (workers).
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"not text: {self.reason}"


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes. `encoding` is Python's canonical codec name ("utf-8",
    "utf-16-le", "cp1252", "gb18030", "mac-cyrillic"; ASCII is "utf-8"). `bom`: the data
    began with a byte-order mark and was decoded under it. The mark is never in `text`:
    one that its body contradicts is dropped, with bom=False."""

    text: str
    encoding: str
    confidence: float  # 0..1: 1.0 for strict UTF-8 and marks, less for guesses
    bom: bool


# UTF-32 first: its little-endian mark starts with the UTF-16 one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
#: Bytes read to judge the whole; charset-normalizer is given no more, since it
#: decodes all its input with dozens of codecs (about 40 ms per MB).
SAMPLE = 64 * 1024
#: Characters of a UTF-16/32 reading checked for junk.
JUDGE = 4096
#: Control bytes: 27 of the 256 byte values, so ~10% of compressed or random data.
CONTROL_SHARE = 0.05
#: UTF-16 without a mark: ASCII characters (space, digit, punctuation) have a NUL high
#: byte; 9% of the code units in the Chinese sample, 18-20% in Russian, Greek, Arabic,
#: Hebrew. A 30% bar would refuse all but Latin scripts. This one is safe as NULs must
#: also be WIDE_NUL_RATIO times rarer on the other side (binary has them on both) and
#: the decoded text must pass JUNK_SHARE.
WIDE_NUL_SHARE = 0.05
WIDE_NUL_RATIO = 4
#: Controls, unassigned and private-use characters allowed in a UTF-16/32 reading:
#: random bytes read as UTF-16 give 14% of them, real text none.
JUNK_SHARE = 0.05
#: Data whose last character is cut short (a truncated download, `head -c`) decodes
#: with U+FFFD for it, under the encoding its mark or its body shows: it is that
#: encoding, damaged at the end, and the confidence says so.
CUT_SHORT_CONFIDENCE = 0.9
#: Valid multi-byte characters per invalid byte that make data UTF-8 with damage.
MOSTLY_UTF8 = 4
#: A guessed code page is never as sure as strict UTF-8 or a byte-order mark.
LEGACY_CONFIDENCE = 0.9
#: C0 controls that text does carry: whitespace, SUB (the DOS end-of-file mark) and
#: ESC (ANSI colours in logs).
_TEXT_CONTROLS = "\t\n\v\f\r\x1a\x1b"
_NOT_CONTROL = bytes(b for b in range(256) if b >= 0x20 and b != 0x7F or chr(b) in _TEXT_CONTROLS)
_JUNK = {"Cc", "Cn", "Co", "Cs"}
#: ISO-2022-JP and -KR are 7-bit, so they pass as UTF-8; they switch character sets
#: with "ESC $" sequences ("ESC $ B" selects JIS X 0208), which no other text has.
#: -KR comes before -JP-2, which decodes -KR's bytes without error, and wrongly.
_ISO2022 = ("iso2022_jp", "iso2022_kr", "iso2022_jp_2")


def decode_bytes(data: bytes, *, final: bool = True) -> Decoded:
    """Decode raw bytes as text, or raise BinaryInputError for data that is not text.

    `final=False` says that `data` is the head of a longer stream, so that a legacy
    double-byte character cut in two at its end is no evidence against a code page.

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
        # A UTF-8 mark on a Windows-1252 file that an editor never re-encoded: noise.
        guess = _unmarked(data[len(marks[0][0]):], final)
        return replace(guess, confidence=round(guess.confidence * 0.8, 3))
    return _unmarked(data, final)


def _under_bom(body: bytes, encoding: str) -> Decoded | None:
    """The body decoded under its byte-order mark, or None where it does not fit."""
    confidence = 1.0
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as err:
        if not _cut_short(body, err) or (encoding != "utf-8" and _plain_utf8(body)):
            return None
        text = body.decode(encoding, errors="replace")
        confidence = CUT_SHORT_CONFIDENCE
    if encoding == "utf-8":
        if "\x00" in text:
            return None
        decoded = _utf8(body, text, bom=True)
        return replace(decoded, confidence=min(decoded.confidence, confidence))
    if _junk_share(text[:JUDGE]) > JUNK_SHARE:
        return None
    return Decoded(text, encoding, confidence, True)


def _plain_utf8(body: bytes) -> bool:
    """UTF-8 without a NUL: a UTF-16 mark over it that leaves an odd byte is a wrong
    mark ("JE" is 䩅 in UTF-16), not UTF-16 cut short, which has NULs unless no
    character of it is ASCII, and seldom reads as UTF-8 then."""
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unmarked(data: bytes, final: bool = True) -> Decoded:
    """Steps 3 to 6 of `decode_bytes`, for data without a believable mark; before
    data is refused as binary, `_utf16_by_shape` has a look."""
    try:
        return _narrow_or_nul(data, final)
    except BinaryInputError:
        wide = _utf16_by_shape(data)
        if wide is None:
            raise
        return wide


def _narrow_or_nul(data: bytes, final: bool = True) -> Decoded:
    # NULs first: UTF-16 of ASCII text is valid UTF-8, and 8-bit text has none.
    if b"\x00" in data:
        wide = _utf16_or_32(data)
        if wide is not None:
            return wide
        nuls = data[:SAMPLE].count(0)
        where = _where(nuls, len(data)) if nuls else f"at offset {data.index(0)}"
        raise BinaryInputError(f"NUL bytes {where}; if this is UTF-16/32 text, save it "
                               "with a byte-order mark: without one, the NULs are ambiguous")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        _refuse_controls(data)
        if _cut_short(data, err) and (not data[:err.start].isascii() or len(data) - err.start > 1):
            return Decoded(data.decode("utf-8", errors="replace"), "utf-8",
                           CUT_SHORT_CONFIDENCE, False)
        return _legacy(data, err.start, final)
    return _utf8(data, text, bom=False)


def _cut_short(data: bytes, err: UnicodeDecodeError) -> bool:
    """The only error of a strict decode is a character that the end of the data
    cuts in two: "你好世" with the last byte of 界 missing, UTF-16 of odd length.

    Decoders stop at the first error, so all before it decoded. For UTF-8 without a
    mark, `_unmarked` also asks for a non-ASCII character before the cut or two bytes
    of the cut one: legacy text rarely reads as valid UTF-8 all the way, but an ASCII
    text ending in one high byte may be Windows-1252 ("café" ending in E9).
    """
    return err.end == len(data) and err.reason in ("unexpected end of data", "truncated data")


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
    """Count control bytes in the sample; raise if they mark binary data: gzip data
    has one in ten, prose none. Bytes below 0x20 are controls in every encoding read
    here (double-byte codes start their second byte at 0x40), so the count needs no
    encoding. Three pass at any length: "ding\\x07 dong" (a bell) stays text."""
    sample = data[:SAMPLE]
    controls = len(sample.translate(None, _NOT_CONTROL))
    if controls > max(CONTROL_SHARE * len(sample), 3):
        raise BinaryInputError(f"control bytes {_where(controls, len(data))}")
    return controls


def _where(count: int, size: int) -> str:
    n = min(size, SAMPLE)
    return f"in {count / n:.0%} of the first {n} bytes" if count >= n / 100 else f"({count} in {n})"


def _utf16_or_32(data: bytes) -> Decoded | None:
    """UTF-16/32 without a byte-order mark, where the NUL bytes leave no doubt.

    "Мир 1" in UTF-16-LE is 1C 04 38 04 40 04 20 00 31 00: the NULs (space, digit)
    all fall on the high side. UTF-32 needs no count: a strict decode already demands
    a NUL top byte in every unit, since code points end at U+10FFFF.
    """
    sample = data[: SAMPLE - SAMPLE % 4]
    for width in (4, 2):
        for order in ("le", "be"):
            if width == 2 and not _nul_on_one_side(sample, high_first=order == "be"):
                continue
            encoding = f"utf-{8 * width}-{order}"
            confidence = 0.9
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as err:
                if not _cut_short(data, err):
                    continue
                text = data.decode(encoding, errors="replace")
                confidence = round(0.9 * CUT_SHORT_CONFIDENCE, 3)
            if _junk_share(text[:JUDGE]) <= JUNK_SHARE:
                return Decoded(text, encoding, confidence, False)
    return None


#: `_utf16_by_shape`: the share of code units whose high byte is one of the two
#: commonest (an alphabet) or in the CJK rows (a script of thousands), the share of
#: letters in the reading, and its most `plausible.cost` per character. Alphabetic
#: text costs about 3 nats a character (Thai, Russian, Hebrew, Arabic in the
#: eval-sources samples), letters drawn at random from one block 6 to 15; Chinese,
#: Japanese and Korean text 3.5 to 5 (CPython's cjkencodings samples), classical
#: Chinese without punctuation and old Korean 7.5 to 8, random bytes in the CJK rows
#: 16 (hanzi and hangul at random).
SHAPE_SHARE = 0.9
SHAPE_LETTERS = 0.5
SHAPE_COST = 4.5
SHAPE_COST_CJK = 10.0
#: Bytes at least: a few characters prove no shape.
SHAPE_MIN = 16
#: High bytes of UTF-16 code units in Chinese, Japanese or Korean text: ASCII (00),
#: general punctuation (20), CJK symbols and kana (30, 31), unified ideographs
#: (4E-9F), hangul syllables (AC-D7), full-width forms (FF). Half of random bytes.
#: (Most code units must be in the rows other than 00: sixteen-bit numbers are not.)
_CJK_ROWS = frozenset([0x00, 0x20, 0x30, 0x31, *range(0x4E, 0xA0), *range(0xAC, 0xD8), 0xFF])


def _utf16_by_shape(data: bytes) -> Decoded | None:
    """UTF-16 without a mark and with too few NULs to show it: Thai, Cyrillic, Greek,
    Hebrew or Arabic with few spaces, or Chinese, Japanese or Korean. Their code
    units' low bytes fall below 20 often enough (0E for Thai, 04 for Cyrillic; 。 is
    02 30) that the data looked binary. One byte of each pair that takes at most two
    values, or that stays in the CJK rows, is that shape; the reading must then be
    letters mostly, and text by `plausible.cost`."""
    sample = data[: SAMPLE - SAMPLE % 2]
    if len(sample) < SHAPE_MIN:
        return None
    for order, high in (("le", sample[1::2]), ("be", sample[0::2])):
        top = sorted((high.count(b) for b in set(high)), reverse=True)[:2]
        cjk = sum(high.count(b) for b in _CJK_ROWS.intersection(high))
        if cjk >= SHAPE_SHARE * len(high) and cjk - high.count(0) >= len(high) / 2:
            most = SHAPE_COST_CJK
        elif sum(top) >= SHAPE_SHARE * len(high):
            most = SHAPE_COST
        else:
            continue
        encoding = f"utf-16-{order}"
        confidence = 0.8
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            if not _cut_short(data, err):
                continue
            text = data.decode(encoding, errors="replace")
            confidence = round(confidence * CUT_SHORT_CONFIDENCE, 3)
        judged = text[:JUDGE]
        letters = sum(c.isalpha() for c in judged)
        if (_junk_share(judged) <= JUNK_SHARE and letters >= SHAPE_LETTERS * len(judged)
                and plausible.cost(judged) <= most * len(judged)):
            return Decoded(text, encoding, confidence, False)
    return None


def _nul_on_one_side(sample: bytes, high_first: bool) -> bool:
    high, low = (sample[0::2], sample[1::2]) if high_first else (sample[1::2], sample[0::2])
    nul_high, nul_low = high.count(0), low.count(0)
    return nul_high >= WIDE_NUL_SHARE * len(high) and nul_low * WIDE_NUL_RATIO <= nul_high


def _junk_share(text: str) -> float:
    """Share of controls (but whitespace and ESC), unassigned and private-use code
    points. Catches binary data that decodes as UTF-16: a PNG header reads as
    "傉䝎\\u0a0dਚ" then NULs and controls, half junk; an ELF executable, 86%."""
    junk = sum(unicodedata.category(c) in _JUNK and c not in _TEXT_CONTROLS for c in text)
    return junk / max(len(text), 1)


def _legacy(data: bytes, first_error: int, final: bool = True) -> Decoded:
    """Data that is not valid UTF-8: UTF-8 with damage, or a legacy code page.

    The whole data is decoded with the codec the sample chose. Where the rest does not
    fit (a 0x81 byte, undefined in Windows-1252, after the sample), bad bytes become
    U+FFFD and the confidence is halved: the text is kept, the damage visible.
    """
    sample = _detection_sample(data, first_error)
    if _mostly_utf8(sample):
        encoding, confidence = "utf-8", LEGACY_CONFIDENCE
    else:
        encoding, confidence = _code_page(sample, whole=final and len(sample) == len(data))
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        confidence *= 0.5
    return Decoded(text, encoding, round(confidence, 3), False)


#: Code pages every sample is also read in, besides charset-normalizer's candidates,
#: roughly in order of use on the web (W3Techs' character encoding survey: Windows-
#: 1252/Latin-1 far ahead, then Windows-1251, Shift_JIS, EUC-JP, GB2312/GBK, EUC-KR,
#: Windows-1250, Big5...). charset-normalizer rates each reading's chaos, not how much
#: likelier one reading is than another, so on short or accented Latin text it names
#: cp1006 or cp1250 for Windows-1252 ("naﺅve", "trčs"), and on CJK text it may find no
#: fit at all. Where two pages read the sample alike, the one listed first is named:
#: the superset (gb18030 over gbk, cp949 over euc_kr), since a streamed file goes on
#: being decoded with it.
COMMON_PAGES = (
    "cp1252", "latin-1", "cp1251", "cp932", "shift_jis", "euc_jis_2004", "euc_jp",
    "gb18030", "gbk", "gb2312", "cp949", "euc_kr", "cp1250", "iso8859-2", "big5", "cp950",
    "big5hkscs", "cp1256", "cp1254", "iso8859-9", "iso8859-15", "cp1253", "iso8859-7",
    "cp1255", "iso8859-8", "cp874", "tis-620", "koi8-r", "koi8-u", "iso8859-5", "cp1257",
    "iso8859-13", "cp1258", "iso8859-6", "mac-roman", "cp437", "cp850", "cp866",
    "mac-cyrillic", "johab",
)
_RANK = {codecs.lookup(name).name: rank for rank, name in enumerate(COMMON_PAGES)}
#: Bytes of the sample's non-ASCII lines that the readings are costed on: ASCII lines
#: read alike in every candidate (all are ASCII-compatible but the odd EBCDIC page,
#: which then loses on its letters anyway).
EVIDENCE = 4096
#: Longest piece a long line is cut to, at a byte below 0x40 (never a trail byte).
PIECE = 256
#: Cost per byte above which no reading is text (refused when charset-normalizer found
#: none either): real text in the eval-sources samples costs 1.5-3.5 nats per byte;
#: random high bytes cost 8 to 12 in every code page.
MAX_COST_PER_BYTE = 6.0


def page_prior(encoding: str) -> float:
    """Cost in nats of a code page before any text is seen: Zipf's law over
    COMMON_PAGES (rank r costs log(r + 1)), every other page after the last.
    It settles near ties: "naïve résumé" costs about the same read as Windows-1252
    or as Windows-1250 ("naďve résumé"), and Windows-1252 is far more used."""
    return math.log(_RANK.get(encoding, len(COMMON_PAGES)) + 1)


def _code_page(sample: bytes, whole: bool = False) -> tuple[str, float]:
    """The legacy code page whose reading of the sample is the most plausible text,
    and a confidence: its share of the readings' likelihoods (exp(-cost)).

    Candidates are charset-normalizer's matches (each with the pages it says decode
    alike) and COMMON_PAGES, each kept if it decodes the whole sample strictly (about
    2 ms for 64 KiB and all the pages). Their readings of the sample's non-ASCII lines
    are scored by `_cost` (`plausible.cost`: letters by word under the best-fitting
    language, symbols by how many code pages carry them) plus `page_prior`. Readings that
    come out the same text are one candidate, named by the likeliest page: cp1252
    rather than latin-1 when no byte is in 80-9F.
    """
    matches = list(from_bytes(sample))
    names = [name for match in matches for name in (match.encoding, *match.could_be_from_charset)]
    pieces = _evidence(sample)
    readings: dict[tuple[str, ...], str] = {}   # text -> the likeliest page that reads it
    for name in dict.fromkeys([*names, *COMMON_PAGES]):
        encoding = codecs.lookup(name).name
        try:
            _decode_cut(sample, encoding, final=whole)
            text = tuple(_decode_cut(piece, encoding) for piece in pieces)
        except UnicodeDecodeError:
            continue
        held = readings.get(text)
        if held is None or page_prior(encoding) < page_prior(held):
            readings[text] = encoding
    scores, costed = _scores(readings, absolute=not matches)
    if not scores:
        if matches:   # charset-normalizer's decoding forgives what ours does not
            best_match = matches[0]
            return (codecs.lookup(best_match.encoding).name,
                    LEGACY_CONFIDENCE * max(0.0, 1.0 - best_match.chaos))
        raise BinaryInputError("no text encoding fits (no code page decodes it)")
    best, encoding = scores[0]
    if not matches and best > MAX_COST_PER_BYTE * sum(map(len, pieces[:costed])):
        raise BinaryInputError("no text encoding fits (charset-normalizer finds none, and "
                               "no code page reads it as plausible text)")
    share = 1.0 / sum(math.exp(best - score) for score, _ in scores)
    return encoding, LEGACY_CONFIDENCE * share


#: A reading that costs this much more than the best so far is dropped: e^-30 of the
#: likelihood cannot change the choice, nor the confidence.
PRUNE = 30.0


def _scores(readings: dict[tuple[str, ...], str], absolute: bool = True
            ) -> tuple[list[tuple[float, str]], int]:
    """(cost + prior, page) of the readings, best first, piece by piece: a reading
    PRUNE behind the best is not costed further (the evidence of a Western text has
    some twenty readings, and most fall behind on the first line), and once one
    alone is left, nothing is. With the number of pieces costed.

    Unless `absolute` costs are asked for, a piece that every reading still in the
    race reads alike is not costed: it adds the same to each, and changes neither
    their order nor their shares (Shift-JIS and CP932 differ in a few characters).
    """
    alive = {encoding: (page_prior(encoding), text) for text, encoding in readings.items()}
    # Pages that differ in a few bytes read most pieces alike: each text is costed once.
    costs: dict[str, float] = {}
    costed = 0
    for i in range(max((len(text) for text in readings), default=0)):
        costed = i + 1
        if not absolute and len({text[i] for _, text in alive.values()}) == 1:
            continue
        for encoding, (score, text) in alive.items():
            piece = text[i]
            cost = costs.get(piece)
            if cost is None:
                cost = costs[piece] = _cost(piece)
            alive[encoding] = (score + cost, text)
        best = min(score for score, _ in alive.values())
        alive = {e: (s, t) for e, (s, t) in alive.items() if s <= best + PRUNE}
        if len(alive) == 1:
            break   # the rest of the evidence can change neither the page nor its share
    return sorted(((score, encoding) for encoding, (score, _) in alive.items()),
                  key=lambda item: (item[0], _RANK.get(item[1], len(_RANK)))), costed


def _decode_cut(data: bytes, encoding: str, final: bool = False) -> str:
    """Strict decoding, but for a character that the end of `data` cuts in two: the
    sample is cut after a newline or space when it can be, else anywhere. A sample
    that is the `final` part of the data has no such excuse: "5\xa3" at the end of a
    file is "5£" in Windows-1252, not a cut EUC-JP character after "5"."""
    return codecs.getincrementaldecoder(encoding)().decode(data, final)


def _evidence(sample: bytes) -> list[bytes]:
    """The sample's lines that hold a byte above 0x7F, up to EVIDENCE bytes: where
    code pages differ. A long line is cut to pieces of at most PIECE bytes after a
    byte below 0x40 (never inside a double-byte character); one without such a byte
    is kept whole."""
    pieces: list[bytes] = []
    size = 0
    for line in sample.splitlines(keepends=True):
        while line and size < EVIDENCE:
            cut = len(line)
            if cut > PIECE:
                cut = _after_low_byte(line, PIECE)
            piece, line = line[:cut], line[cut:]
            if not piece.isascii():
                pieces.append(piece)
                size += len(piece)
        if size >= EVIDENCE:
            break
    return pieces


def _after_low_byte(line: bytes, limit: int) -> int:
    """The index after the last byte below 0x40 in line[limit // 2:limit], else after
    the first one past limit, else the whole line."""
    for i in range(limit - 1, limit // 2 - 1, -1):
        if line[i] < 0x40:
            return i + 1
    for i in range(limit, len(line)):
        if line[i] < 0x40:
            return i + 1
    return len(line)


def _cost(piece: str) -> float:
    """`plausible.cost` of the piece with its apostrophes joined (see KNOWN_WORD),
    INSIDE_WORD for each symbol that cuts a word or capital that follows a small
    letter, less KNOWN_WORD for each common word with an accented letter."""
    piece = _APOSTROPHE.sub("", piece)
    return (plausible.cost(piece) + INSIDE_WORD * (
                _cut_words(piece) + _inner_capitals(piece) + len(_GLUED_CURRENCY.findall(piece)))
            - KNOWN_WORD * _known_words(piece))


#: Windows pages write ’ at 0x92 where Mac pages write í, DOS pages Æ. The letter
#: model prices letters in pairs, so it found "didnít" and "objectís" (English
#: Windows-1252 read as Mac Roman) as likely as "didn’t" and "object’s", where the
#: apostrophe cost a symbol and cut a word in two. So an apostrophe between letters
#: is costed as part of its word ("didnt"), and a word with an accented letter
#: (Latin, Greek or Cyrillic) that is one of the commonest words of some language
#: (`plausible.known_word_cost`; three letters or more, since two-letter words of
#: some language are everywhere) earns KNOWN_WORD: "día" is Spanish, "d’a" is "da"
#: read as a word, and Mac Roman Spanish stays Mac Roman. (A bonus for known words,
#: not a cost for unknown ones: the true reading holds names and rare forms too,
#: and a cost for them lost "Edén" to GBK's "Ed¨¦n".)
KNOWN_WORD = 8.0
_APOSTROPHE = re.compile("(?<=[^\\W\\d_])\u2019(?=[^\\W\\d_])")
_ACCENTED_WORD = re.compile("[^\\W\\d_]*[\u00c0-\u024f\u0370-\u04ff][^\\W\\d_]*")


def _known_words(text: str) -> int:
    count = 0
    for m in _ACCENTED_WORD.finditer(text):
        word = m.group()
        if word.isupper():   # the lists write words in small letters: "FÉVRIER"
            word = word.lower()
        if len(word) > 2 and plausible.known_word_cost(word) is not None:
            count += 1
    return count


#: Cost of a non-ASCII symbol between two letters of an alphabetic script. The letter
#: model scores the halves of "s‚jour" (séjour, DOS cp850 read as Windows-1252) or
#: "GWA£TOWNY" (Polish GWAŁTOWNY, Windows-1250 read as 1252) as two cheap words, so
#: such a reading came out as plausible as the true one. Words hold ASCII ' and -, not
#: counted; the one non-ASCII symbol they hold often, ’ (don’t), sits at the same byte
#: in every Windows code page, so it costs every reading of those bytes alike.
INSIDE_WORD = 6.0
_SYMBOL = re.compile(r"[^\x00-\x7f\w\s]")


def _cut_words(text: str) -> int:
    """Non-ASCII symbols with a narrow letter on each side: "s‚jour", not "l’a" alone
    (counted too), nor "コーヒー・カップ" (CJK text joins words with ・)."""
    count = 0
    for found in _SYMBOL.finditer(text, 1, len(text) - 1):
        i = found.start()
        if _narrow_letter(text[i - 1]) and _narrow_letter(text[i + 1]):
            count += 1
    return count


def _inner_capitals(text: str) -> int:
    """Non-ASCII capitals right after a small letter: "MoliŠre" (Molière, DOS cp850
    read as Windows-1252), "serÄ" (será, HP Roman-8). The letter model charges a
    capital only its case, as at the start of a word. ASCII ones (iPhone, McDonald)
    are not counted."""
    count = 0
    for found in _NON_ASCII.finditer(text, 1):
        i = found.start()
        if text[i].isupper() and text[i - 1].islower():
            count += 1
    return count


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: A currency sign right after a letter: amounts put it by digits or spaces, and
#: "културни€" is Bulgarian "културния" (Windows-1251 FF) read as Mac Cyrillic.
_GLUED_CURRENCY = re.compile("(?<=[^\\W\\d_])[\u20a0-\u20bf\u00a2-\u00a5]")


def _narrow_letter(ch: str) -> bool:
    return ch.isalpha() and not plausible.is_wide(ch)


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 with a few bad bytes: one Windows-1252 ’ (0x92) pasted into a UTF-8 file.

    Valid multi-byte characters must outnumber invalid bytes MOSTLY_UTF8 to 1. Legacy
    text read as UTF-8 gives at most 0.44 to 1 (cp949; Windows-1252 and GBK far less):
    its high bytes seldom happen to form UTF-8 sequences.
    """
    probe = sample.decode("utf-8", errors="replace")
    bad = probe.count("\ufffd")
    valid = len(probe) - len(probe.encode("ascii", errors="ignore")) - bad
    return valid >= MOSTLY_UTF8 * max(bad, 1)


def _detection_sample(data: bytes, first_error: int) -> bytes:
    """At most SAMPLE bytes, cut after a newline or space: a byte below 0x40 is never
    the second byte of a GBK, Big5, Shift_JIS or EUC character. A head of pure ASCII
    says nothing of the code page (a CSV with 64 KiB of English rows before the first
    "é"), so then the sample starts at the line of the first byte that is not UTF-8."""
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
