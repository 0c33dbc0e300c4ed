"""Lost bytes: what a U+FFFD written by a wrong decoder could have stood for.

When GBK decodes the UTF-8 of " — " (E2 80 94 20), it reads E2 80 as 鈥, then
finds 94 followed by a space, which is no GBK character: it writes U+FFFD and the
byte 94 is gone. We enumerate every byte value the gap could have held, keep the
candidates that (1) complete valid UTF-8 and (2) pass the forward check — encoded as
UTF-8 and decoded again by the same wrong codec they reproduce the observed text
exactly — and rank the survivors by context. If nothing survives we invent nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from . import plausible
from .chains import ASCII_READING, NON_ASCII, report_order

#: Survivors scored per gap at most; candidates are pre-sorted by their own cost, so
#: the cap drops only characters rarer than the ones kept.
MAX_CANDIDATES = 400
#: Fillings ranked on context and evidence: the cheapest by word cost alone. The
#: typographic and evidence terms move a candidate by a few nats at most.
SHORTLIST = 12
#: Characters of context each side for the cost comparison.
CONTEXT = 12


@dataclass(frozen=True)
class Guess:
    text: str          # the decoded run, gaps filled
    codec: str         # the family member whose forward check it passed
    share: float       # its share of the probability among the survivors (0..1)
    options: tuple[str, ...] = ()   # the fillings that passed the forward check (and the
    #                                 filters on letters between digits or standing alone)


def _char_ranges(n: int) -> tuple[range, ...]:
    """Lead-byte range and continuation ranges of an n-byte UTF-8 character."""
    cont = range(0x80, 0xC0)
    if n == 2:
        return (range(0xC2, 0xE0), cont)
    if n == 3:
        return (range(0xE0, 0xF0), cont, cont)
    return (range(0xF0, 0xF5), cont, cont, cont)


def _utf8_len(lead: int) -> int:
    if 0xC2 <= lead < 0xE0:
        return 2
    if 0xE0 <= lead < 0xF0:
        return 3
    if 0xF0 <= lead < 0xF5:
        return 4
    return 0


def _parses(template: tuple[int | None, ...]) -> list[list[tuple[int, int]]]:
    """Ways to cut the template into UTF-8 characters: lists of (offset, length),
    at most MAX_PARSES of them, depth first (the shortest character first).

    None marks a lost byte. Known bytes fix a character's length; a lost lead byte
    leaves it open, so several parses can exist. A loop with a stack of its own,
    each partial parse a linked list sharing its head with the others: a run of
    thousands of characters is no deeper than a short one.
    """
    results: list[list[tuple[int, int]]] = []
    stack: list[tuple[int, tuple | None]] = [(0, None)]   # (offset, (cut, earlier cuts))
    while stack and len(results) < MAX_PARSES:
        i, cuts = stack.pop()
        while True:
            if i == len(template):
                out = []
                while cuts is not None:
                    out.append(cuts[0])
                    cuts = cuts[1]
                results.append(out[::-1])
                break
            b = template[i]
            if b is not None and b < 0x80:
                cuts = ((i, 1), cuts)
                i += 1
                continue
            fits = [n for n in ((2, 3, 4) if b is None else (_utf8_len(b),))
                    if n and i + n <= len(template) and all(
                        template[j] is None or 0x80 <= template[j] < 0xC0
                        for j in range(i + 1, i + n))]
            if not fits:
                break
            for n in reversed(fits[1:]):
                stack.append((i + n, ((i, n), cuts)))
            cuts = ((i, fits[0]), cuts)
            i += fits[0]
    return results


#: See `_parses`.
MAX_PARSES = 17


@lru_cache(maxsize=4096)
def _char_options(known: tuple[int | None, ...], scripts: frozenset[str] = frozenset(),
                  capitals: bool = False) -> tuple[str, ...]:
    """Characters whose UTF-8 bytes agree with `known` (None = any), cheapest first;
    with `scripts`, letters of those scripts only (marks and symbols all kept); with
    `capitals`, capital letters only."""
    if known[0] is None and len(known) >= 3:
        # The lead byte lost too: tens of thousands to a million characters fit.
        # Only those some language table or legacy code page knows are worth a try.
        fits = [c for c in _pool(len(known))
                if all(b is None or b == x for b, x in zip(known, c.encode("utf-8")))]
        return tuple(_in_case(_in_scripts(fits, scripts), capitals)[:MAX_CANDIDATES])
    ranges = _char_ranges(len(known))
    pools = [range(b, b + 1) if b is not None else r for b, r in zip(known, ranges)]
    out = []

    def build(prefix: bytes, k: int) -> None:
        if k == len(pools):
            try:
                ch = prefix.decode("utf-8")
            except UnicodeDecodeError:
                return
            out.append(ch)
            return
        for v in pools[k]:
            build(prefix + bytes([v]), k + 1)

    build(b"", 0)
    scored = sorted(_in_case(_in_scripts(out, scripts), capitals), key=_alone_cost)
    return tuple(c for c in scored if _alone_cost(c) < plausible.IMPOSSIBLE)[:MAX_CANDIDATES]


@lru_cache(maxsize=None)
def _pool(n: int) -> tuple[str, ...]:
    """The characters of n UTF-8 bytes that the language tables list or legacy code
    pages carry (and, of four bytes, the emoji), cheapest first."""
    chars = {c for table in plausible.LANGUAGES.values() for c in table if len(c) == 1}
    chars |= {c for c in plausible.LEGACY if len(c) == 1}
    if n == 4:
        chars |= {chr(cp) for cp in range(0x1F000, 0x1FB00) if unicodedata.category(chr(cp)) == "So"}
    fits = [c for c in chars if len(c.encode("utf-8", "surrogatepass")) == n]
    return tuple(c for c in sorted(fits, key=lambda c: (_alone_cost(c), c))
                 if _alone_cost(c) < plausible.IMPOSSIBLE)


def _alone_cost(ch: str) -> float:
    return plausible.word_cost(ch) if plausible.is_word_char(ch) else plausible.symbol_cost(ch)


@lru_cache(maxsize=65536)
def script(ch: str) -> str:
    """The script a letter is written in, as its Unicode name says ("LATIN",
    "CYRILLIC", "GREEK"...); Han, kana and Hangul together as "CJK"; combining
    marks and variation selectors, which go with any script, as INHERITED."""
    first = unicodedata.name(ch, "").split(" ", 1)[0]
    if first in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL"):
        return "CJK"
    return INHERITED if first in ("COMBINING", "VARIATION") else first


INHERITED = "INHERITED"


def _in_case(chars: list[str], capitals: bool) -> list[str]:
    """`chars`, or only the capital letters among them if `capitals` (a gap inside a
    word of capitals, where symbols and small letters, cheaper alone, would take the
    few places each gap of a long run gets)."""
    return [c for c in chars if c.isupper() and c.isalpha()] if capitals else chars


def _in_scripts(chars: list[str], scripts: frozenset[str]) -> list[str]:
    """`chars` but for letters of other scripts than `scripts` (all, if it is empty).
    Marks that go with any script stay: U+FE0F after an emoji ("âš\xa0ï¸�" is ⚠️)."""
    if not scripts:
        return chars
    return [c for c in chars
            if not plausible.is_word_char(c) or script(c) in scripts or script(c) == INHERITED]


_FOREIGN_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")

#: Characters before a gap whose letters tell which scripts the text is written in.
SCRIPT_CONTEXT = 200


_ASCII_LETTER = re.compile("[A-Za-z]")


def _known_text(template: tuple[int | None, ...]) -> str:
    """The characters a run's surviving bytes spell out whole (lost bytes and the
    characters they cut dropped)."""
    return bytes(b for b in template if b is not None).decode("utf-8", errors="ignore")


def ahead(before: str, right: str) -> str:
    """What of the text after a gap tells its scripts. The text before it is already
    repaired; the text after may still be mojibake, and UTF-8 read as a CJK codec is
    CJK characters whatever it was ("София" read as EUC-KR is "鬼棘��龜"). Where
    the text after still holds a decoder's losses (U+FFFD) and the text before holds
    letters and no wide character, the wide ones after are not taken for the text's
    own ("Болгарии — София" lost its dash, and "的" is no dash). Text after with
    no losses is taken as it is: by a later round, "Python ã\ufffd®開発" is
    Japanese on the right."""
    if "\ufffd" not in right or not _LETTER.search(before) or plausible.has_wide(before):
        return right
    return "".join(c for c in right if not plausible.is_wide(c))


_LETTER = re.compile(r"[^\W\d_]")


def _scripts(context: str) -> frozenset[str]:
    """The scripts of the letters in `context` (ASCII letters count as Latin)."""
    found = set(map(_LETTER_SCRIPT.__getitem__, set(context)))
    found.discard(None)
    if _ASCII_LETTER.search(context):
        found.add("LATIN")
    return frozenset(found)


class _LetterScripts(dict):
    """Character -> its script if it is a non-ASCII letter or mark, else None; filled
    as characters are met, so that `_scripts` maps a context's characters in C (it
    runs for every gap, over a few hundred characters)."""

    def __missing__(self, ch: str) -> str | None:
        if len(self) >= 65536:
            self.clear()
        found = self[ch] = script(ch) if not ch.isascii() and plausible.is_word_char(ch) else None
        return found


_LETTER_SCRIPT = _LetterScripts()


def _fill(template: tuple[int | None, ...], scripts: frozenset[str] = frozenset(),
          capitals: bool = False) -> list[str]:
    """Every valid UTF-8 text the template could have been (capped)."""
    texts: list[str] = []
    for parse in _parses(template):
        options: list[tuple[str, ...]] = []
        for off, n in parse:
            chunk = template[off:off + n]
            if None not in chunk:
                try:
                    options.append((bytes(chunk).decode("utf-8"),))  # type: ignore[arg-type]
                except UnicodeDecodeError:
                    break
            else:
                options.append(_char_options(chunk, scripts, capitals))
        else:
            # Each gap keeps its cheapest options, an equal share of the cap: cut
            # after the product, the first gap of "Ð�Ð¾…Ñ�" kept only the 25 letters
            # its first options could pair with, and Н was not one of them.
            gaps = sum(1 for opts in options if len(opts) > 1)
            share = max(1, int((MAX_CANDIDATES * 4) ** (1 / max(1, gaps))))
            # Known characters joined first, so that each combination is built
            # once per gap, not once per character of a long run.
            parts: list[tuple[str, ...]] = []
            known: list[str] = []
            for opts in options:
                if len(opts) == 1:
                    known.append(opts[0])
                    continue
                if known:
                    parts.append(("".join(known),))
                    known = []
                parts.append(opts[:share])
            if known:
                parts.append(("".join(known),))
            combos = [""]
            for opts in parts:
                combos = [c + o for c in combos for o in opts]
            texts.extend(combos)
    return texts


def recover(
    run: str,
    data: bytes,
    holes: tuple[int, ...],
    family: tuple[str, ...],
    left: str,
    right: str,
    evidence: Counter,
    follow: tuple[str, bytes] | None = None,
    seen: Counter | None = None,
    blind: bool = False,
) -> Guess | None:
    """The best consistent filling of the gaps in `run`, or None if none is consistent.

    `data` is the run encoded back with LOST at `holes`; `left`/`right` are the
    neighbouring text (for the forward check, `right` must start with the character
    that followed the run, since it decided how the decoder failed). `seen` counts
    the wide letters of the run's pieces that lost nothing (`note_letters`).
    `blind`: the run is U+FFFD alone (every byte lost); no CJK letter fills it.
    """
    hole_set = set(holes)
    template = tuple(None if i in hole_set else b for i, b in enumerate(data))
    # The byte after the gap decided how the decoder failed, so the check needs it;
    # a non-ASCII neighbour is text an earlier layer already repaired, not bytes
    # the decoder saw, and a run always ends before the decoder's next character.
    if follow is None:
        nxt = right[:1] if right[:1].isascii() else ""
        follow = (nxt, nxt.encode("ascii"))
    # A gap is filled with letters of the scripts around it ("base à cette", not
    # "base ה cette"), or, if none of those fits, with any letter.
    # The run's own bytes that survived say most: "��戟" read as EUC-KR is a lost
    # letter and н, a Cyrillic word's start ("Он"), whatever CJK mojibake follows.
    before = left[-SCRIPT_CONTEXT:] + _known_text(template)
    scripts = _scripts(before + ahead(before, right))
    survivors = _survivors(template, run, follow, family, scripts)
    if _among_capitals(left, right):
        # In a word of capitals ("G����WNY", GŁÓWNY read as Big5), lost letters are
        # capitals, but small ones and symbols, cheaper alone, took the few places
        # each gap of a long run gets ("Gà\xa0WNY"): its capitals compete too.
        have = set(survivors)
        survivors += tuple(s for s in _survivors(template, run, follow, family, scripts, True)
                           if s not in have)
    if not survivors and scripts:
        survivors = _survivors(template, run, follow, family, frozenset())
    if _WIDE_LETTERS.match(left[-1:]) or _WIDE_LETTERS.match(right[:1]):
        survivors = _with_partners(survivors, template, run, follow, family,
                                   left[-1:], right[:1])
    if blind:
        # All its bytes lost, a gap is told by its context alone: a quote or a dash
        # from a few, a CJK character from thousands, the commonest of them the
        # guess ("1973的2017" for an en dash; 的 for 솔 in a line of Korean).
        survivors = tuple(s for s in survivors if not _has_wide_letter(s[0]))
    if not survivors:
        return None
    if left[-1:].isdigit() and right[:1].isdigit():
        # Between digits, a letter of an alphabet makes no word ("1966ở1987"); a
        # dash or a CJK character ("2024年3月") can stand there.
        survivors = tuple(s for s in survivors if not any(
            c.isalpha() and not plausible.is_wide(c) for c in s[0])) or survivors
    if family == ASCII_READING and not (left[-1:].isalpha() or right[:1].isalpha()) and not (
            _FOREIGN_LETTER.search(left[-SCRIPT_CONTEXT:] + right)):
        # Read as ASCII's gaps, a run standing alone in text of ASCII letters only is
        # no letter of another alphabet ("x ��� y" is no Vietnamese "ở"); of three
        # bytes it can be a mark (" – "), of two nothing the context could tell ("à",
        # "©", "°"): left as it is. Nor a combining sign, which no letter here carries
        # ("'���'" is no Tamil virama between quotes).
        survivors = tuple(s for s in survivors
                          if not any(plausible.is_word_char(c) for c in s[0]))
        if not survivors or len(holes) < 3:
            return None
    shortlist = _shortlist(survivors, _word_tail(left), _word_head(right))
    if len(shortlist) == 1:
        _, text, codec = shortlist[0]
        return Guess(text, codec, 1.0, _texts(survivors))
    letters = evidence.get(TOTAL, 0) + (seen.get(TOTAL, 0) if seen else 0)
    lch, rch = left[-1:], right[:1]
    scored = sorted(
        ((cost + _marks_cost(t, left, right, evidence)
          + (_repeats_cost(t, lch, rch, evidence, seen, letters) if letters else 0.0), t, c)
         for cost, t, c in shortlist),
        key=lambda x: x[0],
    )
    best_cost, best_text, best_codec = scored[0]
    total = sum(math.exp(best_cost - s) for s, _, _ in scored)
    return Guess(best_text, best_codec, 1.0 / total, _texts(survivors))


def _among_capitals(left: str, right: str) -> bool:
    """The letters next to a gap in its word, two a side at most, are capitals, two
    of them at least ("G|WNY", "|DŹ", "PRZYWRACA|"; not "N|Ko")."""
    letters = [c for c in _word_tail(left)[-2:] + _word_head(right)[:2] if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _has_wide_letter(text: str) -> bool:
    return any(plausible.is_wide(c) and plausible.is_word_char(c) for c in text)


@lru_cache(maxsize=4096)
def _texts(survivors: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The fillings of (text, codec) survivors: the same few hundred for every gap
    of the same bytes."""
    return tuple(t for t, _ in survivors)


