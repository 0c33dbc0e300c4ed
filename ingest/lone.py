"""Single wide characters: the weakest evidence that a decoder misread a text.

One CJK character among ASCII is how data files, dictionaries and source code hold
it ("unit: 个", "key = \"于\"", "于 2055500"), and how Chinese, Japanese and Korean
sentences sit around ASCII names ("来自%s的RADIUS", "hostがoffline"). Read as the
mojibake of a two-byte UTF-8 character, each such character is a lone letter or
symbol of some other script ("unit: Ф", "来自%sŪRADIUS"), and the letter model finds
that cheaper than a lone CJK character among narrow words. So `forward.repair_text`
takes such a candidate only where the rest of the document shows its decoder, and
counts none of them as showing it. The tests here look at a candidate's `start`,
`end` (offsets in the line) and `after` (what it reads as).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from . import lossy, plausible


class Span(Protocol):
    start: int
    end: int
    after: str


def is_single(line: str, c: Span) -> bool:
    """`c` replaces one wide character."""
    return c.end - c.start == 1 and plausible.is_wide(line[c.start])


def is_alone(line: str, c: Span) -> bool:
    """`c` replaces one wide character with no letter on either side. Whatever it
    reads as, it adds nothing to its decoder's support: a dictionary's or a table's
    lone characters read as symbols ("路" as "·" through GBK) would make the decoder
    known, and its lone letters (`is_lone_letter`) taken after them."""
    return is_single(line, c) and not any(
        plausible.is_word_char(ch) for ch in line[c.start - 1:c.start] + line[c.end:c.end + 1])


def count_alone(text: str) -> int:
    """The wide letters of `text` with no letter on either side (what `is_alone`
    candidates replace, wherever the text has one, candidate or not)."""
    return len(_ALONE.findall(text))


_ALONE = re.compile(f"(?<![^\\W\\d_]){plausible.WIDE_LETTER_CLASS}(?![^\\W\\d_])")


def is_lone_letter(line: str, c: Span) -> bool:
    """`c` reads a wide character standing alone as a letter that is no word: not a
    common word of one letter in any language (`plausible.one_letter_words`), or not
    in the script of the nearest letters of the line on either side ("unit: Ф",
    "#繳4" as "#ú4"). "Сегодня 赲 городе" is "в городе" and "Paris 脿 la carte" is
    "à la carte"; a symbol ("漏 2020" is ©) is no letter and stands on its gain."""
    if len(c.after) != 1 or not c.after.isalpha() or not is_alone(line, c):
        return False
    if c.after.lower() not in plausible.one_letter_words():
        return True
    near = (_LETTER_BEFORE.search(line, max(0, c.start - NEAR), c.start),
            _LETTER.search(line, c.end, c.end + NEAR))
    own = lossy.script(c.after)
    return not any(m and lossy.script(m.group()[-1]) == own for m in near)


def is_invisible(line: str, c: Span) -> bool:
    """`c` reads a character alone as format characters only (a soft hyphen, a
    zero-width joiner), which stand inside words, never by themselves: "#簫0" in a
    collation table is no "#\u00ad0" (簫 is C2 AD read as EUC-JP)."""
    return is_alone(line, c) and bool(c.after) and all(
        unicodedata.category(ch) == "Cf" for ch in c.after)


def is_inner_capital(line: str, c: Span) -> bool:
    """`c` reads a single wide character after a small letter as a capital letter:
    "a的b" through EUC-JP is "aŪb", "%s的%s" is "%sŪ%s". Words do not put a capital
    after a small letter; Chinese sentences put 的 between ASCII words."""
    return (is_single(line, c) and len(c.after) == 1 and c.after.isupper()
            and line[c.start - 1:c.start].islower())


#: How far (characters) `is_lone_letter` looks for the nearest letter on each side.
NEAR = 100
_LETTER = re.compile(r"[^\W\d_]")
_LETTER_BEFORE = re.compile(r"[^\W\d_](?=[\W\d_]*\Z)")


def in_cjk_text(line: str, cands: list[Span]) -> bool:
    """Does the line hold CJK_TEXT wide letters or more outside every candidate:
    clean Chinese, Japanese or Korean text, where a single wide character between
    ASCII is a word of the sentence (的 read as GBK is "Ū", が "ư")? Mojibake lines
    are candidates from end to end and leave few wide letters outside them. Two are
    enough: "%s为 %s 编译" (为 would be Ϊ) is Chinese with its 编译."""
    wide = plausible.count_wide_letters(line)
    if wide < CJK_TEXT:
        return False
    covered, end = 0, 0
    for s, e in sorted({(c.start, c.end) for c in cands}):
        s = max(s, end)
        if s < e:
            covered += plausible.count_wide_letters(line, s, e)
            end = e
    return wide - covered >= CJK_TEXT


#: See `in_cjk_text`.
CJK_TEXT = 2
