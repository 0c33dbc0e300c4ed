"""Legacy bytes read as Latin-1 or Windows-1252: "ÄãºÃ" is 你好 in GBK.

Every byte is a character in Latin-1, so such text never fails to decode; it just
turns into a run of accented letters and symbols. We encode each such run back to
its bytes and try the legacy encodings, UTF-8 first (the Latin-family mojibake that
ftfy declined to touch is a candidate too). Double-byte sets decode strictly only
when the bytes pair up, which is evidence in itself; single-byte sets (CP1251,
KOI8-R, ...) always decode, so for them the whole line must be cheaper, not just one
word: an "à" in French text is a fine "а" in Russian, but the French line is not.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

import ftfy.bad_codecs  # noqa: F401  (registers utf-8-variants)

from . import forward, plausible, words
from .chains import REVERSE_MULTIBYTE, REVERSE_SINGLEBYTE, SBCS_HIGH, sbcs_bytes, sbcs_name
from .edits import Edit
from .forward import MARGIN, confidence, span_gain

_HIGH = re.escape(SBCS_HIGH)
#: A run of high characters; ASCII 0x40–0x7E inside it may be trail bytes of a
#: double-byte character (Big5 "你" is A7 41, "§A" in Latin-1).
RUN = re.compile(f"[{_HIGH}][{_HIGH}\\x40-\\x7e]*")


#: Single-byte decodings need more: every Latin-1 letter is some letter in CP1251 or
#: CP1253, so three letters ("Ôôô" → "Τττ") prove nothing; a line's worth does.
SINGLEBYTE_MARGIN = 2 * MARGIN
SINGLEBYTE_LETTERS = 5
#: Gain (nats) of one run that needs no wide character to be taken: GBK's quotes
#: around an English word ("¡°StopIteration¡±" is “StopIteration”) read only the
#: symbol rows of the code page, but a decoding this much better is no accident.
STRONG_ALONE = 2 * MARGIN
#: Gain (nats) a multi-byte codec must show on a line before its short runs are
#: taken on a smaller gain.
LINE_SUPPORT = 3 * MARGIN
#: `line_options`: a double-byte reading that gains less than LINE_SUPPORT, or less
#: than WEAK_GAIN per character it reads, is no text if most of its letters cost
#: WEAK_RARE_LETTER (one letter in some 60,000 of text) in every language.
#: Lowercased mojibake of several layers ("canãƒâ¢ã¢â€šâ¬"), UTF-8 at no layer,
#: reads as Shift-JIS "繝笋罎窶壺ｬ" (garbage for garbage, under a nat a character):
#: its kanji cost 11 to 16, but only four of its ten letters reach the 12 nats of
#: plausible.RARE_LETTER. Legacy text read as Latin-1 gains several nats a
#: character, and keeps that bar: CPython's Korean stress text of made-up
#: syllables (릨 탸 콰 긐) is rare, and still Korean.
WEAK_RARE_LETTER = 11.0
WEAK_GAIN = 2.0


Option = dict[tuple[int, int], tuple[float, str, tuple[str, ...]]]


def repair_line(line: str, offset: int, support: Counter | None = None,
                options: dict[str, tuple[float, Option]] | None = None) -> list[Edit]:
    """Edits for the legacy-as-Latin runs of one line.

    `support` (from `document_support`) says which encoding the whole document
    points to: a line that several encodings could explain takes that one if it
    explains at least half as much there as the best (the same bytes A4 A1 are ㄱ
    in EUC-KR and ぁ in GBK; in a Korean document they are ㄱ).
    """
    options = line_options(line) if options is None else options
    if not options:
        return []
    best = max(options, key=lambda c: options[c][0])
    if support:
        top = support.most_common(1)[0][0]
        if top in options and options[top][0] >= 0.5 * options[best][0]:
            best = top
    edits = []
    for (s, e), (gain, text, chain) in sorted(options[best][1].items()):
        chain = chain + (sbcs_name(line[s:e]),)
        edits.append(Edit(offset + s, offset + e, text, chain, confidence(gain)))
    return edits


#: Bytes of multi-byte UTF-8 sequences a line must show, every run of it decoding as
#: UTF-8, before `line_options` tries no legacy reading of it: one three-byte character (’ is
#: "â€™") or two of two bytes. A legacy double-byte character reads as a valid
#: two-byte sequence by chance about one time in twelve; more, with no run of the
#: line that fails, is rare, and the UTF-8 reading still has to be worth making.
PLAIN_UTF8_BYTES = 3
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def plainly_utf8(line: str) -> bool:
    """Every high run of the line is UTF-8 once encoded back ("cafÃ©, Ã ", "â€™"),
    with PLAIN_UTF8_BYTES in sequences at least: UTF-8 read as Windows-1252."""
    size = 0
    for m in RUN.finditer(line):
        data = sbcs_bytes(m.group())
        if data is None:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        size += sum(len(seq) for seq in _UTF8_SEQUENCE.findall(data))
    return size >= PLAIN_UTF8_BYTES


def document_support(options: Iterable[dict[str, tuple[float, Option]]]) -> Counter:
    """How much each legacy encoding explains over a document's lines (nats saved),
    from each line's `line_options`."""
    support: Counter = Counter()
    for line in options:
        for codec, (total, _) in line.items():
            support[codec] += total
    return support