@lru_cache(maxsize=4096)
def _shortlist(survivors: tuple[tuple[str, str], ...], near_left: str, near_right: str
               ) -> list[tuple[float, str, str]]:
    """The SHORTLIST survivors cheapest in the word they complete: (cost, text, codec)."""
    return sorted((_local_cost(near_left, t, near_right), t, c) for t, c in survivors)[:SHORTLIST]


@lru_cache(maxsize=4096)
def _survivors(template: tuple[int | None, ...], run: str, follow: tuple[str, bytes],
               family: tuple[str, ...], scripts: frozenset[str] = frozenset(),
               capitals: bool = False) -> tuple[tuple[str, str], ...]:
    """Fillings that pass the forward check: (text, codec) pairs.

    `follow` is the character the decoder read next and its bytes. A gap is first
    taken as one lost byte, then as two if no one-byte filling fits.
    """
    survivors: list[tuple[str, str]] = []
    for form in (template, _two_bytes_lost(template)):
        for text in _fill(form, scripts, capitals):
            codec = _passes(text, run, follow, family)
            if codec is not None:
                survivors.append((text, codec))
        if survivors:
            break
    return tuple(survivors)


def _passes(text: str, run: str, follow: tuple[str, bytes], family: tuple[str, ...]
            ) -> str | None:
    """The first codec of `family` (in report order) that reads `text`'s UTF-8, and
    the bytes of `follow` after it, as the run and the character that followed."""
    raw = text.encode("utf-8") + follow[1]
    expected = run + follow[0]
    for codec in sorted(family, key=report_order):
        if raw.decode(codec, errors="replace") == expected:
            return codec
    return None


