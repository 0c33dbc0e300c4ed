"""Cheap screening: which lines could hold mojibake, and of which family.

Clean text must cost a screening pass, not a search. Each family of mojibake leaves
a mark a regular expression finds at C speed, and a text without any of the marks is
returned untouched:

- Latin family (UTF-8 read as a single-byte code page, ftfy's ground): a character
  that the code page gives to a UTF-8 lead byte (C2–F4) followed by one it gives to
  a continuation byte (80–BF): "Ã©" for é in Windows-1252, "Ð¿" for п, "РїР" in
  Windows-1251. Plus C1 control characters, which only such decodings leave.
- CJK family (UTF-8 read as GBK, Big5, Shift-JIS, EUC-JP, EUC-KR): a character
  whose encoding there starts with a UTF-8 lead byte ("鈥" is E2 80 in GBK), or a
  U+FFFD where the decoder lost a byte. The character list is generated
  (`scripts/build_tables.py`, `forward_leads`).
- Legacy bytes read as Latin-1/Windows-1252: two high characters together, or
  around one ASCII trail byte ("ÄãºÃ", Big5 "§A"); and GBK's en dash between two
  digits ("1964¨C2022").
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

import ftfy.bad_codecs  # noqa: F401  (registers ftfy's sloppy-windows-* codecs)
from ftfy.chardata import CHARMAP_ENCODINGS

from .chains import SBCS_HIGH


def _byte_chars(codec: str, lo: int, hi: int) -> str:
    out = []
    for b in range(lo, hi + 1):
        try:
            out.append(bytes([b]).decode(codec))
        except UnicodeDecodeError:
            continue
    return "".join(sorted(set(out)))


def _latin_marks() -> list[tuple[str, str]]:
    """Each Latin-family mark as (its first character class, the rest of it)."""
    marks = []
    for codec in CHARMAP_ENCODINGS:
        lead = re.escape(_byte_chars(codec, 0xC2, 0xF4))
        cont = re.escape(_byte_chars(codec, 0x80, 0xBF))
        marks.append((f"[{lead}]", f"[{cont}]"))
    # "Ã " is "à" whose A0 byte became a space (ftfy's restore_byte_a0).
    return marks + [("[\\x80-\\x9f]", ""), ("[\u00c2\u00c3\u00c5]", " ")]


def _latin_pattern() -> str:
    return "|".join(first + rest for first, rest in _latin_marks())


def _forward_pattern(ranges: list[list[int]]) -> str:
    """A character in `ranges` (generated code point ranges), or U+FFFD."""
    chars = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return f"[{chars}\\ufffd]"


def _load_leads() -> tuple[list[list[int]], dict[str, list[list[int]]]]:
    raw = json.loads(resources.files("ingest").joinpath("tables/chars.json").read_text("utf-8"))
    return raw["forward_leads"], raw["forward_family_leads"]


@cache
def family_leads(name: str) -> re.Pattern[str]:
    """`FORWARD` for one family of CJK decoders (a key of chains.FORWARD_FAMILIES):
    a character with which a run of that family's mojibake can start, or U+FFFD."""
    return re.compile(_forward_pattern(_FAMILY_LEADS[name]))


def _triggers() -> frozenset[str]:
    """Every character that can take part in the marks above, but for the General
    Punctuation block (’ “ ” –), which clean text is full of. A mark counts only near
    one of these, so typographic English ("—“") is never suspect."""
    chars = set(SBCS_HIGH)
    for codec in CHARMAP_ENCODINGS:
        chars |= set(_byte_chars(codec, 0x80, 0xF4))
    return frozenset(c for c in chars if not ("\u2010" <= c <= "\u205f"))


_HIGH = re.escape(SBCS_HIGH)
LATIN = re.compile(_latin_pattern())
_LEADS, _FAMILY_LEADS = _load_leads()
FORWARD = re.compile(_forward_pattern(_LEADS))
#: ...and GBK's en dash (A8 43) between two digits, the one high character with an
#: ASCII trail byte that European text in GBK writes between numbers ("1964¨C2022").
_RANGE_DASH = "(?<=\\d)\u00a8C(?=\\d)"
REVERSE = re.compile(f"[{_HIGH}][\\x40-\\x7e]?[{_HIGH}]|{_RANGE_DASH}")
LATIN_OR_REVERSE = re.compile(f"{LATIN.pattern}|{REVERSE.pattern}")
_TRIGGERS = _triggers()
#: Characters around a trigger that a mark can span.
_REACH = 2