@lru_cache(maxsize=1024)
def line_options(line: str) -> dict[str, tuple[float, Option]]:
    """For each legacy encoding that explains some runs of the line: (gain, runs)."""
    runs = [m.span() for m in RUN.finditer(line)]
    # A run touching U+FFFD lost a byte to a strict decoder: the lossy pass's work.
    # A run glued to a character that DOS and Mac code pages write, and Latin-1 and
    # Windows-1252 do not (Γ, ├, ∞), is a piece of their mojibake: "ΓÇô" is – read
    # as CP437, and its "Çô" read as CP1253 is "Ητ", a Greek-looking "ΓΗτ". So is
    # one glued to a letter that neither writes: "áàäéèęöő" is Polish and Hungarian
    # letters side by side, not Hebrew read as Latin-1 with "ę" and "ő" in between.
    # Spanish opens questions and exclamations with ¿ and ¡, doubled too
    # (`_inverted_marks`).
    runs = [(s, e) for s, e in runs if any(ord(c) >= 0x80 for c in line[s:e])
            and "\ufffd" not in line[max(0, s - 1):e + 1] and not _listing(line[s:e])
            and not _inverted_marks(line[s:e])
            and not _FOREIGN.match(line[s - 1:s] if s else "")
            and not _FOREIGN.match(line, e)]
    if not runs:
        return {}
    options: dict[str, tuple[float, Option]] = {}
    readings = {(s, e): _readings(line[s:e]) for s, e in runs}
    latin = {(s, e) for s, e in runs if _HAS_LATIN.search(line, s, e)}
    # A single-byte page reads ASCII as ASCII and no high byte as an ASCII letter:
    # which runs are glued to ASCII letters is the same in every one of them.
    glued = {(s, e) for s, e in runs if _glued(line, s, e, line[s:e])}
    # Plain UTF-8 read as Windows-1252 is ftfy's to repair (`latin`), but it competes
    # here: "cafÃ©" is UTF-8, however nicely GBK would read "Ã©" as 茅.
    utf8 = {(s, e): span_gain(line, s, e, reading[1])
            for (s, e), reading in readings.items() if reading[1] is not None}
    # A line that is plainly UTF-8 read as Windows-1252 has no legacy reading worth
    # the cost of trying them all; its UTF-8 reading (two layers too) still competes.
    legacy = () if plainly_utf8(line) else REVERSE_MULTIBYTE + REVERSE_SINGLEBYTE
    judged: dict = {}   # GBK and GB18030, Big5 and CP950... mostly read a line alike
    for i, codec in enumerate(("utf-8",) + legacy, 2):
        decoded = {key: reading[i] for key, reading in readings.items()
                   if reading[i] is not None}
        chain: tuple[str, ...] = (codec,)
        if codec == "utf-8":
            decoded, chain = _two_layers(decoded)
        if not decoded:
            continue
        if codec not in REVERSE_SINGLEBYTE:
            decoded = {k: v for k, v in decoded.items() if not _box_in_word(line, k, v)}
            if not decoded:
                continue
        if codec in REVERSE_SINGLEBYTE:
            # The tests that need no costing first: a line fails most of them.
            if 2 * len(glued.intersection(decoded)) >= len(decoded):
                continue
            if sum(e - s for s, e in decoded) < SINGLEBYTE_LETTERS:
                continue
            before = "".join(line[s:e] for s, e in decoded)
            after = "".join(decoded.values())
            if not (any(c.isalpha() for c in before) and _letters_mostly(after)
                    and _no_latin_left(after)):
                continue
            if _wordless(decoded.values()) or _accents_of_one_letter(line, decoded):
                continue
            gains = _gains(line, decoded, judged)
            total = sum(gains.values())
            if total < SINGLEBYTE_MARGIN:
                continue
            picked = {k: (total, v, chain) for k, v in decoded.items()}
        else:
            # What is picked is decoded, so at least the runs with Latin letters
            # left undecoded are left (see below): when they are as many as the
            # decoded runs, no costing can pick enough (French text, where "à" and
            # "é " make no double-byte character, is most lines that come here).
            if len(latin.difference(decoded)) >= len(decoded):
                continue
            gains = _gains(line, decoded, judged)
            # Short runs ("¶ø" for 而) carry little evidence alone; in a line where
            # this codec already explains a lot, they need only to be an improvement.
            explained = sum(g for g in gains.values() if g >= MARGIN)
            bar = 0.5 if explained >= LINE_SUPPORT else MARGIN
            quoted = _quotes_paired(decoded, gains)
            in_place = {k for k, v in decoded.items()
                        if _latin_in_word(line, k, v) or _range_dash(line, k, v)}
            # A decoding with no wide character ("¬´" → EUC-KR "Т") used only the
            # symbol rows of a CJK code page, and proves nothing on its own.
            picked = {k: (gains[k], v, chain) for k, v in decoded.items()
                      if (gains[k] >= bar or (gains[k] >= LETTER_IN_WORD and k in in_place))
                      and (chain != (codec,) or plausible.has_wide(v)
                           or _completes_word(line, k, v) or k in in_place
                           or (_textual(v) and (explained >= LINE_SUPPORT or k in quoted))
                           or gains[k] >= STRONG_ALONE)}
            total = sum(g for g, _, _ in picked.values())
            left = len(latin.difference(picked))
            if left >= len(picked):
                continue
            if _half_width_only(picked) and (
                    left or 2 * _glued_to_ascii(line, decoded) >= len(decoded)
                    or not _katakana_word(picked)):
                continue
            if _letters_without_word(line, picked):
                continue
            # Text in any language is mostly its common letters; a reading that
            # gains little must be mostly letters commoner still.
            read = "".join(v for _, v, _ in picked.values())
            strong = total >= max(LINE_SUPPORT, WEAK_GAIN * len(read))
            rare = plausible.RARE_LETTER if strong else WEAK_RARE_LETTER
            if plausible.mostly_rare(read, rare):
                continue
        picked = {k: v for k, v in picked.items() if utf8.get(k, -1e9) < v[0]}
        if picked and total > 0:
            options[codec] = (total, picked)
    return options