def _two_bytes_lost(template: tuple[int | None, ...]) -> tuple[int | None, ...]:
    """`template` with each lost byte taken as two."""
    return tuple(x for b in template for x in ((None, None) if b is None else (b,)))


@lru_cache(maxsize=4096)
def _with_partners(survivors: tuple[tuple[str, str], ...], template: tuple[int | None, ...],
                   run: str, follow: tuple[str, bytes], family: tuple[str, ...],
                   left: str, right: str) -> tuple[tuple[str, str], ...]:
    """`survivors` and the fillings whose one lost character makes a word with the
    wide letter before or after it, and that pass the forward check. A character
    with two lost bytes fits thousands, and the cap keeps the commonest alone: 檬
    is rare, but after 柠 it is all but certain. `left` and `right` are the
    characters around the template."""
    have = {t for t, _ in survivors}
    extra = []
    after, before = _pair_index()
    for form in (template, _two_bytes_lost(template)):
        for parse in _parses(form):
            holed = [(o, n) for o, n in parse if None in form[o:o + n]]
            if len(holed) != 1:
                continue
            o, n = holed[0]
            try:
                head = bytes(form[:o]).decode("utf-8")   # type: ignore[arg-type]
                tail = bytes(form[o + n:]).decode("utf-8")   # type: ignore[arg-type]
            except (UnicodeDecodeError, TypeError):
                continue
            lch, rch = (left + head)[-1:], (tail + right)[:1]
            for c in dict.fromkeys((*after.get(lch, ()), *before.get(rch, ()))):
                data = c.encode("utf-8")
                text = head + c + tail
                if len(data) != n or text in have or not all(
                        b is None or b == x for b, x in zip(form[o:o + n], data)):
                    continue
                codec = _passes(text, run, follow, family)
                if codec is not None:
                    extra.append((text, codec))
                    have.add(text)
    return survivors + tuple(extra)


