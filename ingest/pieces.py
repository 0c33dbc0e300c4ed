"""A long run of UTF-8 mojibake with many lost bytes, read one gap at a time.

Chinese UTF-8 read as GBK loses a byte every few characters; Cyrillic read as Big5
loses both bytes of some letters. `read_run` cuts such a run where the wrong decoder
and UTF-8 both start afresh, decodes the whole pieces, fills each gap with
`lossy.recover` (the decoded pieces around it as context), and reads what nothing
explains as far as its bytes go. `fill_words` then refills the gaps of each word so
that it is the commonest known word they can make (`words`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from itertools import pairwise

from . import lossy, plausible, words
from .chains import FORWARD_FAMILIES, Encoded

#: Characters before a gap that `read_run` passes on as its context: more than
#: any judgement looks at (lossy.SCRIPT_CONTEXT).
LEFT_WINDOW = 2 * lossy.SCRIPT_CONTEXT

#: Gaps one piece may hold: two lost bytes of one character can still be pinned
#: down by the forward check; three are any character at all.
MAX_GAPS_PER_PIECE = 2


def read_run(line: str, start: int, end: int, enc: Encoded, family: tuple[str, ...],
                  evidence: Counter) -> tuple[str, str, float, int] | None:
    """A long run with many gaps (Chinese UTF-8 read as GBK), one gap at a time.

    The run is cut where a character of the wrong decoder begins with a UTF-8 lead
    byte: the decoder starts afresh there and so does UTF-8, so each piece can be
    decoded, or its gap filled and checked, on its own, with the decoded pieces
    around it as context. A lost byte followed by continuation bytes starts a piece
    too, where the bytes since the last cut make whole characters: Korean read as
    Shift-JIS loses the lead byte of most syllables (ED 83 80 is "\ufffdム").
    """
    run, data, holes = line[start:end], enc.data, set(enc.holes)
    ordered = sorted(holes)
    index = {b: i for i, b in enumerate(enc.bounds)}
    cuts = [0] if 0 in holes else []   # the run starts with lost bytes: a piece of its own
    for b in enc.bounds[len(cuts):]:
        starts = b == len(data) or (b not in holes and (data[b] < 0x80 or 0xC2 <= data[b] <= 0xF4))
        if starts or _lost_lead(data, holes, cuts, b):
            cuts.append(b)
    if cuts[0] != 0:
        return None
    pieces = list(pairwise(cuts))
    known = "".join(data[a:b].decode("utf-8", "replace") for a, b in pieces
                    if not _lost_in(ordered, a, b))
    if not plausible.has_wide(known):   # alphabets only: CJK characters are no pairs
        pieces = _whole_lost_pairs(pieces, data, holes, ordered)
    decoded: list[str | None] = []
    for a, b in pieces:
        if _lost_in(ordered, a, b):
            decoded.append(None)
            continue
        try:
            decoded.append(data[a:b].decode("utf-8"))
        except UnicodeDecodeError:
            return None
    seen: Counter = Counter()   # the wide letters (and pairs) of what lost nothing
    for segment in "".join(d or "\n" for d in decoded).split("\n"):
        lossy.note_letters(seen, segment)
    codec, share = family[0], 1.0
    gaps = [k for k, d in enumerate(decoded) if d is None]
    two, three, cjk_leads = _leads(data, holes)
    width = 3 if three > two else 2   # the UTF-8 length of most of its characters
    cjk = cjk_leads > two   # CJK (E3 to ED: kana, ideographs, Hangul), not E1/E2
    # A double-byte decoder loses bytes in runs (Chinese read as Big5 loses half of
    # them) and leaves whole characters between: see below. A code page loses only
    # the few bytes it lacks, the ASCII reading every byte: there a run mostly
    # unexplained is no such run.
    double_byte = family in _DOUBLE_BYTE
    lost: set[int] = set()   # pieces whose gap no filling explains: written U+FFFD
    options: dict[int, tuple[str, ...]] = {}   # each filled gap's consistent fillings
    # The gaps' fillings count in `seen` too, as a cache model's own guesses do,
    # each taken out while its own gap is judged again.
    counted: dict[int, tuple] = {}
    # Twice: the first pass fills each gap knowing only the gaps before it; the
    # second re-ranks each with both neighbours filled (言 after a gap makes it 语).
    before = line[max(0, start - lossy.SCRIPT_CONTEXT):start]
    for n, k in enumerate(gaps + gaps):
        if n % len(gaps) == 0:
            share = 1.0   # each pass multiplies its own shares, the second one's kept
            left, upto = before, 0
        if k in lost:
            continue
        a, b = pieces[k]
        # The text before the gap as filled so far, its last LEFT_WINDOW characters:
        # extended piece by piece, as joining all of them for every gap would be
        # quadratic in the run's length.
        left = (left + "".join(d or "" for d in decoded[upto:k]))[-LEFT_WINDOW:]
        upto = k
        right = "".join(d or "" for d in decoded[k + 1:k + 1 + lossy.CONTEXT])[:lossy.CONTEXT]
        if b in holes:
            follow = ("", b"")   # lost too: no byte after the piece to check against
        elif b < len(data):
            nxt = index[b] + 1
            follow = (run[index[b]:nxt], data[b:enc.bounds[nxt]])
        else:
            tail = line[end:end + 1]
            follow = (tail, tail.encode("ascii")) if tail.isascii() else ("", b"")
        sub_holes = tuple(h - a for h in ordered[bisect.bisect_left(ordered, a):
                                                 bisect.bisect_left(ordered, b)])
        seen.subtract(counted.pop(k, ()))
        guess = None
        if len(sub_holes) <= MAX_GAPS_PER_PIECE or _spread(data, a, b, holes):
            guess = lossy.recover(run[index[a]:index[b]], data[a:b], sub_holes, family,
                                  left, right or line[end:end + lossy.CONTEXT], evidence, follow, seen)
        if guess is not None and cjk and _two_byte(guess.text):
            guess = None   # a letter of an alphabet, in a run of CJK characters
        if guess is None:
            if n < len(gaps):
                lost.add(k)
                if 2 * len(lost) > len(gaps) and not double_byte:
                    return None   # mostly unexplained: no evidence the run is this family's
            continue
        decoded[k] = guess.text
        counted[k] = lossy.repeat_keys(guess.text, left[-1:], "")
        seen.update(counted[k])
        options[k] = guess.options
        codec, share = guess.codec, share * guess.share
    fill_words(decoded, options, *around(line, start, end))
    # A piece nothing explains is read as far as its bytes go: its whole characters
    # decoded, one U+FFFD for each character that lost a byte, as a decoder would
    # have written. The run's other characters are read, not left as mojibake.
    if 2 * len(lost) > len(gaps):
        # Mostly unexplained: the fillings found are chance fits, not evidence; the
        # whole characters between the gaps are.
        lost = set(gaps)
    unread = 0   # lost bytes left unknown, less the U+FFFD written for them
    for k in sorted(lost):
        if k - 1 in lost:
            continue   # read with the piece before it: the cut between may be no bound
        last = k
        while last + 1 in lost:
            last += 1
        a, b = pieces[k][0], pieces[last][1]
        sub = {h - a for h in ordered[bisect.bisect_left(ordered, a):bisect.bisect_left(ordered, b)]}
        decoded[k] = _partial_read(data[a:b], sub, width, cjk)
        decoded[k + 1:last + 1] = [""] * (last - k)
        unread += len(sub) - decoded[k].count("\ufffd")
    text = "".join(d or "" for d in decoded)
    if not _READ_CHAR.search(text):
        return None   # no character read: U+FFFD in other places is no repair
    return text, codec, share * LOST_PIECE_SHARE ** len(lost), unread


_DOUBLE_BYTE = frozenset(FORWARD_FAMILIES.values())
_READ_CHAR = re.compile("[^\x00-\x7f\ufffd]")


def _leads(data: bytes, holes: set[int]) -> tuple[int, int, int]:
    """The run's surviving UTF-8 lead bytes, counted: two-byte ones (Greek, Cyrillic,
    Hebrew...), three-byte ones (CJK text and punctuation), and of those the leads
    of CJK characters (E3 to ED); punctuation (E2) and Vietnamese letters (E1) are
    no evidence of CJK either way."""
    two = three = cjk = 0
    for i, x in enumerate(data):
        if i in holes:
            continue
        if 0xC2 <= x < 0xE0:
            two += 1
        elif 0xE0 <= x < 0xF0:
            three += 1
            cjk += 0xE3 <= x <= 0xED
    return two, three, cjk


def _two_byte(text: str) -> bool:
    return any(0x80 <= ord(c) < 0x800 for c in text)


def _partial_read(data: bytes, holes: set[int], width: int, cjk: bool = False) -> str:
    """`data`, whose bytes at `holes` were lost, read as UTF-8 as far as it can be:
    each whole character decoded, U+FFFD for each character with a lost byte. A run
    of lost bytes and continuation bytes that starts a character holds characters of
    `width` bytes (3 in CJK text, 2 in alphabets): "E3 ? ? ? 83 9E" is two. In a
    `cjk` run (see `_leads`) a two-byte character counts as damaged too: CJK text in
    UTF-8 has no such lead byte, so among lost bytes one is most likely a chance
    pair of bytes from two characters (Hebrew ו, Latin ŭ in a line of Chinese)."""
    out: list[str] = []
    i = 0
    while i < len(data):
        n = 1 if data[i] < 0x80 else lossy._utf8_len(data[i])
        if i not in holes and n:
            chunk = data[i:i + n]
            if any(j in holes for j in range(i, i + n)) or len(chunk) < n or (cjk and n == 2):
                out.append("\ufffd")
            else:
                out.append(chunk.decode("utf-8", "replace"))
            i += n
            continue
        j = i + 1   # lost bytes and stray continuation bytes up to the next lead
        while j < len(data) and (j in holes or 0x80 <= data[j] < 0xC0):
            j += 1
        out.append("\ufffd" * -(-(j - i) // width))
        i = j
    return "".join(out)


#: Letters in a row that `_whole_lost_pairs` reads a run of lost bytes as, at most:
#: a longer run is no word's lost letters (38 U+FFFD at the start of a line of
#: Japanese read as EUC-JP were once filled as "à à à").
MAX_LOST_LETTERS = 4


def _spread(data: bytes, a: int, b: int, holes: set[int]) -> bool:
    """Are the lost bytes of data[a:b] continuation bytes of characters whose lead
    byte survived, no more than MAX_GAPS_PER_PIECE in any, MAX_SPREAD_GAPS in all?
    Each is then pinned down as in a piece of its own. A piece holds several
    characters where the wrong decoder's characters straddle theirs: GBK reads “…”
    (E2 80 9C E2 80 A6 E2 80 9D) as 鈥 溾 \ufffd ︹ \ufffd \ufffd, one piece with
    three lost bytes, two in ”. A lost lead byte leaves its character unknown."""
    count = total = 0
    lead = False   # inside a character whose lead byte survived
    for i in range(a, b):
        if i in holes:
            count += 1
            total += 1
            if not lead or count > MAX_GAPS_PER_PIECE or total > MAX_SPREAD_GAPS:
                return False
        elif 0xC2 <= data[i] <= 0xF4:
            count, lead = 0, True
        elif data[i] < 0x80:
            count, lead = 0, False
    return True


#: See `_spread`.
MAX_SPREAD_GAPS = 4


def _lost_lead(data: bytes, holes: set[int], cuts: list[int], b: int) -> bool:
    """Is the lost byte at `b` (if it is one) the lead of a character whose
    continuation bytes follow, after whole characters since the last cut?"""
    return (b in holes and bool(cuts) and b + 1 < len(data) and b + 1 not in holes
            and 0x80 <= data[b + 1] < 0xC0 and b - cuts[-1] <= WHOLE_CHECKED
            and _whole(data, holes, cuts[-1], b))


#: Bytes since the last cut that `read_run` checks with `_whole` (a few
#: characters: a longer stretch without a cut is no such run, and checking it at
#: every lost byte would be quadratic).
WHOLE_CHECKED = 8


def _whole(data: bytes, holes: set[int], a: int, b: int) -> bool:
    """Could data[a:b] be whole UTF-8 characters, its lost bytes filled? A lost byte
    where a character starts leads it, with the continuation bytes after it."""
    i = a
    while i < b:
        if i in holes:
            n = 1
            while i + n < b and n < 4 and (i + n in holes or 0x80 <= data[i + n] < 0xC0):
                n += 1
        elif data[i] < 0x80:
            n = 1
        else:
            n = lossy._utf8_len(data[i])
            if n == 0:
                return False
        i += n
    return i == b


def _lost_in(ordered: list[int], a: int, b: int) -> bool:
    """Is a hole of `ordered` (sorted byte offsets) in [a, b)?"""
    i = bisect.bisect_left(ordered, a)
    return i < len(ordered) and ordered[i] < b


def _whole_lost_pairs(pieces: list[tuple[int, int]], data: bytes, holes: set[int],
                      ordered: list[int]) -> list[tuple[int, int]]:
    """`pieces` with each run of lost bytes that ends a piece after whole characters
    cut in twos, when it is too long for one gap and of even length: Cyrillic or
    Greek read as Big5 or EUC loses both bytes of a letter whose second byte is no
    trail byte of theirs ("р" is D1 80: "��"), and a word can lose two in a row
    ("��" "��" in грузинская, after г). Each pair becomes a gap of one two-byte
    letter, filled by the letter model and the word lists as any other gap."""
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        lost = 0   # lost bytes at the end of the piece
        while a < b - lost and b - lost - 1 in holes:
            lost += 1
        if (lost <= MAX_GAPS_PER_PIECE or lost % 2 or lost > 2 * MAX_LOST_LETTERS
                or _lost_in(ordered, a, b - lost)):
            out.append((a, b))
            continue
        try:
            data[a:b - lost].decode("utf-8")
        except UnicodeDecodeError:
            out.append((a, b))   # the lost run starts inside a character
            continue
        if b - lost > a:
            out.append((a, b - lost))
        out.extend((i, i + 2) for i in range(b - lost, b, 2))
    return out


def around(line: str, start: int, end: int) -> tuple[str, str]:
    """The text each side of line[start:end] that `fill_words` looks at, at most:
    slices of the whole line for every run made a long line of runs quadratic."""
    return line[max(0, start - SPACE_CONTEXT):start], line[end:end + SPACE_CONTEXT]


def fill_words(decoded: list[str | None], options: dict[int, tuple[str, ...]],
                     before: str, after: str) -> None:
    """Refill the gaps of each word of a run (its pieces `decoded`, gaps' fillings
    `options`) so that the word is the commonest known word they can make, where one
    fits (see `words`). Gap by gap, letter pairs read "горудасственной"; the word
    whole can only be государственной. In place. A word that runs into a piece
    nothing explains, or into another gap after the run, is left as it is."""
    units: list[words.Unit] = []
    slots: list[int] = []
    marked = False   # a slot the context filled with a symbol or no-break space
    broken = False
    # Is the word katakana (None: no word yet)? Japanese runs katakana words into
    # kanji and hiragana with no space; a change of script between letters, or a gap
    # whose filling the context made katakana among other letters or the reverse,
    # ends the word (`words.KATAKANA`).
    kana: bool | None = None
    # The letters of the word's fixed text so far, joined into one unit once a slot
    # or the word's end comes (added to a string one by one, a word of thousands of
    # letters with no space, a CJK run, would be copied at every letter).
    fixed_letters: list[str] = []

    def seal() -> None:
        if fixed_letters:
            units.append("".join(fixed_letters))
            fixed_letters.clear()

    def flush() -> None:
        nonlocal broken, marked, kana
        seal()
        if slots and not broken:
            current = [decoded[k] or "" for k in slots]
            if marked:
                _refill_marked(decoded, units, slots, current, before, after)
            else:
                for k, text in zip(slots, words.fill(units, current)):
                    decoded[k] = text
        units.clear()
        slots.clear()
        marked = broken = False
        kana = None

    def script_break(first: str) -> None:
        nonlocal kana
        is_kana = words.is_katakana(first)
        if kana is not None and is_kana != kana:
            flush()
        kana = is_kana

    def add_fixed(text: str) -> None:
        for ch in text:
            if plausible.is_word_char(ch):
                script_break(ch)
                fixed_letters.append(ch)
            else:
                flush()

    head = plausible.word_edge(before[-plausible.MAX_WORD:], True)
    broken = before[:len(before) - len(head)][-1:] == "\ufffd"
    add_fixed(head)
    for k, d in enumerate(decoded):
        if d is None:
            broken = True
        elif k in options:
            letters = _letters(options[k])
            if d not in letters:
                if letters and (_stray_mark(d) or _symbol_end(d)):
                    # A symbol or no-break space splits no word here ("у\u00a0Азия"
                    # where Грузия lost its first three letters), nor does × end one
                    # ("и×" for ия): a letter, if one makes a word of the lists with
                    # the rest (`_refill_marked`).
                    seal()
                    units.append(letters)
                    slots.append(k)
                    marked = True
                    continue
                # Not a letter by the context's choice ("Object’s"): a word ends here.
                flush()
                continue
            script_break(d[:1])
            seal()
            units.append(letters)
            slots.append(k)
        else:
            add_fixed(d)
    tail = plausible.word_edge(after[:plausible.MAX_WORD], False)
    if after[len(tail):len(tail) + 1] == "\ufffd":
        broken = True
    add_fixed(tail)
    flush()
    _marks_in_known_words(decoded, options, before, after)


def _marks_in_known_words(decoded: list[str | None], options: dict[int, tuple[str, ...]],
                          before: str, after: str) -> None:
    """A gap the context filled with a mark next to letters ("«thiopischer",
    "HAS°O") is a letter where one of its fillings makes a word of the lists with
    them: Äthiopischer, HASŁO. (Only a listed word: the letter model would turn
    every apostrophe into a letter.) In place."""
    for k, d in enumerate(decoded):
        if k not in options or not d:
            continue
        head = plausible.word_edge(d, False)   # a piece's own letters before its gap
        mark = d[len(head):]
        if not mark:
            continue
        letters = _letters(options[k])
        if not letters:
            continue
        if any(k2 in options for k2 in (k - 1, k + 1)):
            continue   # another gap next to it: the word is not known around it
        # The letters next to the gap: its neighbouring pieces, then the text around
        # the run (MAX_WORD pieces at most each way, so a long run stays linear).
        near = range(max(0, k - plausible.MAX_WORD), k)
        left = plausible.word_edge((before[-plausible.MAX_WORD:] if near.start == 0 else "")
                          + "".join(decoded[i] or "\ufffd" for i in near), True)
        far = range(k + 1, min(len(decoded), k + 1 + plausible.MAX_WORD))
        right = plausible.word_edge("".join(decoded[i] or "\ufffd" for i in far)
                           + (after[:plausible.MAX_WORD] if far.stop == len(decoded) else ""),
                           False)
        if (not right and not ((left or head) and _stray_mark(mark))) or (
                mark == "\u2019" and (left or head)):
            # ’ ” … end words ("said” "), ’ joins them ("it’s"): as they should. A
            # symbol or no-break space does not end a word: "дина×" is динар.
            continue
        found = words.complete([u for u in (left, letters, right) if u], [d])
        if found is None or len(left) + len(found[0]) + len(right) < MARK_WORD:
            continue   # a short word fits by chance: "“M”" is no Vietnamese "ấm"
        # The letter takes the case of its neighbours (HASŁO); a word's first letter
        # that of the next if both next are capitals, else of the word before it
        # (lists of names: "Peseta, Äthiopischer"). None in that case: left alone.
        if left:
            capital = left[-1].isupper() and (not right or right[0].isupper())
        else:
            capital = right[:1].isupper() if right[1:2].isupper() else _capital_before(before)
        same = [a for a in letters if words.fold(a) == words.fold(found[0])
                and all(c.isupper() == capital for c in a if c.isalpha())]
        if same:
            decoded[k] = same[0]


def _refill_marked(decoded: list[str | None], units: list[words.Unit], slots: list[int],
                   current: list[str], before: str, after: str) -> None:
    """A word of `fill_words` with a symbol or no-break space in some slots:
    refilled with a word of the lists of MARK_WORD letters or more (the letter model
    chose the mark, so only a listed word overrules it), or, for a math or modifier
    symbol that ends the word, with its likeliest spelling; small letters inside a
    small word, each slot in the case of the word (the case the letter model gave a
    letter next to a mark is that of a word's start). In place."""
    consistent = words.case_consistent(units)
    found = words.complete(consistent, current)
    if found is None and isinstance(units[-1], tuple) and _symbol_end(current[-1]):
        # A math or modifier symbol ending a word of letters ("самби×" for Гамбия
        # read as EUC-KR) is no way to end one: where no listed word fits, the
        # likeliest spelling by the script's letter sequences (a symbol such as ™
        # or ° may end a word, and stays).
        found = words.likeliest(consistent, current)
    if found is None:
        found = _letter_for_space(consistent, current, before, after)
    if found is None:
        return
    if len(words.joined(units, found)) < MARK_WORD:
        return
    for n, (k, text) in enumerate(zip(slots, found)):
        decoded[k] = _marked_case(text, units, n, before)


def _letter_for_space(units: list[words.Unit], current: list[str], before: str,
                      after: str) -> list[str] | None:
    """The fillings with each no-break space between letters after letters that make
    no word of the lists ("turkme\u00a0ski", where turkmeński is too rare for them)
    turned into a letter of its slot; None if there is none. A no-break space binds
    a short word to the next ("a\u00a0Praha", "на\u00a0столе"), and where a text
    writes one for every space (&nbsp; in HTML) the word before it is a word; after
    a fragment of one it is a lost letter, which the letter model found dearer than
    a word cut in two. The letter is the one that makes the word cheapest in the
    language that best explains the words around it (`plausible.language_costs`):
    alone, the word would be read in whatever language likes the letter best
    (turkmeðski, as Icelandic)."""
    fills = list(current)
    slots = [i for i, u in enumerate(units) if isinstance(u, tuple)]
    langs = None
    for n, i in enumerate(slots):
        head = units[i - 1] if i else None
        tail = units[i + 1] if i + 1 < len(units) else None
        if (fills[n] not in lossy.NO_BREAK or not isinstance(head, str) or not isinstance(tail, str)
                or len(head) < 2 or not head.isalpha() or not tail[:1].isalpha()
                or plausible.known_word_cost(head) is not None):
            continue
        if langs is None:
            langs = plausible.language_costs(
                before[-SPACE_CONTEXT:] + " " + after[:SPACE_CONTEXT])
        best = None
        for lang, base in langs:
            for a in units[i]:   # type: ignore[union-attr]
                if a.isalpha() and plausible.in_alphabet(a, lang):
                    word = words.joined(units, fills[:n] + [a] + fills[n + 1:])
                    found = (base + plausible.word_cost(word, lang), a)
                    best = found if best is None or found < best else best
        if best is not None:
            fills[n] = best[1]
    return None if fills == current else fills


#: Characters each side of a word whose words tell its language (`_letter_for_space`).
SPACE_CONTEXT = 400


def _symbol_end(text: str) -> bool:
    """Letters (or none) and then a math symbol (×, ±) or a modifier symbol (´, ¨),
    categories Sm and Sk: "и×" where the letter model ended "Гамбия" with ×."""
    return (bool(text) and unicodedata.category(text[-1]) in ("Sm", "Sk")
            and all(plausible.is_word_char(c) for c in text[:-1]))


def _marked_case(text: str, units: list[words.Unit], n: int, before: str) -> str:
    """The case of the filling of slot `n` of a word: capital in a word of capitals,
    or first in a word that starts a sentence or follows a word with a capital
    (lists of names); else small."""
    fixed = "".join(u for u in units if isinstance(u, str))
    letters = [c for c in fixed if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return text.upper()
    if n == 0 and isinstance(units[0], tuple):   # the word's first letter
        end = before.rstrip()
        if not end or end[-1] in ".!?:\n" or _capital_before(before):
            return text[:1].upper() + text[1:].lower()
    return text.lower()


def _stray_mark(text: str) -> bool:
    """A symbol or no-break space: nothing a word ends with."""
    return all(c == "\u00a0" or unicodedata.category(c)[0] == "S" for c in text)


@lru_cache(maxsize=4096)
def _letters(fillings: tuple[str, ...]) -> tuple[str, ...]:
    """The fillings made of letters only."""
    return tuple(a for a in fillings if a and all(plausible.is_word_char(c) for c in a))


#: Letters a word must have for `_marks_in_known_words` or `_refill_marked` to take a
#: mark for a letter.
MARK_WORD = 4


def _capital_before(before: str) -> bool:
    """Whether the last word before a gap starts with a capital."""
    m = _LAST_WORD.search(before[-lossy.CONTEXT * 4:])
    return bool(m and m.group()[:1].isupper())


_LAST_WORD = re.compile(r"[^\W\d_]+(?=[^\w]*$)")


#: A run with pieces left as U+FFFD is that much less sure, per piece.
LOST_PIECE_SHARE = 0.5