#: The codecs `line_options` reads runs in, in its order.
_CODECS = ("utf-8",) + REVERSE_MULTIBYTE + REVERSE_SINGLEBYTE


@lru_cache(maxsize=16384)
def _readings(run: str) -> tuple:  # type: ignore[type-arg]
    """A run's bytes (as Latin-1 or Windows-1252 read them), its reading in ftfy's
    "utf-8-variants" (which also reads CESU-8: "í\xa0½í¸\x8d" is 😍), then its
    reading in each of `_CODECS`; None where there is none, or none that differs
    from the run. The same short runs ("été", "à") come back line after line."""
    data = sbcs_bytes(run)
    if data is None:
        return (None,) * (len(_CODECS) + 2)
    out: list[str | None] = [data, _decode(data, "utf-8-variants")]   # type: ignore[list-item]
    for codec in _CODECS:
        if codec != "utf-8" and _REPLACEMENT_READ in run:
            out.append(None)
            continue
        text = _decode(data, codec)
        out.append(text if text != run else None)
    return tuple(out)


def _half_width_only(picked: Option) -> bool:
    """Shift-JIS's half-width katakana are single bytes A1–DF, Latin-1's ¡ to ß: a
    decoding to them alone used the page as a single-byte one, and is held to what
    single-byte readings are (every run explained, words not glued to Latin ones)."""
    return all(_HALF_WIDTH.fullmatch(text) for _, text, _ in picked.values())