@lru_cache(maxsize=1)
def _pair_index() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """From the in-word pairs of Chinese, Japanese and Korean: the letters that
    follow each letter, and those that precede it."""
    after: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    for table in plausible.wide_pairs().values():
        for pair in table:
            a, b = pair
            after.setdefault(a, []).append(b)
            before.setdefault(b, []).append(a)
    return ({k: tuple(v) for k, v in after.items()}, {k: tuple(v) for k, v in before.items()})


def _word_tail(left: str) -> str:
    """The end of `left` back to its last space (at most CONTEXT characters)."""
    tail = left[-CONTEXT:]
    cut = max(tail.rfind(" "), tail.rfind("\n"))
    return tail[cut + 1:] if cut >= 0 else tail


def _word_head(right: str) -> str:
    head = right[:CONTEXT]
    cuts = [i for i in (head.find(" "), head.find("\n")) if i >= 0]
    return head[:min(cuts)] if cuts else head


@lru_cache(maxsize=65536)
def _local_cost(left: str, text: str, right: str) -> float:
    """What `text` adds to the cost of the word it completes."""
    return (plausible.cost(left + text + right) - plausible.cost(left) - plausible.cost(right)
            + _word_term(left, text, right))


#: Extra cost of a filling whose word is none of the commonest words of any
#: language: "Chể" where "Chữ" (script) was lost. Modest: names and rare words are
#: real text too.
UNKNOWN_WORD = 4.0


