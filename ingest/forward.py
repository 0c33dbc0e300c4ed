"""UTF-8 read as a CJK double-byte codec: find the runs, decode them back, judge them.

"they’re" in UTF-8 is 74 68 65 79 E2 80 99 72 65. GBK reads E2 80 as 鈥 and 99 72
as 檙 (it swallows the ASCII "r" as a trail byte), giving "they鈥檙e". Encoding the
non-ASCII run "鈥檙" back to GBK gives E2 80 99 72, which is valid UTF-8: "’r".

Clean CJK text also encodes to bytes that sometimes look like UTF-8, so a decoding is
only a candidate; `plausible.cost` decides, with a margin in favour of leaving text
alone. Runs that hold U+FFFD go to `lossy.recover`, or, with many gaps, to
`pieces.read_run`.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from . import detect, lone, lossy, pieces, plausible
from .chains import (
    ASCII_READING,
    CACHED_RUN,
    FORWARD_FAMILIES,
    LOST,
    MAX_MIXED_RUN,
    NON_ASCII,
    SBCS_HIGH,
    UTF8_CHAR,
    Encoded,
    encode_char,
    encode_run,
    report_order,
    sbcs_bytes,
)
from .decode import page_prior
from .edits import Edit

#: A decoding must be this many nats cheaper than what is there to replace it. A
#: false repair is worse than a missed one.
MARGIN = 6.0
#: A part of a longer CJK run is a candidate only if it holds this many UTF-8
#: characters: one clean hanzi in GBK is a valid 2-byte UTF-8 sequence by chance
#: about one time in eight, and clean Chinese in EUC-JP shows two valid 3-byte
#: sequences in a row in about one line in three; three in a row are rare.
MIN_PART_CHARS = 3
#: A strict decoding is a candidate unless it is clearly dearer on its own; it is made
#: only if it clears MARGIN together with the line's other repairs (`_judge_jointly`).
CANDIDATE_FLOOR = -MARGIN
#: Context (characters each side) given to the cost comparison.
CONTEXT = 12
#: In a document where a family's exact repairs already sum to ESTABLISHED nats, its
#: candidates need only this margin: "nâgr卯" in a line of French read as GBK is
#: "nâgrî", though 卯 alone is ordinary Chinese. Clean text has no such support.
SUPPORTED_MARGIN = 2.0
ESTABLISHED = 12.0
#: ...and where the strong candidates are at least this share of the non-ASCII runs of
#: the lines that may hold mojibake. A text misread by a decoder is mojibake from run
#: to run; one strong candidate in a dictionary of 38,000 clean Chinese words ("4s店"
#: read as EUC-JP, a letter glued to "4s") proves nothing of the other lines.
ESTABLISHED_SHARE = 0.05
#: A strong candidate that is a character alone (`lone.is_alone`: "漏 2020" read as
#: "© 2020") is taken where its family reads at least this share of the text's
#: characters alone, or has support from other runs.
ALONE_SHARE = 0.5

_WIDE_CHAR = re.compile("[\u2e80-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")
#: Windows code pages leave a few bytes undefined (Windows-1252: 81 8D 8F 90 9D); a
#: strict decoder writes U+FFFD for them, so "”" (E2 80 9D) comes out as "â€�". Only
#: those few values can fill such a gap: `repair_sbcs_gaps` tries each page.
LOSSY_SBCS = [("cp1252",), ("cp1250",), ("cp1251",), ("cp1253",), ("cp1254",), ("cp1257",)]
_NAMES = {f"cp125{i}": f"windows-125{i}" for i in range(10)}


@dataclass(frozen=True)
class Candidate:
    start: int          # offsets in the line
    end: int
    after: str
    codec: str
    gain: float         # nats saved over the original span
    share: float = 1.0  # for lossy candidates, the top guess's probability
    lossy: bool = False
    family: str = ""
    judged: str = ""   # the text the gain was judged on, if not `after` (see `_judge`)


def _with_family(c: Candidate, family: str) -> Candidate:
    # dataclasses.replace costs ten times a constructor; this is in the inner loop
    # (and so are the other copies of a candidate below, built the same way).
    return Candidate(c.start, c.end, c.after, c.codec, c.gain, c.share, c.lossy, family,
                     c.judged)


def confidence(gain: float, share: float = 1.0) -> float:
    """Map a cost gain (nats) to a 0..1 confidence; lossy guesses scale by their share."""
    strict = 1.0 - 0.5 * math.exp(-(gain - MARGIN) / 8.0)
    return round(max(0.5, min(0.999, strict)) * share, 3)


def repair_sbcs_gaps(text: str) -> list[Edit]:
    """UTF-8 read as a Windows code page, where the page had no character for a byte.

    Runs before ftfy, which would write a bare U+FFFD for the whole sequence. With
    ftfy's "â€�" the evidence is the same five bytes whatever the document, so
    no document evidence is gathered here.
    """
    flagged = {i: LOSSY_SBCS for i in _lines_with(text, "\ufffd")}
    edits: list[Edit] = []
    for offset, line, _ in _flagged_lines(text, flagged):
        found = _sbcs_gaps_cached(line) if len(line) <= CACHED_LINE else _sbcs_gaps(line)
        edits.extend(_edit(offset, c) for c in found)
    return edits


def _sbcs_gaps(line: str) -> list[Candidate]:
    """`repair_sbcs_gaps` on one line: the best candidate of each run with a gap,
    then, in the code page those chose, the line's other runs ("Ă�frica, AmĂ©rica":
    once the gap says Windows-1250, ftfy would no longer take the line whole).
    (It depends on the line alone: `_sbcs_gaps_cached` keeps lines met before.)"""
    work = _restore_a0(line)
    if all(_WIDE_CHAR.search(m.group()) for m in NON_ASCII.finditer(work)
           if "\ufffd" in m.group()):
        return []   # (every gap is another family's: see the loop below)
    out, codecs = [], []
    context, gaps, parts = _decoded_around_gaps(work)
    for start, end, at in gaps:
        if _WIDE_CHAR.search(work, start, end):
            continue   # (no Windows code page has a CJK character: another family's gap)
        # Judged in a window of the decoded line, as `_fill_line` judges its runs:
        # the whole line for each gap made a long line of gaps quadratic.
        lo = max(0, at - FILL_WINDOW)
        window = context[lo:at + end - start + FILL_WINDOW]
        shift = start - (at - lo)
        cands = [_shifted(c, shift) for family in LOSSY_SBCS
                 for c in _candidates(window, at - lo, at - lo + end - start, family, Counter())]
        deep = _twice_read(work, start, end)
        if deep is not None and (not cands or deep.gain > max(c.gain for c in cands)):
            cands = [deep]
        if cands:
            # Pages that read the run alike differ in the bytes they lack: "ë°\ufffd"
            # is 및 (EB B0 8F) in Windows-1252 and 반 (EB B0 98) in Windows-1250. The
            # commoner page is the likelier writer (`decode.page_prior`, by web usage).
            best = max(cands, key=lambda c: c.gain - page_prior(c.codec))
            out.append(best)
            codecs.append(best.codec)
    taken = _Spans(out)
    for codec in dict.fromkeys(codecs):
        for m in NON_ASCII.finditer(work):
            if "\ufffd" in m.group():
                continue
            # The gap has shown the line's code page, so SUPPORTED_MARGIN; and judged
            # against the line as it came: a space read back as A0 is part of the
            # repair ("â € " is U+2800), not of the text it replaces.
            found = [c for c in _candidates(work, m.start(), m.end(), (codec,), Counter())
                     if span_gain(line, c.start, c.end, c.after) >= SUPPORTED_MARGIN]
            if found and not taken.meets(m.start(), m.end()):
                out.append(max(found, key=lambda c: c.gain))
                taken.add(out[-1])
        # The characters between the gaps of a run cut apart (a line of Chinese):
        # exact UTF-8 in the page the gaps chose, they are read whatever they gain.
        for start, end in parts:
            text = _utf8_read(work[start:end]) if codec in ("cp1252", "latin-1") else None
            if text is not None and not taken.meets(start, end):
                out.append(Candidate(start, end, text, codec, max(MARGIN, span_gain(
                    line, start, end, text))))
                taken.add(out[-1])
    return sorted(out, key=lambda c: c.start)


class _Spans:
    """Spans of candidates that do not overlap, sorted, to ask whether a new one
    would meet any (in log time: a line of thousands of runs asked of each)."""

    def __init__(self, cands: list[Candidate]) -> None:
        ordered = sorted((c.start, c.end) for c in cands)
        self.starts = [a for a, _ in ordered]
        self.ends = [b for _, b in ordered]

    def meets(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)   # the spans starting before `end`
        return i > 0 and self.ends[i - 1] > start

    def add(self, c: Candidate) -> None:
        i = bisect.bisect_left(self.starts, c.start)
        self.starts.insert(i, c.start)
        self.ends.insert(i, c.end)


def _decoded_around_gaps(line: str
                         ) -> tuple[str, list[tuple[int, int, int]], list[tuple[int, int]]]:
    """`line` with what reads as UTF-8 once encoded back in Windows-1252 (or Latin-1)
    decoded, as ftfy will decode it, and its gap runs: (start, end) in `line` and
    where each now starts. A gap is judged among what its neighbours say: "ã€\ufffd"
    among Chinese read as Windows-1252 ("ä¼Šå¤šè¯\xadã€\ufffdå†°") is 、 (E3 80 81)
    between 语 and 冰, a wide character that loses among Latin letters where they
    are left. A run of no ASCII is cut into its UTF-8 characters first, when longer
    than MAX_MIXED_RUN (a line of Chinese or Japanese, which `encode_run` does not
    take whole): each character with a gap is a gap run of its own, and the rest of
    the run comes back as parts, (start, end) in `line`."""
    pieces: list[str] = []
    gaps: list[tuple[int, int, int]] = []
    parts: list[tuple[int, int]] = []
    pos = size = 0
    for m in NON_ASCII.finditer(line):
        pieces.append(line[pos:m.start()])
        size += m.start() - pos
        pos = m.end()
        run = m.group()
        if "\ufffd" not in run:
            run = _utf8_read(run) or run
        elif len(run) > MAX_MIXED_RUN and (cuts := _utf8_cuts(run)) is not None:
            for a, b in pairwise(cuts):
                part = run[a:b]
                if "\ufffd" in part:
                    gaps.append((m.start() + a, m.start() + b, size))
                else:
                    if parts and parts[-1][1] == m.start() + a:
                        parts[-1] = (parts[-1][0], m.start() + b)
                    else:
                        parts.append((m.start() + a, m.start() + b))
                    part = _utf8_read(part) or part
                pieces.append(part)
                size += len(part)
            continue
        else:
            gaps.append((m.start(), m.end(), size))
        pieces.append(run)
        size += len(run)
    pieces.append(line[pos:])
    return "".join(pieces), gaps, parts


def _utf8_read(run: str) -> str | None:
    """`run`, read by Windows-1252 or Latin-1, decoded as the UTF-8 it was, or None."""
    data = sbcs_bytes(run)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _utf8_cuts(run: str) -> list[int] | None:
    """Offsets in `run` (each character one byte of Windows-1252, U+FFFD a lost one)
    where a UTF-8 character starts, with 0 and len(run); None if some character is
    no byte of the page."""
    cuts = [0]
    for i, ch in enumerate(run):
        if ch == "\ufffd":
            continue   # (a continuation byte: the page has every lead byte)
        data = sbcs_bytes(ch)
        if data is None:
            return None
        if i and (data[0] < 0x80 or data[0] >= 0xC0):
            cuts.append(i)
    cuts.append(len(run))
    return cuts


def _shifted(c: Candidate, shift: int) -> Candidate:
    if not shift:
        return c
    return Candidate(c.start + shift, c.end + shift, c.after, c.codec, c.gain, c.share,
                     c.lossy, c.family, c.judged)


def _twice_read(line: str, start: int, end: int) -> Candidate | None:
    """A gap run of UTF-8 read as a Windows page twice ("Ã�Å¸Ã‘â‚¬" is Пр): the
    second reading lost a byte of the first one's characters, and a filling judged
    on its own layer ("ÁŸÑ€" as good as "ÐŸÑ€", both garbage) leaves no UTF-8 for
    the next layer. Each gap is filled with one of the bytes the page lacks, the
    same one for all the run's gaps (a script's letters share their lead: Cyrillic
    А–П all start with D0, read as Ð, whose second byte 0x90 Windows-1252 lacks), and
    a filling counts only if the text it gives is UTF-8 read as the page in turn. It
    is judged on the text below that; the edit writes the layer between, which the
    next layer (ftfy's) decodes."""
    run = line[start:end]
    if len(run) < 4 or not run.strip("\ufffd"):
        return None   # the least read twice: two bytes, read as two characters of two
    found: list[tuple[float, str, str, str]] = []
    for (page,) in LOSSY_SBCS:
        enc = encode_run(run, (page,))
        if enc is None or not enc.holes:
            continue
        for byte in _lacking(page):
            # Every hole the same byte (LOST is no byte of a run read as the page).
            data = enc.data.replace(bytes([LOST]), bytes([byte]))
            try:
                first = data.decode("utf-8")
                # UTF-8 read as a page again shows its marks ("Ñ€"); ” read once,
                # "â€\ufffd" filled, is "”" and shows none.
                if not detect.LATIN.search(first):
                    continue
                below = _read_below(first, page)
            except UnicodeError:
                continue
            if below != first:
                found.append((span_gain(line, start, end, below), first, below, page))
    if not found:
        return None
    gain, first, below, page = max(found, key=lambda f: f[0])
    if gain < MARGIN:
        return None
    share = 1.0 / sum(math.exp(g - gain) for g, _, _, _ in found)
    return Candidate(start, end, first, page, gain, share, True, judged=below)


def _read_below(first: str, page: str) -> str:
    """`first` encoded back in `page` and read as UTF-8 (UnicodeError if it is not
    UTF-8 read as the page). A U+FFFD in it is a byte the first reading lost ("с" is
    D1 81, and Windows-1252 has no 0x81), the next round's gap to fill; for judging
    this layer it is read as the continuation byte 0x80 (a letter of the same row,
    "р"), and where that is no UTF-8 either, as U+FFFD."""
    if "\ufffd" not in first:
        return first.encode(page).decode("utf-8")
    data = b"\x80".join(piece.encode(page) for piece in first.split("\ufffd"))
    below = data.decode("utf-8", errors="replace")
    if below.count("\ufffd") > first.count("\ufffd"):
        raise UnicodeError("not UTF-8 but for the lost bytes")
    return below


@cache
def _lacking(page: str) -> bytes:
    """The bytes a single-byte page has no character for (U+FFFD when read strictly)."""
    out = bytearray()
    for b in range(0x80, 0x100):
        try:
            bytes([b]).decode(page)
        except UnicodeDecodeError:
            out.append(b)
    return bytes(out)


def _page_chars(low: int, high: int) -> str:
    """What the LOSSY_SBCS pages read bytes low..high as, escaped for a class."""
    return re.escape("".join(sorted({
        bytes([b]).decode(family[0], errors="ignore")
        for family in LOSSY_SBCS for b in range(low, high + 1)} - {""})))


#: A space where a UTF-8 sequence needs its A0 byte, which some process turned into a
#: space, as ftfy's `restore_byte_a0` knows: after a two-byte lead, before a letter or
#: more non-ASCII text ("Ð ÑƒÑ�Ñ�ÐºÐ¸Ð¹" is Русский, "Ã s" is às); inside a three- or
#: four-byte sequence ("â € " is U+2800, "âš ï¸�" is ⚠️, E2 9A A0 then EF B8 8F).
_LEAD2, _LEAD3, _LEAD4 = _page_chars(0xC2, 0xDF), _page_chars(0xE0, 0xEF), _page_chars(0xF0, 0xF4)
_TRAIL = _page_chars(0x80, 0xBF)
#: (The space comes first, so that the regex engine looks for spaces alone and tries
#: the lookbehinds only there: led by them, it tried them at every character.)
_A0_SPACE = re.compile(" (?:" + "|".join((
    f"(?<=[{_LEAD2}] )(?=[^\\x00-\\x7f]|[A-Za-z])",
    f"(?<=[{_LEAD3}] )(?=[{_TRAIL}])",
    f"(?<=[{_LEAD3}][{_TRAIL}] )",
    f"(?<=[{_LEAD4}] )(?=[{_TRAIL}])",
    f"(?<=[{_LEAD4}][{_TRAIL}] )(?=[{_TRAIL}])",
    f"(?<=[{_LEAD4}][{_TRAIL}][{_TRAIL}] )",
)) + ")")


def _restore_a0(line: str) -> str:
    """`line` with such spaces read as U+00A0, as their byte was (same length)."""
    return _A0_SPACE.sub("\u00a0", line) if " " in line else line


def repair_text(text: str, evidence: Counter, with_gaps: bool, support: Counter) -> list[Edit]:
    """Edits that undo UTF-8-as-CJK mojibake in `text`, line by line.

    With `with_gaps` False only exact decodings are made, on the lines `_screen`
    flags; with True only runs holding U+FFFD are considered, and their gaps are
    filled from context (in text order, each choice adding to the evidence).

    `support` sums, per family, the gains of its candidates over the text (and is
    updated here): a document was misread by one decoder, so a run that several
    families can explain goes to the family the rest of the document points to.
    "漏" is © read as GBK, and ש read as something else; in a GBK document it is ©.
    """
    if with_gaps:
        families = list(FORWARD_FAMILIES.values())
        if not _LONE_GAP.search(text):
            families.append(ASCII_READING)
        flagged = {i: families for i in _lines_with(text, "\ufffd")}
        evidence_before = evidence.copy()
        skipped: list[int] = []
        edits = _fill_lines(text, flagged, evidence, support, skipped)
        if skipped and _family_known(support):
            # Runs of U+FFFD alone met before the document had shown its decoder are
            # read again, knowing it ("G����WNY" on the first line of a text whose
            # decoder the later lines show): it is a fact of the whole text. The
            # support gathered stays; the evidence starts afresh.
            evidence.clear()
            evidence.update(evidence_before)
            edits = _fill_lines(text, flagged, evidence, support, [])
        return edits
    flagged = _screen(text)
    edits: list[Edit] = []
    pending: list[tuple[int, list[Candidate]]] = []
    tentative: list[tuple[int, list[Candidate]]] = []
    alone: list[tuple[int, list[Candidate]]] = []   # strong, but each a character alone
    alone_read: Counter = Counter()   # per family, the characters alone it reads
    runs_strong = 0   # runs with a strong candidate that is no single character alone
    for offset, line, families in _flagged_lines(text, flagged):
        families = _narrowed(families, support)
        if len(line) <= CACHED_LINE:
            runs = _strict_line_cached(line, tuple(families))
        else:
            runs = _strict_line(line, tuple(families))
        if not runs:
            continue
        found = [c for cands in runs for c in cands]
        in_cjk = any(lone.is_single(line, c) for c in found) and lone.in_cjk_text(line, found)
        for cands in runs:
            alone_read.update({c.family for c in cands if lone.is_alone(line, c)})
            strong = [c for c in cands if c.gain >= MARGIN and not lone.is_lone_letter(line, c)
                      and not lone.is_inner_capital(line, c) and not lone.is_invisible(line, c)
                      and not (in_cjk and lone.is_single(line, c))]
            if not strong:
                tentative.append((offset, cands))   # decided once the document is read
                continue
            if all(lone.is_alone(line, c) for c in strong):
                alone.append((offset, strong))
                continue
            for c in strong:
                if not lone.is_alone(line, c):
                    support[c.family] += c.gain
            runs_strong += 1
            pending.append((offset, strong))
    if alone:
        # A decoder reads every character of its mojibake; clean CJK data holds
        # characters alone ("#脿0" in a table of them) of which each decoder reads a
        # few by chance, no two alike ("脿" as GBK's "à", "蔵" as EUC-JP's "¢").
        total = lone.count_alone(text)
        for offset, cands in alone:
            kept = [c for c in cands if support[c.family] >= ESTABLISHED
                    or alone_read[c.family] >= ALONE_SHARE * total]
            if kept:
                pending.append((offset, kept))
    if tentative and runs_strong < ESTABLISHED_SHARE * _runs_in(text, flagged):
        tentative = []
    for offset, cands in tentative:
        kept = [c for c in cands if support[c.family] >= ESTABLISHED]
        if kept:
            pending.append((offset, kept))
    edits.extend(_edit(offset, _choose(cands, support)) for offset, cands in pending)
    # Trace.apply takes a layer's edits in text order; the tentative ones came last.
    edits.sort(key=lambda e: (e.start, e.end))
    return edits


def _runs_in(text: str, flagged: dict) -> int:
    """The non-ASCII runs of the lines `_screen` flagged."""
    return sum(sum(1 for _ in NON_ASCII.finditer(line))
               for _, line, _ in _flagged_lines(text, flagged))


#: A run of nothing but U+FFFD ("���" where Big5 lost all three bytes of ’) says
#: nothing of its decoder: it is filled only under a family that the rest of the
#: document was repaired in, with at least this much support (nats), and only when
#: it can hold one or two characters.
KNOWN_FAMILY = 20.0
MAX_BLIND_HOLES = 4
#: ...but where no family has any support, a run of two or three U+FFFD alone among
#: ASCII ("Object���s", "1966���1987") is read as what a decoder that rejects every
#: non-ASCII byte would leave, as ASCII does (and Big5, EUC-JP or EUC-KR do with
#: most punctuation): one U+FFFD per byte of one character, filled from context
#: (’, –). Not in a text with a lone U+FFFD among ASCII, which no UTF-8 character
#: leaves under that reading: there the bytes were something else (Windows-1252
#: read as UTF-8), and two U+FFFD are two lost characters.
BLIND_HOLES = (2, 3)
_LONE_GAP = re.compile("(?<![^\x00-\x7f])\ufffd(?![^\x00-\x7f])")


def _line_candidates(line: str, families: list[tuple[str, ...]]) -> list[list[Candidate]]:
    """The strict candidates of each run of the line without U+FFFD."""
    runs = []
    for m in NON_ASCII.finditer(line):
        if "\ufffd" in m.group():
            continue
        tried = [f for f in families if not _cannot_hold(m.group(), f)]
        if not tried:
            continue
        cands = _run_candidates(line, m.start(), m.end(), tried, Counter(), False, None)
        if cands:
            runs.append(cands)
    return runs


def _cannot_hold(run: str, family: tuple[str, ...]) -> bool:
    """A quick no for a run without U+FFFD: its bytes in the family's main codec
    neither decode as UTF-8 nor hold MIN_PART_CHARS valid characters in a row, so
    `_candidates` would find nothing (most runs of clean CJK text). Two calls in C."""
    try:
        data = run.encode(family[0])
    except UnicodeEncodeError:
        return False   # cut at the foreign characters: left to `_candidates`
    if _LONG.search(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _run_candidates(line: str, start: int, end: int, families: list[tuple[str, ...]],
                    evidence: Counter, with_gaps: bool, support: Counter | None,
                    skipped: list[int] | None = None) -> list[Candidate]:
    """The candidates of the run line[start:end] under each family."""
    run = line[start:end]
    tried = [f for f in families if f is not ASCII_READING]
    blind = with_gaps and not run.strip("\ufffd")
    if blind:
        if support is None or len(run) > MAX_BLIND_HOLES:
            return []
        known = [f for f in tried if support[f[0]] >= KNOWN_FAMILY]
        if not known and skipped is not None:
            skipped.append(start)
        if not any(support[f[0]] for f in tried) and ASCII_READING in families and (
                len(run) in BLIND_HOLES and line[start - 1:start].isascii()
                and line[end:end + 1].isascii()):
            known.append(ASCII_READING)
        tried = known
    cands = []
    for family in tried:
        found = _candidates(line, start, end, family, evidence, blind)
        cands.extend(_with_family(c, family[0]) for c in found)
    return cands


def _fill_line(line: str, families: list[tuple[str, ...]], evidence: Counter,
               support: Counter, skipped: list[int] | None = None) -> Iterator[Candidate]:
    """The lossy pass on one line: each run with U+FFFD in turn, judged in the line
    as the runs before it were filled (and with the evidence they added), so that
    a closing quote sees the opening one filled before it (“‘0’”, not “‘0’’).
    Yields each choice, in the line's own offsets.

    A run is judged in a window (the repaired text before it, the line after it,
    FILL_WINDOW characters each way: more than any judgement looks at), so a long
    line of gaps costs in proportion to its length."""
    tail, pos = "", 0   # the repaired text before `pos` (its last FILL_WINDOW characters)
    for m in NON_ASCII.finditer(line):
        if "\ufffd" not in m.group():
            continue
        tail = (tail + line[pos:m.start()])[-FILL_WINDOW:]
        pos = m.start()
        work = tail + line[m.start():m.end() + FILL_WINDOW]
        shift = m.start() - len(tail)   # line offset = work offset + shift
        cands = _run_candidates(work, len(tail), len(tail) + len(m.group()), families,
                                evidence, True, support, skipped)
        if not cands:
            continue
        best = _choose(cands, support)
        yield Candidate(best.start + shift, best.end + shift, best.after, best.codec, best.gain,
                        best.share, best.lossy, best.family, best.judged)
        tail = (tail + work[len(tail):best.start] + best.after)[-FILL_WINDOW:]
        pos = best.end + shift


def _fill_lines(text: str, flagged: dict, evidence: Counter, support: Counter,
                skipped: list[int]) -> list[Edit]:
    """The lossy pass of `repair_text`: each flagged line's runs filled in text order,
    each choice adding to the evidence and to its family's support. `skipped` gets
    the offset of each run of U+FFFD alone left for want of a known family."""
    edits: list[Edit] = []
    for offset, line, families in _flagged_lines(text, flagged):
        families = _narrowed(families, support)
        for best in _fill_line(line, families, evidence, support, skipped):
            lossy.note_evidence(evidence, line[max(0, best.start - 1):best.start]
                                + best.after + line[best.end:best.end + 1])
            if best.family != ASCII_READING[0]:
                # A reading, not a decoder: counted, it would settle the document on
                # itself and shut out the family that lost the other bytes.
                support[best.family] += best.gain
            edits.append(_edit(offset, best))
    return edits


def _family_known(support: Counter) -> bool:
    """Some decoder has the support that lets runs of U+FFFD alone be filled."""
    return any(gain >= KNOWN_FAMILY for f, gain in support.items() if f != ASCII_READING[0])


#: See `_fill_line`: twice the widest context a judgement of a run looks at.
FILL_WINDOW = 2 * lossy.SCRIPT_CONTEXT


def _strict_line(line: str, families: tuple[tuple[str, ...], ...]) -> list[list[Candidate]]:
    """The strict pass on one line: the candidates of each run, judged jointly.

    It depends on the line and the families alone, so a line met again (a header, a
    signature, a table row) is looked up (`_strict_line_cached`), not searched again.
    """
    kept = [f for f in families if _may_hold(line, f)]
    if not kept:
        return []
    return _judge_jointly(line, _line_candidates(line, kept))


#: Lines up to this long have their strict candidates kept (`_strict_line`), at most
#: LINES_CACHED of them: a cache, not a state; the answers are the same without it.
CACHED_LINE = 1000
LINES_CACHED = 4096
_strict_line_cached = lru_cache(maxsize=LINES_CACHED)(_strict_line)
_sbcs_gaps_cached = lru_cache(maxsize=LINES_CACHED)(_sbcs_gaps)


def _judge_jointly(line: str, runs: list[list[Candidate]]) -> list[list[Candidate]]:
    """Re-judge each family's candidates with its other candidates of the line applied.

    "Arapﾃｧasﾄｱ" is one word with two mojibake runs (UTF-8 read as Shift-JIS):
    each run repaired alone leaves a word still half broken, and gains little;
    repaired together they make "Arapçası". A candidate needs a gain alone
    above `CANDIDATE_FLOOR` and, among its family's other repairs, the full MARGIN,
    or SUPPORTED_MARGIN where the rest of the document supports its family
    (`repair_text`).
    """
    by_family: dict[str, dict[tuple[int, int], str]] = {}
    for cands in runs:
        for c in cands:
            by_family.setdefault(c.family, {})[(c.start, c.end)] = c.judged or c.after
    # A family with one candidate in the line has nothing to be judged with.
    joint = {family: joint_gains(line, spans) for family, spans in by_family.items()
             if len(spans) > 1}
    out = []
    for cands in runs:
        kept = []
        for c in cands:
            gain = joint[c.family][(c.start, c.end)] if c.family in joint else c.gain
            if _glued(line, c.start, c.end):
                gain -= GLUED
            if gain >= SUPPORTED_MARGIN:
                kept.append(c if gain == c.gain else Candidate(
                    c.start, c.end, c.after, c.codec, gain, c.share, c.lossy, c.family, c.judged))
        if kept:
            out.append(kept)
    return out


#: What a part of a run pays (nats) for being glued to a wide letter that stays as
#: it is. A document misread by one decoder is mojibake through and through: its
#: runs decode whole. A part that decodes while the letter beside it does not is
#: clean CJK whose bytes happen to be valid UTF-8 (two-byte characters, about one
#: time in ten each: 誇誇嘉誇 in EUC-KR is "ΣΣʩΣ"), unless the rest of the document
#: shows that decoder's mojibake too.
GLUED = MARGIN


def _glued(line: str, start: int, end: int) -> bool:
    return any(plausible.is_wide(ch) and plausible.is_word_char(ch)
               for ch in line[start - 1:start] + line[end:end + 1])


def joint_gains(line: str, decoded: dict[tuple[int, int], str]) -> dict[tuple[int, int], float]:
    """Each span's gain judged with all the other spans already replaced."""
    parts, spans, pos, size = [], {}, 0, 0
    for (s, e), text in sorted(decoded.items()):
        parts.append(line[pos:s])
        size += s - pos
        spans[(s, e)] = (size, size + len(text))
        parts.append(text)
        size += len(text)
        pos = e
    parts.append(line[pos:])
    whole = "".join(parts)
    return {k: -span_gain(whole, a, b, line[k[0]:k[1]]) for k, (a, b) in spans.items()}


#: Once one family holds this share of the support, over at least SETTLE_GAIN nats,
#: the document's decoder is known and the other families are no longer tried.
SETTLE_SHARE = 0.95
SETTLE_GAIN = 200.0


def _narrowed(families: list[tuple[str, ...]], support: Counter) -> list[tuple[str, ...]]:
    """`families`, or only the one the document has settled on (`_settled`)."""
    settled = _settled(support)
    if settled is None:
        return families
    return [f for f in families if f[0] == settled] or families


def _settled(support: Counter) -> str | None:
    total = sum(support.values())
    if total < SETTLE_GAIN:
        return None
    family, gain = support.most_common(1)[0]
    return family if gain >= SETTLE_SHARE * total else None


#: A candidate of a less supported family wins only with this much more gain.
FAMILY_PREFERENCE = 8.0


def _choose(cands: list[Candidate], support: Counter) -> Candidate:
    ranked = sorted(cands, key=lambda c: -support[c.family])
    best = ranked[0]
    for c in ranked[1:]:
        if c.gain > best.gain + FAMILY_PREFERENCE or (
            support[c.family] == support[best.family] and c.gain > best.gain
        ):
            best = c
    return best


def _edit(offset: int, c: Candidate) -> Edit:
    return Edit(offset + c.start, offset + c.end, c.after, ("utf-8", _NAMES.get(c.codec, c.codec)),
                confidence(c.gain, c.share), c.lossy)


#: In text encoded back with a family's codec and decoded as UTF-8 (errors
#: replaced): a run of characters with no U+FFFD from one ASCII character (or a line
#: edge) to the next, or MIN_PART_CHARS of them in a row anywhere. Where neither
#: shows, no run of that line can be this family's mojibake. The pattern starts with
#: its one character class, so the regex engine skips to each candidate at C speed
#: (clean CJK text re-decoded is mostly U+FFFD); the text it scans starts with a
#: newline, which stands for the line edge.
_DECODED = "[^\\x00-\\x7f\\ufffd]"
_BOUND = "[\\x00-\\x3e\\x40-\\x7f]"
_CLEAN_RUN = re.compile(
    f"{_DECODED}(?:{_DECODED}{{{MIN_PART_CHARS - 1},}}"
    f"|(?<={_BOUND}{_DECODED}){_DECODED}{{0,{MIN_PART_CHARS - 2}}}(?={_BOUND}|\\Z))"
)


#: MIN_PART_CHARS valid UTF-8 characters in a row, in bytes.
_LONG = re.compile(UTF8_CHAR + b"{%d,}" % MIN_PART_CHARS)


def _screen(text: str) -> dict[int, list[tuple[str, ...]]]:
    """Line numbers that may hold UTF-8-as-CJK mojibake, with the families to try.

    Per family: one encode of the whole text, one decode, one scan, all in C.
    Characters a codec lacks become "?", which ends a stretch but, unlike other
    ASCII, does not bound a run; newlines stay put, so line numbers agree.
    """
    flagged: dict[int, list[tuple[str, ...]]] = {}
    if not detect.FORWARD.search(text):
        return flagged
    for family in _families_led(text):
        widest = max(family, key=report_order)
        decoded = "\n" + text.encode(widest, errors="replace").decode("utf-8", errors="replace")
        line, pos = -1, 0   # the line of `pos`
        m = _CLEAN_RUN.search(decoded)
        while m is not None:
            if not _readable(m.group()):
                m = _CLEAN_RUN.search(decoded, m.end())
                continue
            at = m.end() - 1
            line += decoded.count("\n", pos, at)
            flagged.setdefault(line, []).append(family)
            # One mark flags its line: go on from the next (in Cyrillic read as
            # GBK, stretches come in every word).
            pos = decoded.find("\n", at) + 1
            if not pos:
                break
            line += 1
            m = _CLEAN_RUN.search(decoded, pos)
    return flagged


def _families_led(text: str) -> list[tuple[str, ...]]:
    """The families that may have misread `text`: those with a character in it that
    can start a run of their mojibake (`detect.family_leads`), all of them where a
    U+FFFD may stand for a lost lead. Clean Cyrillic text holds Big5 leads but no
    GBK ones, and GBK's chance readings of its bytes ("ݧԧѧ") cost a check each."""
    return [family for name, family in FORWARD_FAMILIES.items()
            if detect.family_leads(name).search(text)]


def _readable(stretch: str) -> bool:
    """Could `stretch`, text decoded from a family's bytes, be what a writer wrote,
    or a layer of mojibake on the way to it? Chance decodings of clean CJK text are
    strings no language writes ("ʿѧϰʹ", "ܸòİʺ߽"): most of their characters are
    used by no text at all. Real text may hold a rare character, one in UNSEEN_SHARE
    at most. What the wrong decoders write counts as seen, since a layer of mojibake
    under another is made of it: any CJK character ("艢膯" is ŚĆ read as GBK), any
    character Latin-1 or Windows-1252 reads ("Ã\xad" is í)."""
    known = _LAYER_CHARS
    unseen = 0
    for c in stretch:
        seen = known.get(c)
        if seen is None:
            seen = _layer_char(c)
        if not seen:
            unseen += 1
    return unseen * UNSEEN_SHARE <= len(stretch)


#: See `_readable`.
UNSEEN_SHARE = 4
_SBCS_HIGH = frozenset(SBCS_HIGH)


#: `_layer_char` of the characters met, up to plausible.MAX_KINDS of them.
_LAYER_CHARS: dict[str, bool] = {}


def _layer_char(ch: str) -> bool:
    if len(_LAYER_CHARS) >= plausible.MAX_KINDS:
        _LAYER_CHARS.clear()
    seen = _LAYER_CHARS[ch] = (plausible.is_seen(ch) or ch in _SBCS_HIGH
                               or plausible.is_wide(ch))
    return seen


def _lines_with(text: str, char: str) -> list[int]:
    out = []
    line, pos = 0, 0
    i = text.find(char)
    while i >= 0:
        line += text.count("\n", pos, i)
        pos = i
        if not out or out[-1] != line:
            out.append(line)
        i = text.find(char, i + 1)
    return out


def _flagged_lines(text: str, flagged: dict[int, list[tuple[str, ...]]]):  # type: ignore[no-untyped-def]
    """(start offset, line, families) for each flagged line number, in order."""
    line, pos = 0, 0
    for number in sorted(flagged):
        while line < number:
            pos = text.index("\n", pos) + 1
            line += 1
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        families = list(dict.fromkeys(flagged[number]))
        yield pos, text[pos:end], families


def undo(run: str) -> tuple[str, str] | None:
    """Decode a whole run back from UTF-8-as-CJK mojibake, if it decodes: (text, codec).
    (Short runs, met again and again, are looked up: `_undo_cached`.)"""
    if len(run) <= CACHED_RUN:
        return _undo_cached(run)
    return _undo(run)


def _undo(run: str) -> tuple[str, str] | None:
    for family in FORWARD_FAMILIES.values():
        enc = encode_run(run, family)
        if enc is None or enc.holes:
            continue
        try:
            text = enc.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return text, _exact_codec(enc.data, run, family)
    return None


_undo_cached = lru_cache(maxsize=16384)(_undo)


def _candidates(line: str, start: int, end: int, family: tuple[str, ...],
                evidence: Counter, blind: bool = False) -> list[Candidate]:
    run = line[start:end]
    if not blind and not run.strip("\ufffd"):
        return []   # nothing but lost bytes: no evidence of any chain
    enc = encode_run(run, family)
    if enc is None:
        if end - start > MAX_MIXED_RUN:
            return []
        return _split_at_foreign(line, start, end, family, evidence)
    if enc.holes:
        cand = _lossy(line, start, end, enc, family, evidence, blind)
        return [cand] if cand else []
    try:
        text = enc.data.decode("utf-8")
    except UnicodeDecodeError:
        return _parts(line, start, enc, family)
    codec = _exact_codec(enc.data, run, family)
    cand = _judge(line, start, end, text, codec)
    return [cand] if cand else []


def _split_at_foreign(line: str, start: int, end: int, family: tuple[str, ...],
                      evidence: Counter) -> list[Candidate]:
    """A run holding a character the family's codec lacks: try the pieces around it.

    Only for runs with at most MAX_FOREIGN such characters: a run made mostly of
    characters a codec lacks (simplified Chinese in Big5) is not its mojibake.
    """
    foreign = _foreign(line[start:end], family[0])
    if foreign is None:
        return []
    out = []
    piece = start
    for i in [start + f for f in foreign] + [end]:
        if i > piece:
            out.extend(_candidates(line, piece, i, family, evidence))
        piece = i + 1
    return out


#: See `_split_at_foreign`.
MAX_FOREIGN = 2


def _foreign(run: str, codec: str) -> list[int] | None:
    """Offsets of the characters of `run` that `codec` cannot encode (None if too many)."""
    found: list[int] = []
    pos = 0
    while True:
        try:
            run[pos:].encode(codec)
            return found
        except UnicodeEncodeError as exc:
            if len(found) == MAX_FOREIGN:
                return None
            found.append(pos + exc.start)
            pos += exc.start + 1


def _parts(line: str, start: int, enc: Encoded, family: tuple[str, ...]) -> list[Candidate]:
    """Parts of a run that decode as UTF-8 on their own, aligned to character bounds."""
    out: list[Candidate] = []
    index = {b: i for i, b in enumerate(enc.bounds)}
    for piece_start, piece_end in _aligned_pieces(enc):
        chunk = enc.data[piece_start:piece_end]
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            continue
        a, b = start + index[piece_start], start + index[piece_end]
        cand = _judge(line, a, b, text, _exact_codec(chunk, line[a:b], family))
        if cand:
            out.append(cand)
    return out


def _aligned_pieces(enc: Encoded) -> list[tuple[int, int]]:
    """Byte spans of valid UTF-8 (MIN_PART_CHARS characters or more) that start and
    end on a boundary of the wrong decoder's characters: each is a part to try."""
    out = []
    bounds: set[int] | None = None
    for m in _LONG.finditer(enc.data):
        s, e = m.span()
        bounds = bounds or set(enc.bounds)
        piece_start = next((b for b in range(s, e) if b in bounds and _is_lead(enc.data, b)), None)
        piece_end = next((b for b in range(e, s, -1) if b in bounds and _ends_char(enc.data, b, e)),
                         None)
        if piece_start is None or piece_end is None or piece_end - piece_start < 2 * MIN_PART_CHARS:
            continue
        out.append((piece_start, piece_end))
    return out


_UTF8_2 = rb"[\xc2-\xdf][\x80-\xbf]"
_UTF8_3 = rb"(?:\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf])"
_UTF8_4 = rb"(?:\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})"
#: In runs of two-byte characters joined by newlines: a part that `_aligned_pieces`
#: could cut, i.e. valid UTF-8 from an even offset of a run to an even offset, six
#: bytes or more. Read as units of even length (a 2- or 4-byte character, or two
#: 3-byte ones around any of those), walked two bytes at a time from each run start.
_EVEN = b"(?:%s|%s)" % (_UTF8_2, _UTF8_4)
_ODD_PAIR = b"%s%s*%s" % (_UTF8_3, _EVEN, _UTF8_3)
_ALIGNED_PART = re.compile(
    b"(?:\n|[^\n]{2})*?(?:%s|%s(?:%s|%s)|%s(?:%s|%s)|%s%s(?:%s|%s))" % (
        _ODD_PAIR,
        _UTF8_4, _EVEN, _ODD_PAIR,
        _UTF8_2, _UTF8_4, _ODD_PAIR,
        _UTF8_2, _UTF8_2, _EVEN, _ODD_PAIR,
    ),
    re.DOTALL,
)


def _may_hold(line: str, family: tuple[str, ...]) -> bool:
    """Could `_candidates` find this family's mojibake anywhere in the line?

    A cheap pre-check with the same answer as the search, for the strict pass: a
    run can be a candidate only if its bytes (encoded back as `encode_run` does)
    decode as UTF-8, or hold an aligned part (`_aligned_pieces`). All the runs of a
    line are encoded and decoded at once, and the parts are looked for at C speed;
    Python looks only at the runs where `_LONG` matches. Clean CJK, Cyrillic or
    Greek text passes `_screen` on stretches that straddle the wrong decoder's
    characters ("ѧߧ" in Cyrillic read as GBK); it stops here.
    """
    runs = [r for r in NON_ASCII.findall(line) if "\ufffd" not in r]
    if not runs:
        return False
    joined = "\n".join(runs)
    lost = 0
    try:
        data = joined.encode(family[0])
    except UnicodeEncodeError:
        # A character the main codec lacks is written by another codec of the
        # family (`encode_run`), or by none, and then it cuts its run in pieces
        # (`_split_at_foreign`). The first case is left to the per-run check; in
        # the second, "?" stands for it here, and becomes a cut like the newlines.
        lacking = {c for c in set(joined) if encode_char(c, family[:1]) is None}
        if any(encode_char(c, family) is not None for c in lacking):
            return any(_run_may_hold(run, family) for run in runs)
        # Only runs that `_split_at_foreign` would cut: few such characters, and a
        # run short enough (simplified Chinese in EUC-JP lacks a character in four,
        # and its pieces between them would pass by chance).
        runs = [r for r in runs if _few_foreign(r, lacking)]
        if not runs:
            return False
        joined = "\n".join(runs)
        data = joined.encode(family[0], errors="replace")
        lost = data.count(b"?")
        data = data.replace(b"?", b"\n")
    # No byte of a double-byte character is a newline or "?": the runs split apart.
    if any(d and "\ufffd" not in d for d in data.decode("utf-8", errors="replace").split("\n")):
        return True
    if len(data) == 2 * len(joined) - (len(runs) - 1) - lost:
        # Every character took two bytes (a main codec's non-ASCII characters are
        # 1–2 or 2–3 bytes long, never both, so the total says so): character
        # bounds are the even offsets of each run, and one regex finds the parts.
        return _ALIGNED_PART.match(data) is not None
    if not _LONG.search(data):
        return False
    return any(_run_may_hold(run, family) for run in runs)


def _few_foreign(run: str, lacking: set[str]) -> bool:
    """Would `_candidates` look into `run`, whose characters in `lacking` no codec of
    the family has? Yes if it has none, or at most MAX_FOREIGN and is not too long."""
    count = sum(1 for c in run if c in lacking)
    return count == 0 or (count <= MAX_FOREIGN and len(run) <= MAX_MIXED_RUN)


def _run_may_hold(run: str, family: tuple[str, ...]) -> bool:
    """`_may_hold` for one run, piece by piece as `_candidates` cuts it."""
    enc = encode_run(run, family)
    if enc is None:
        if len(run) > MAX_MIXED_RUN:
            return False
        foreign = _foreign(run, family[0])
        if foreign is None:
            return False
        cuts = [-1] + foreign + [len(run)]
        return any(_run_may_hold(run[a + 1:b], family) for a, b in pairwise(cuts) if b > a + 1)
    try:
        text = enc.data.decode("utf-8")
    except UnicodeDecodeError:
        return bool(_aligned_pieces(enc))
    return "\ufffd" not in text


def _is_lead(data: bytes, i: int) -> bool:
    return not (0x80 <= data[i] < 0xC0)


def _ends_char(data: bytes, end: int, stretch_end: int) -> bool:
    """Inside a stretch of valid UTF-8, a character ends where no continuation
    byte follows (checked locally: decoding the prefix again would be quadratic)."""
    return end == stretch_end or _is_lead(data, end)


def _exact_codec(data: bytes, run: str, family: tuple[str, ...]) -> str:
    for codec in sorted(family, key=report_order):
        if data.decode(codec, errors="replace") == run:
            return codec
    return family[-1]


def _judge(line: str, start: int, end: int, text: str, codec: str) -> Candidate | None:
    if "\ufffd" in text or text == line[start:end]:
        # Decoding to U+FFFD means the bytes were lost before this decoder saw
        # them (锟斤拷): reported later as unrecoverable, never "repaired".
        return None
    gain = span_gain(line, start, end, text)
    judged = ""
    # Mojibake of mojibake (UTF-8 read as GBK, twice: "’s" is "鈥檚", then "閳ユ獨"):
    # the middle stage is no likelier than the start, only the end is. The run is
    # judged on the end, and decoded one layer now; the next round takes the next.
    deeper = undo(text) if plausible.has_wide(text) else None
    if deeper is not None and "\ufffd" not in deeper[0]:
        deep_gain = span_gain(line, start, end, deeper[0])
        if deep_gain > gain:
            gain, judged = deep_gain, deeper[0]
    if gain < CANDIDATE_FLOOR:
        return None
    return Candidate(start, end, text, codec, gain, judged=judged)


def span_gain(line: str, start: int, end: int, text: str) -> float:
    """Nats saved by putting `text` in place of line[start:end], judged with context."""
    left = line[max(0, start - CONTEXT):start]
    right = line[end:end + CONTEXT]
    a = len(left)
    return (plausible.cost(left + line[start:end] + right, (a, a + end - start))
            - plausible.cost(left + text + right, (a, a + len(text))))


def _lossy(line: str, start: int, end: int, enc: Encoded, family: tuple[str, ...],
           evidence: Counter, blind: bool = False) -> Candidate | None:
    """`blind`: a run of U+FFFD alone, under a family the document is known to be in
    (see `_run_candidates`); otherwise such a run is no evidence of a chain, and
    `_candidates` does not come here with it."""
    run = line[start:end]
    right = line[end:end + CONTEXT]
    unread = 0
    if len(enc.holes) <= 2 or blind:
        guess = lossy.recover(run, enc.data, enc.holes, family,
                              line[max(0, start - lossy.SCRIPT_CONTEXT):start], right, evidence,
                              blind=blind)
        if guess is None:
            return None
        text, codec, share = guess.text, guess.codec, guess.share
        filled: list[str | None] = [text]
        pieces.fill_words(filled, {0: guess.options}, *pieces.around(line, start, end))
        text = filled[0] or text
    else:
        found = pieces.read_run(line, start, end, enc, family, evidence)
        if found is None:
            return None
        text, codec, share, unread = found
    # A run read by a CJK decoder is judged with the text after it as `lossy.ahead`
    # reads it (the runs before it repaired, the ones after not yet): the mojibake
    # of the next gap is no CJK text beside this one ("asterisk 窶\ufffd*窶\ufffd" in
    # English: with the second 窶 taken for a word, a Hangul filling of the first
    # was no lone wide letter, and as likely as “).
    read = lossy.ahead(line[max(0, start - CONTEXT):start], right) if plausible.has_wide(run) else right
    gain = span_gain(line if read == right else line[:end] + read, start, end, text)
    # Lost bytes that stay unknown are no gain: where several became one U+FFFD (a
    # character), the U+FFFD fewer are not text made likelier.
    gain -= unread * plausible.REPLACEMENT_CHAR
    if not blind and GAPS_READ * run.count("\ufffd") > 2 * len(run):
        # A run that is mostly U+FFFD may be a reading of a run of gaps, read again:
        # its characters are then text, and two of them in a row most often a pair
        # of a CJK word ("泰米", where mojibake's pairs are almost never one). A
        # reading of CJK mojibake may keep fewer characters than it found (three
        # UTF-8 bytes a character against the decoder's two), but one that keeps
        # fewer and none of them CJK takes text away ("�京��庭��大" read as GBK:
        # one stray mark). Else it must read better where it was read, the gaps
        # left out of both: fewer U+FFFD are no likelier text.
        if plausible.has_wide_pair(run) or (
                _kept(text) < _kept(run) and not plausible.has_wide(text)):
            return None
        gain = min(gain, _gain_without_gaps(line, start, end, text))
    if gain < MARGIN:
        return None
    return Candidate(start, end, text, codec, gain, share, True)


#: See `_lossy`.
GAPS_READ = 3


def _kept(text: str) -> int:
    """The characters of `text` that are no U+FFFD."""
    return len(text) - text.count("\ufffd")


def _gain_without_gaps(line: str, start: int, end: int, text: str) -> float:
    """`span_gain` of `text` for line[start:end], U+FFFD taken out of both."""
    run = line[start:end].replace("\ufffd", "")
    left = line[max(0, start - CONTEXT):start]   # all that span_gain looks at
    shown = left + run + line[end:end + CONTEXT]
    return span_gain(shown, len(left), len(left) + len(run), text.replace("\ufffd", ""))