_HALF_WIDTH = re.compile("[\uff61-\uff9f\x20-\x7e]+")


def _letters_without_word(line: str, picked: Option) -> bool:
    """A short double-byte reading (under WORDLESS_LETTERS characters beyond ASCII)
    of quoted or bracketed runs of Latin letters only, that holds no pair of wide
    letters a CJK word writes (`plausible.has_wide_pair`): a list of a language's
    letters in code ("æøåÆØÅ" read as EUC-KR was "染樣唜", "[ŒœŸ]" through CP932
    "[懸Ÿ]"). Legacy CJK text read as Latin-1 shows its bytes A1-BF as symbols (¡ to
    ¿: a third of GBK's trail bytes, and the lead bytes of its commonest characters),
    and it is seldom quoted in ASCII. Unquoted, a cell of an export ("ÎâÓï", 吴语,
    all letters and a pair no list holds) is read as before, unless its three or
    more letters rise in code-point order, as a list does ("ÅÆÉØ", Danish's). Quoted,
    the ordinal indicators ª and º count as letters: Spanish's and Portuguese's lists
    hold them ("[ºÁÉÍÑÓÚÜ]" was GBK's "[毫赏延谲]")."""
    high = [c for s, e in picked for c in line[s:e] if ord(c) >= 0x80]
    if len(high) >= WORDLESS_LETTERS or not all(_CASED_LETTER.match(c) or c in "ªº"
                                                for c in high):
        return False
    rising = (len(high) >= 3 and all(_CASED_LETTER.match(c) for c in high)
              and all(a < b for a, b in pairwise(high)))
    if not rising and not all(line[s - 1:s] in _OPENERS or line[e:e + 1] in _CLOSERS
                              for s, e in picked if s):
        return False
    if not rising and any(not s and line[e:e + 1] not in _CLOSERS for s, e in picked):
        return False
    return not any(plausible.has_wide_pair(text) for _, text, _ in picked.values())


_OPENERS = ("\"", "'", "`", "[", "(")
_CLOSERS = ("\"", "'", "`", "]", ")")


#: The letters of Latin-1 and Windows-1252 that have a case (not ª, º, µ, ß).
_CASED_LETTER = re.compile("[\u00c0-\u00d6\u00d8-\u00de\u00e0-\u00f6\u00f8-\u00ff"
                           "\u0152\u0153\u0160\u0161\u0178\u017d\u017e]")


def _katakana_word(picked: Option) -> bool:
    """Do the half-width readings hold a katakana word of two letters or more that
    Japanese's word list knows ("ﾃﾞｰﾀ" is データ)? A few Latin-1 capitals read as
    Shift-JIS's single bytes are half-width letters that make no word ("ÁËÑ" is
    "ﾁﾋﾑ"), as accented letters read as CP1251 are Cyrillic letters."""
    for _, text, _ in picked.values():
        for word in _KATAKANA_RUN.findall(unicodedata.normalize("NFKC", text)):
            if words.is_known_katakana(word):
                return True
    return False


_KATAKANA_RUN = re.compile("[\u30a1-\u30fa\u30fc]{2,}")


#: An accented Latin letter of Latin-1. `line_options` counts the runs holding one
#: that a double-byte reading leaves as they are. Legacy text read as Latin-1 is the
#: codec's from end to end, so its reading explains (nearly) every run. In "MÄ£ÄM
#: ÌÑÌ Q £ÄGÌ GÄLÄW ... ÉÑÄK" (Malay in accented capitals) Big5 reads only "ÉÑÄK",
#: as 奷鯛, and Shift-JIS reads "ÌÑÌ" as ﾌﾑﾌ but leaves "£ÄGÌ": neither is the
#: line's encoding. A reading to half-width katakana alone (single bytes, like a
#: single-byte page) may leave none; a double-byte one fewer runs than it explains:
#: a Danish "Fødselsdato (ÅÅÅÅ-MM-DD)" is no Big5 (電電) with a stray "ø", as a
#: Chinese text in GBK writes even its Latin letters in GBK ("José" as "Jos¨¦").
_HAS_LATIN = re.compile("[\u00c0-\u00ff]")