def _word_term(left: str, text: str, right: str) -> float:
    """Known-word evidence for a filling made of letters: a known word costs what
    its rank says rather than its letters, an unknown one UNKNOWN_WORD more.
    Only alphabetic words of two letters or more; the word ends where a non-letter
    (or a gap not yet filled) does."""
    if not text or not all(plausible.is_word_char(c) for c in text):
        return 0.0
    word = plausible.word_edge(left, True) + text + plausible.word_edge(right, False)
    if len(word) < 2 or len(word) > plausible.MAX_WORD or plausible.has_wide(word):
        return 0.0
    known = plausible.known_word_cost(word)
    if known is None:
        return UNKNOWN_WORD
    return min(0.0, known - plausible.word_cost(word))


def _marks_cost(text: str, left: str, right: str, evidence: Counter) -> float:
    """Typography and the document's own evidence, for each mark of a filling.

    Evidence counts each mark the document uses, alone and with the kinds of its
    neighbours: a text that writes " – " elsewhere most likely lost an en dash
    between two spaces, whatever its apostrophes are.
    """
    # Quotes opened and not closed in the line so far: only a closing double quote
    # and an opening single one ask, so the line is counted only then.
    opened = (left.count("\u201c") - left.count("\u201d")
              if "\u201d" in text or "\u2018" in text else 0)
    total = 0.0
    for shape, ch, neighbours in _mark_terms(text, left[-2:], right[:1] or "\n", opened):
        if shape is not None:
            total += shape
        if plausible.is_word_char(ch):
            continue
        total -= math.log1p(evidence.get(ch, 0))
        total -= 1.5 * math.log1p(evidence.get(neighbours, 0))
    if "\u2013" in text:
        total += _dash_convention(text, left, right)
    return total


#: Between two spaces an en dash and an em dash fit alike, and the bytes rarely tell
#: them apart (E2 80 93 and E2 80 94 lose the same last byte). Russian, Ukrainian,
#: Bulgarian and Serbian typography set the dash (тире) as a spaced em dash, where
#: English and German often space an en dash: in a text whose last letter before the
#: gap is Cyrillic, the en dash costs this much more. The document's own dashes (its
#: evidence) outweigh it.
CYRILLIC_DASH = 0.5


def _dash_convention(text: str, left: str, right: str) -> float:
    ahead = left[-1:] + text + right[:1]
    for i, ch in enumerate(text, 1):
        if ch == "\u2013" and ahead[i - 1:i] == " " and ahead[i + 1:i + 2] in (" ", "\n", ""):
            letter = next((c for c in reversed(left) if c.isalpha()), "")
            if letter and script(letter) == "CYRILLIC":
                return CYRILLIC_DASH
    return 0.0