def _mark_start_pattern() -> str:
    """LATIN_OR_REVERSE written to start with one character class, the union of the
    marks' first characters: the regex engine then skips to each possible start at C
    speed instead of trying every alternative at every position. Each alternative
    checks its own first character by a lookbehind."""
    marks = _latin_marks() + [(f"[{_HIGH}]", f"[\\x40-\\x7e]?[{_HIGH}]"),
                               ("[\u00a8]", "(?<=\\d\u00a8)C(?=\\d)")]
    union = "".join(first[1:-1] for first, _ in marks)
    return f"[{union}](?:" + "|".join(f"(?<={first}){rest}" for first, rest in marks) + ")"


#: Where some mark may start: every start of a LATIN_OR_REVERSE match is found
#: (`finditer` reports it, or a match that began at most two characters before).
_MARK_START = re.compile(_mark_start_pattern())
#: The first trigger around a reported start can lie this far before or after it.
_BEFORE, _AFTER = 2, 4
_ASCII = bytes(range(0x80))
#: Any character that can take part in a mark of either family.
_RISKY = re.compile(f"[{re.escape(''.join(sorted(_TRIGGERS)))}]|{FORWARD.pattern}")
#: Characters that are a mark on their own, or next to ASCII: C1 controls, "Ã ",
#: "¨C" (see REVERSE), and everything `forward` screens ("拢" is £ read as GBK).
_ALONE = re.compile(f"[\\x80-\\x9f\u00c2\u00c3\u00c5\u00a8]|{FORWARD.pattern}")
#: Past this many triggers in a text, `may_hold_mojibake` leaves the question to the
#: full screening rather than look at each one.
_FEW = 256


def may_hold_mojibake(text: str) -> bool:
    """False when no part of `text` can be a mark: the same answer as
    `suspect_lines` and `FORWARD` both finding nothing, at a fraction of the cost.

    Only the non-ASCII characters are gathered (at C speed). Every mark of two
    characters needs two of them within `_REACH` of each other, around a trigger;
    so where each trigger stands among ASCII alone ("£5bn" in English news), no
    line is suspect, and no character for `forward` to look at means no CJK mark.
    """
    if text.isascii():
        return False
    rest = text.encode("utf-8", "surrogatepass").translate(None, _ASCII)
    rest_text = rest.decode("utf-8", "surrogatepass")
    if _ALONE.search(rest_text):
        return True
    triggers = set(_RISKY.findall(rest_text))
    if sum(rest_text.count(c) for c in triggers) > _FEW:
        return True
    for c in triggers:
        i = text.find(c)
        while i >= 0:
            if not (text[max(0, i - _REACH):i] + text[i + 1:i + 1 + _REACH]).isascii():
                return True
            i = text.find(c, i + 1)
    return False


def suspect_lines(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the lines that could hold Latin-family or legacy-as-Latin
    mojibake. (The CJK family screens itself: `forward._screen`.)

    A line is suspect when a trigger in it has a mark within `_REACH` characters.
    Triggers are only looked at around the places where a mark may start, so text in
    a script whose letters are all triggers (Cyrillic, in Windows-1251) costs a scan
    at C speed and no Python per character.
    """
    if text.isascii():
        return []
    lines: list[tuple[int, int]] = []
    done = 0   # the end of the last suspect line: nothing before it is looked at again
    m = _MARK_START.search(text)
    while m is not None:
        found = -1
        for pos in range(max(done, m.start() - _BEFORE), min(len(text), m.start() + _AFTER + 1)):
            if text[pos] not in _TRIGGERS:
                continue
            window = text[max(0, pos - _REACH):pos + 1 + _REACH]
            if REVERSE.search(window) or LATIN.search(window):
                found = pos
                break
        if found < 0:
            m = _MARK_START.search(text, m.end())
            continue
        start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        done = len(text) if end < 0 else end + 1
        lines.append((start, done))
        # A mark ending this line can still be in reach of a trigger on the next.
        m = _MARK_START.search(text, max(0, done - _BEFORE))
    return lines