#: U+FFFD's UTF-8 (EF BF BD) read as Latin-1 or Windows-1252: no legacy reading of
#: a run holding it is text. Read as GBK such runs are 锟斤拷, as Big5 嚙踝蕭, as
#: EUC-KR 占쏙옙: the known garbage of replacement characters, which a repair must
#: not write in place of another. (Matched on the text, where it cannot straddle two
#: characters of the legacy reading as the bytes EF BF can.)
_REPLACEMENT_READ = "\u00ef\u00bf\u00bd"


def _gains(line: str, decoded: dict[tuple[int, int], str], judged: dict
           ) -> dict[tuple[int, int], float]:
    """`forward.joint_gains`, once for each distinct set of decodings of the line."""
    key = frozenset(decoded.items())
    gains = judged.get(key)
    if gains is None:
        gains = judged[key] = forward.joint_gains(line, decoded)
    return gains


def _listing(run: str) -> bool:
    """A run of characters in code-point order ("ßàáâãäåæç...ÿ", a table of Latin-1
    letters in source code): every single-byte page reads its bytes as its own
    letters in order ("Яабвгдеж...я" in CP1251), which proves nothing but that the
    bytes are consecutive. Eight or more, nearly all one apart, or all in strictly
    rising order, as a list of a language's accented letters is written
    ("ÇÎÖÛÜâçîöûü"). Words rise so by chance: in the commonest 20,000 words of
    Russian, Bulgarian, Greek, Hebrew and Arabic, one in 25 of four letters, one in
    a few hundred of five or six ("Êàéêîñ" is Кайкос in CP1251), none of eight.

    A longer list is often sorted but for a few letters (French's
    "àâäéèêëïîôöùûüÿç", é before è): NEARLY_SORTED distinct characters or more of
    which three in four rise in order (the longest rising subsequence). In the
    commonest 200,000 words of Russian, Ukrainian, Bulgarian, Greek, Hebrew, Arabic,
    Persian, Chinese, Japanese and Korean, encoded in their legacy pages and read as
    Latin-1, no run of twelve distinct characters or more comes near: 0.69 at most
    ("враждебностью" in CP1251). Nor of two rising stretches of six or more
    (the small letters, then the capitals: "àáçèéíïñòóúüÀÁÇÈÉÍÏÑÒÓÚÜ"), where the
    words come to four at most ("безнадежность", [4, 9])."""
    if len(run) >= LISTING and all(a < b for a, b in pairwise(run)):
        return True
    if len(run) < LISTING:
        return False
    steps = sum(1 for a, b in pairwise(run) if ord(b) - ord(a) == 1)
    if steps >= 0.8 * (len(run) - 1):
        return True
    if len(run) < NEARLY_SORTED:
        return False
    falls = [i for i, (a, b) in enumerate(pairwise(run), 1) if b <= a]
    if len(falls) == 1 and min(falls[0], len(run) - falls[0]) >= 6:
        return True
    return len(set(run)) == len(run) and 4 * _longest_rising(run) >= 3 * len(run)


LISTING = 8
NEARLY_SORTED = 12


def _longest_rising(run: str) -> int:
    """Length of the longest strictly rising subsequence of `run` (patience sorting)."""
    tails: list[str] = []
    for c in run:
        i = bisect.bisect_left(tails, c)
        tails[i:i + 1] = [c]
    return len(tails)


def _inverted_marks(run: str) -> bool:
    """Spanish's opening marks, two or more, alone or before a word: "¿¿" is no
    EUC-JP 真 (BF BF), "¡¿pero" no GBK "】pero" (A1 BF). One is a letter or a mark of
    a legacy page: Big5's comma "¡A" (A1 41), CP1251's ї (BF), CP1256's Arabic
    comma (A1)."""
    rest = run.lstrip("¡¿")
    return rest.isascii() and len(run) - len(rest) >= 2


def _textual(text: str) -> bool:
    """Letters, marks and punctuation only: what a line this codec already explains
    may hold in its short runs (a letter, “StopIteration), unlike other symbols."""
    return all(unicodedata.category(c)[0] in "LMP" for c in text)


#: Gain (nats) enough for a decoding to an accented Latin letter inside a word
#: (`_latin_in_word`), or to an en dash between digits (`_range_dash`): "S¨¹dliches"
#: is GBK's ü (A8 B9, its pinyin row) read as Latin-1, and a diaeresis and a
#: superscript one between two letters of a word are no Latin-1 text; but the word
#: model, knowing neither "Südliches" nor the symbols, sees little gain.
LETTER_IN_WORD = 0.5 * MARGIN