@lru_cache(maxsize=65536)
def _mark_terms(text: str, lch: str, rch: str, opened: int
                ) -> tuple[tuple[float | None, str, tuple[str, str, str]], ...]:
    """The parts of `_marks_cost` that the evidence does not change, per character:
    its typographic cost (None for a letter), itself, and its neighbours' kinds.
    `lch` is the two characters before `text`."""
    out = []
    ahead = lch.rjust(2) + text
    # The first character after each position's letters (`letter_shape`'s `beyond`),
    # from the end: one pass, not a scan from each character.
    beyond = [rch] * (len(text) + 1)
    for i in range(len(text) - 1, 0, -1):
        beyond[i - 1] = beyond[i] if text[i].isalpha() else text[i]
    depth = opened   # “ open before the character (” closes one)
    for i, ch in enumerate(text):
        before = ahead[i + 1]
        after = text[i + 1] if i + 1 < len(text) else rch
        shape = (letter_shape(before, ch, after, ahead[i], beyond[i])
                 if plausible.is_word_char(ch) else None)
        if shape is None:
            balance = _balance_cost(depth, ch) if ch == "\u201d" else 0.0
            if ch == "\u2018" and depth <= 0:
                balance = SECONDARY_QUOTE
            shape = spacing_cost(before, ch, after, ahead[i]) + balance
        depth += (ch == "\u201c") - (ch == "\u201d")
        out.append((shape, ch, (_kind(before), ch, _kind(after))))
    return tuple(out)


#: ‘ opening a quotation where no “ is open: in English and most languages that
#: write these marks, single quotes are the secondary ones (CLDR's
#: alternateQuotationStart), nested in double quotes; between the two otherwise
#: alike, “ is the likelier opener.
SECONDARY_QUOTE = 0.5

#: A filled-in letter that switches case inside a word ("aşAmerika"), or a modifier
#: letter (ₑ, ʼ), costs this much more: the word model sees neither.
LETTER_SHAPE = 4.0


def letter_shape(before: str, ch: str, after: str, before2: str = "", beyond: str = "") -> float:
    """Cost of a filled-in letter's shape among its neighbours (0.0 for most):
    `before2` is the character before `before`, `beyond` the first character after
    the filling's letters. A small letter after two capitals is one of a word of
    capitals ("PRZYWRÓCIĆ", "USUNĄĆ"), unless the word goes on in small letters
    ("HTMLeditor" is no word either way)."""
    if unicodedata.category(ch) == "Lm" and ch != plausible.MODIFIER_APOSTROPHE:
        return LETTER_SHAPE
    if (before.islower() and ch.isupper()) or (ch.islower() and after.isupper()):
        return LETTER_SHAPE
    if ch.islower() and before.isupper() and before2.isupper() and not beyond.islower():
        return LETTER_SHAPE
    return 0.0


#: The non-ASCII characters `note_evidence` looks at: all but letters and numbers
#: (Python's \w) and U+FFFD, digits too. Combining marks match and are skipped as
#: letters; numbers that are no digits (², ½) are not counted.
_NON_ASCII_MARK = re.compile(r"[^\x00-\x7f\w\ufffd]|[^\x00-\x7f\D]")
_WIDE_CLASS = plausible.WIDE_LETTER_CLASS
_WIDE_LETTERS = plausible.WIDE_LETTERS
_WIDE_PAIR = re.compile(f"(?=({_WIDE_CLASS}{_WIDE_CLASS}))")


#: A wide letter the document writes elsewhere is likelier to be the one lost, and
#: more so after the letter it followed there: a text keeps to its topic's words (a
#: list of language names ends each in 语, a list of currencies repeats 克朗). As in
#: a cache language model (Kuhn and De Mori, 1990), the document's own counts are
#: mixed in with this share, and a letter gains as much as its share in the
#: document exceeds its share in the language: 语 written four times in a short
#: list gains nats; は, common in any Japanese text, next to none.
CACHE_SHARE = 0.3
_CACHE_ODDS = CACHE_SHARE / (1 - CACHE_SHARE)
#: Key under which the wide letters counted are totalled.
TOTAL = ("wide", "")


def note_letters(counts: Counter, text: str) -> None:
    """Count the wide letters of `text` (as ("wide", c), and their total as TOTAL)
    and their pairs (("pair", ab))."""
    letters = _WIDE_LETTERS.findall(text)
    if not letters:
        return
    counts.update(("wide", c) for c in letters)
    counts[TOTAL] += len(letters)
    counts.update(("pair", m.group(1)) for m in _WIDE_PAIR.finditer(text))