def _latin_in_word(line: str, span: tuple[int, int], text: str) -> bool:
    """A run between two letters (or starting a word before one) that reads as
    Latin letters only, one of them accented: GBK's pinyin row, CP949's Latin
    rows, inside a European word."""
    high = [c for c in text if not c.isascii()]
    return (bool(high) and _completes_word(line, span, text)
            and all(unicodedata.name(c, "").startswith("LATIN") for c in high))


def _range_dash(line: str, span: tuple[int, int], text: str) -> bool:
    """A run between two digits that reads as an en dash: a range ("1964¨C2022" is
    GBK's – read as Latin-1, A8 43)."""
    s, e = span
    return text == "\u2013" and line[s - 1:s].isdigit() and line[e:e + 1].isdigit()


def _quotes_paired(decoded: dict[tuple[int, int], str], gains: dict[tuple[int, int], float]
                   ) -> set[tuple[int, int]]:
    """Runs that decode to an opening quote followed, later in the line, by one
    that decodes to its closing quote, each gaining MARGIN: GBK's “ and ” (A1 B0,
    A1 B1) read as Latin-1 are "¡°" and "¡±", a pair no Latin-1 text writes."""
    out: set[tuple[int, int]] = set()
    opened: list[tuple[tuple[int, int], str]] = []
    for key in sorted(decoded):
        text = decoded[key]
        if gains.get(key, 0.0) < MARGIN:
            continue
        for ch in text:
            if ch in _CLOSE_OF.values() and opened and _CLOSE_OF[opened[-1][1]] == ch:
                out.update((opened.pop()[0], key))
            elif ch in _CLOSE_OF:
                opened.append((key, ch))
    return out


_CLOSE_OF = {"\u201c": "\u201d", "\u2018": "\u2019", "\u300c": "\u300d", "\u300e": "\u300f"}


def _completes_word(line: str, span: tuple[int, int], text: str) -> bool:
    """Decoded letters that sit inside a word: "Despr¨¦aux" read as GBK is Despréaux.

    GBK and its kin carry accented Latin letters (for pinyin); a decoding to one is
    evidence only where it completes a word, not among symbols ("`¬´").
    """
    s, e = span
    inside = any(c.isascii() for c in text) or line[s - 1:s].isalpha() or line[e:e + 1].isalpha()
    return text.isalpha() and inside


def _two_layers(decoded: dict[tuple[int, int], str]
                ) -> tuple[dict[tuple[int, int], str], tuple[str, ...]]:
    """Keep the UTF-8 decodings that are CJK mojibake in turn, judged at the end.

    "æ‹¢" is the UTF-8 of 拢 read as CP1252, and 拢 is the UTF-8 of £ read as GBK:
    the middle stage is no better than the start, only the end is. A UTF-8
    decoding that stops at the middle is ftfy's call (`latin`), not ours.
    """
    out = {}
    chain: tuple[str, ...] = ("utf-8",)
    for key, text in decoded.items():
        deeper = forward.undo(text)
        if deeper is not None and "\ufffd" not in deeper[0]:
            out[key] = deeper[0]
            chain = ("utf-8", deeper[1], "utf-8")
    return out, chain


def _decode(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    return text


#: Control characters but for tab and line ends, and the private-use area (where
#: CP932 and Big5 put their user-defined rows: "Ùñî" read as CP932 is "ﾙ" and
#: U+E169): no decoding of real text has them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff]")


#: A single-byte reading with fewer letters than this must hold a known word
#: (`_wordless`).
WORDLESS_LETTERS = 16
_WORD = re.compile(r"[^\W\d_]{3,}")


def _wordless(runs: Iterable[str]) -> bool:
    """A short reading (under WORDLESS_LETTERS letters) none of whose words of three
    letters or more is a common word of some language (`plausible.known_word_cost`).

    Every Latin-1 letter is a letter in CP1251, CP1253 and CP1255, and accented
    letters side by side cost more as Latin than any alphabet's letters do: a list
    of them in source code or a config file ("áéíóú", "äöüß ÄÖÜ") read as Hebrew
    ("ביםףת") or Greek ("δφόί ΔΦά") looks likelier letter by letter. Real words say
    otherwise: legacy text of a few words holds a common one, and a longer text
    shows its language through the letter model alone."""
    runs = list(runs)
    if sum(1 for run in runs for c in run if plausible.is_word_char(c)) >= WORDLESS_LETTERS:
        return False
    return not any(plausible.known_word_cost(w) is not None
                   or plausible.known_word_cost(w.lower()) is not None
                   for run in runs for w in _WORD.findall(run))


def _accents_of_one_letter(line: str, decoded: dict[tuple[int, int], str]) -> bool:
    """Is each run one letter's accented forms ("áàä", "éèë": a test's or a table's
    list of them)? Every Latin-1 letter is a letter in CP1255 and CP1253, and "áàä"
    is Hebrew's באה, a word; but legacy text of several words does not write each
    word with letters of one group of code points."""
    bases = [{unicodedata.normalize("NFD", c)[0].lower() for c in line[s:e]}
             for s, e in decoded]
    return all(len(b) == 1 for b in bases) and any(e - s >= 2 for s, e in decoded)


def _letters_mostly(run: str) -> bool:
    """Is `run` what a single-byte script reads as in Latin-1: mostly accented letters?

    Cyrillic, Greek, Hebrew, Arabic and Thai letters sit in the upper half of their
    code pages, where Latin-1 has À–ÿ; a run of symbols ("¿¿¿") is not their mojibake.
    """
    high = [c for c in run if ord(c) >= 0x80]
    letters = sum(1 for c in high if unicodedata.category(c)[0] in "LM")  # Thai vowels are marks
    return len(high) >= 2 and 2 * letters >= len(high)


def _glued_to_ascii(line: str, decoded: dict[tuple[int, int], str]) -> int:
    """Decoded runs with an ASCII letter in them (runs take in 0x40–0x7E as possible
    trail bytes), right before or right after them.

    Cyrillic, Greek or Arabic words read from a single-byte page are high bytes
    from end to end; a reading that puts Cyrillic letters inside Latin words
    ("MÄ£ÄM GÄLÄW" as "MдёдM GдLдW") read accented Latin as something else.
    """
    return sum(1 for (s, e), text in decoded.items() if _glued(line, s, e, text))


def _glued(line: str, s: int, e: int, text: str) -> bool:
    """Is `text`, read in place of line[s:e], an ASCII letter or next to one?"""
    return _ASCII_LETTER.search(line[s - 1:s] + text + line[e:e + 1]) is not None


_ASCII_LETTER = re.compile("[A-Za-z]")
#: Box-drawing characters, which CJK code pages carry in their symbol rows.
_BOX = re.compile("[\u2500-\u257f]")


def _box_in_word(line: str, span: tuple[int, int], text: str) -> bool:
    """Does `text`, read in place of line[s:e], put a box-drawing character next to an
    ASCII letter? Tables draw their lines between cells and spaces, never inside a
    word: "Dzùùngoo" read as CP950 is "Dz═ngoo" (ùù is F9 F9)."""
    s, e = span
    around = line[s - 1:s] + text + line[e:e + 1]
    shift = 1 if s else 0
    for m in _BOX.finditer(text):
        i = m.start() + shift
        if _ASCII_LETTER.match(around[i - 1:i] if i else "") or _ASCII_LETTER.match(around, i + 1):
            return True
    return False


#: What CP437 and Mac Roman (the DOS and Mac pages ftfy repairs) read bytes 80–FF as,
#: but Latin-1 and Windows-1252 do not; and any letter beyond ASCII that those two
#: do not write (ę, ő, Γ, 中).
_FOREIGN = re.compile("[" + re.escape("".join(sorted(
    set(bytes(range(0x80, 0x100)).decode("cp437") + bytes(range(0x80, 0x100)).decode("mac_roman"))
    - set(SBCS_HIGH)))) + "]|(?![" + re.escape(SBCS_HIGH) + "])[^\\W\\d_\\x00-\\x7f]")


def _no_latin_left(text: str) -> bool:
    """A single-byte decoding must leave no accented Latin letter behind.

    CP1256 keeps à â ç é è at their Latin-1 places: a "decoding" that is half
    Arabic, half French accents ("م†â€™") is the garble read twice, not Arabic.
    """
    return not any("\u00c0" <= c <= "\u024f" for c in text)