def _repeats_cost(text: str, lch: str, rch: str, evidence: Counter, seen: Counter | None,
                  letters: int) -> float:
    """Minus the nats the document's own counts add to the wide letters of `text`
    and to the pairs they make with each other and their neighbours `lch`, `rch` (0
    where it never wrote them). `letters` is the count of TOTAL, above 0."""
    total = 0.0
    counted = seen.get if seen else None
    for key, first, base in _repeat_terms(text, lch, rch):
        n = evidence.get(key, 0) + (counted(key, 0) if counted else 0)
        if not n:
            continue
        if first is None:
            ratio = n / letters / base
        else:
            above = evidence.get(first, 0) + (counted(first, 0) if counted else 0)
            if not above:
                continue
            ratio = n / above / base
        total -= math.log1p(_CACHE_ODDS * ratio)
    return total


@lru_cache(maxsize=65536)
def _repeat_terms(text: str, lch: str, rch: str
                  ) -> tuple[tuple[tuple[str, str], tuple[str, str] | None, float], ...]:
    """What `_repeats_cost` looks up for `text`: each of `repeat_keys` but TOTAL, with
    the key of a pair's first letter (None for a letter) and the share it is
    measured against (`_letter_base`, `_pair_base`)."""
    return tuple(
        (key, None, _letter_base(key[1])) if key[0] == "wide"
        else (key, ("wide", key[1][0]), _pair_base(key[1]))
        for key in repeat_keys(text, lch, rch) if key != TOTAL)


@lru_cache(maxsize=65536)
def _letter_base(ch: str) -> float:
    """The share of a letter in the language that uses it most."""
    return math.exp(-plausible.best_letter_cost(ch))


@lru_cache(maxsize=65536)
def _pair_base(pair: str) -> float:
    """P(b | a) for a pair of wide letters: the pair tables' (in-word pairs), else
    the second letter's own share."""
    costs = [t[pair] for t in plausible.wide_pairs().values() if pair in t]
    return math.exp(-min(costs)) if costs else _letter_base(pair[1])


@lru_cache(maxsize=65536)
def repeat_keys(text: str, lch: str, rch: str) -> tuple[tuple[str, str], ...]:
    """The counts `_repeats_cost` looks up for `text` between `lch` and `rch`: its
    wide letters (each with a TOTAL, for counting them in), and the pairs of wide
    letters that hold one of them."""
    letters = _WIDE_LETTERS.findall(text)
    keys = [k for c in letters for k in (("wide", c), TOTAL)]
    if keys:
        around = lch + text + rch
        keys += [("pair", around[i:i + 2])
                 for i in range(len(around) - 1)
                 if len(lch) <= i + 1 and i < len(lch) + len(text)
                 and _WIDE_PAIR.match(around, i)]
    return tuple(keys)


def note_evidence(evidence: Counter, text: str) -> None:
    """Count the marks of `text` into `evidence`, alone and with their neighbours,
    and the wide letters of its runs of non-ASCII that lost no bytes (`note_letters`):
    a run with U+FFFD is still mojibake, its characters the wrong decoder's."""
    for m in NON_ASCII.finditer(text):
        if "\ufffd" not in m.group():
            note_letters(evidence, m.group())
    for m in _NON_ASCII_MARK.finditer(text):
        i, ch = m.start(), m.group()
        if plausible.is_word_char(ch) or ch == "\ufffd":
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else "\n"
        evidence[ch] += 1
        evidence[(_kind(before), ch, _kind(after))] += 1


def _balance_cost(depth: int, ch: str) -> float:
    """A closing quote needs an opening one before it: ” after “want is a closing
    quote; ” with no “ open before it in the line (`depth`) is unlikely."""
    if ch == "\u201d":
        return -1.0 if depth > 0 else 3.0
    return 0.0


@lru_cache(maxsize=4096)
def _kind(ch: str) -> str:
    """A neighbour's kind: space, word, a mark that closes ("close": , . ; ) ...)
    or another mark ("punct": * % ( " ...). “ before ** is evidence for “ before
    a mark that opens, not before a comma."""
    if ch.isspace():
        return "space"
    if plausible.is_word_char(ch) or ch.isdigit():
        return "word"
    return "close" if ch in _CLOSING else "punct"


#: The no-break spaces (the one of Latin text, and the narrow one).
NO_BREAK = "\u00a0\u202f"
#: A space filled in beside a space: a double space, or a lost letter at a word's
#: start (" \u00a0owić" for łowić).
SPACE_BESIDE_SPACE = 9.0
#: Cost of a symbol between two letters, but the middle dot of Catalan "l·l" (see
#: `spacing_cost`; dashes, quotes and spaces have their own rules).
INSIDE_WORD = 5.0
_CLOSING = ",.;:!?)]}"
_OPENING = "([{\u201c\u2018\u00ab\u201e"


#: See `spacing_cost`: a wide mark other than a full stop or a closing bracket at
#: the end of a line. The three stops share their first two UTF-8 bytes with
#: neither (。 is E3 80 82, 、 E3 80 81), but ！ and ？ share EF BC with ，.
LINE_END_MARK = 2.5
_WIDE_STOPS = "\u3002\uff01\uff1f\uff0e\u2026"


#: See `spacing_cost`: what a wide punctuation mark after a wide letter costs less.
#: `plausible.symbol_cost` prices a mark by the legacy code pages that carry it, and
#: only the four CJK pages carry 。、，」 (9.4 nats, where ’ costs 5.0): after
#: Chinese, Japanese or Korean letters they are as ordinary as ’ is after Latin ones.
#: (Not before them: a lost letter after 、 is no 〝.)
WIDE_MARK = 4.4


@lru_cache(maxsize=65536)
def spacing_cost(before: str, ch: str, after: str, before2: str = " ") -> float:
    """How well a punctuation mark sits between its neighbours (nats); a wide one
    after a wide letter costs WIDE_MARK less (see `_spacing_cost`)."""
    cost = _spacing_cost(before, ch, after, before2)
    if unicodedata.category(ch)[0] == "P" and plausible.is_wide(ch) and _WIDE_LETTERS.match(before):
        cost -= WIDE_MARK
    return cost


def _spacing_cost(before: str, ch: str, after: str, before2: str = " ") -> float:
    """How well a punctuation mark sits between its neighbours (nats).

    Typographic habits shared by the languages we repair: an opening quote follows
    a space and precedes a word (“a); a closing quote or apostrophe follows a word
    (they’re, “a”); a dash stands between spaces ( – ) or joins words, and an en
    dash joins the two ends of a range of numbers (1983–1985); an invisible
    character (U+2000–U+200F spaces and marks) is almost never what was lost.
    """
    cat = unicodedata.category(ch)
    if before.isdigit() and after.isdigit():
        # Between digits: a range (1983–1985), written with an en dash.
        return 0.0 if ch == "\u2013" else 1.5 if cat == "Pd" else 4.0
    if after == "\n" and plausible.is_wide(ch) and not plausible.is_word_char(ch):
        # A line of Chinese or Japanese ends with a full stop (。！？) or a closing
        # bracket (」), seldom with a comma (、，) or a mark that opens something.
        return 0.0 if ch in _WIDE_STOPS or cat in ("Pe", "Pf") else LINE_END_MARK
    b, a = _kind(before), _kind(after)
    if ch in NO_BREAK:
        # A no-break space binds a number or a one-letter word to what follows
        # ("10\u00a0km", Czech "a\u00a0Praha"); inside a longer word ("ka\u00a0mucki")
        # it stands for a lost letter. (`before2` is the character before `before`.)
        if b == a == "word" and (before.isdigit() or not before2.isalpha()):
            return 3.0
        if b == a == "word":
            return INSIDE_WORD + 1.0
        return SPACE_BESIDE_SPACE if "space" in (a, b) else 6.0
    if cat in ("Zs", "Cf", "Zl", "Zp"):
        return SPACE_BESIDE_SPACE if cat == "Zs" and "space" in (a, b) else 6.0
    if cat == "Pi":
        # Before a word or a mark it quotes too (“**”, “%s”, “(a)”), never a space
        # nor a mark that ends something (a comma, a closing bracket).
        opens = a in ("word", "punct")
        return 0.0 if b != "word" and opens else 3.0
    if cat == "Pf":
        if b == "word" and a == "word":
            return 0.0 if ch == "\u2019" else 3.0
        if ch == "\u2019" and b == "word" and before not in "sS":
            return 3.0   # a stray closing quote, not a possessive plural
        closes = b in ("word", "close") or (b == "punct" and before not in _OPENING)
        return 0.0 if closes and a != "word" else 3.0
    if cat == "Pd":
        if b == a == "space":
            return 0.0
        if "space" in (a, b):
            # " – word" is a dash; " –*" or " –%" more likely a quote or an ellipsis.
            return 1.5 if "word" in (a, b) else 3.0
        return 2.5
    if ch == "\u2026":
        # An ellipsis ends a word ("and so…") or stands for one in a list ("a, …, z");
        # between two spaces, a dash is the likelier mark.
        if a == "word":
            return 3.0
        return 0.5 if a in ("punct", "close") else 1.0 if b == "word" else 1.5
    if before.isalpha() and after.isalpha() and not (
            ch == "\u00b7" and before in "lL" and after in "lL"):
        # A symbol inside a word ("baski×tina", "HAS°O") splits it: a lost letter.
        return INSIDE_WORD
    return 1.0 if b == "word" else 3.0
