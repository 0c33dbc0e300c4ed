"""How likely a string is as real text: a cost in nats, lower is more plausible.

The repair engine never trusts a decoding because it is *possible*; it replaces a
span only when the candidate costs clearly less than what is there. Costs come from
the generated table `tables/chars.json` (see `scripts/build_tables.py`):

- Letters are scored a word at a time, under every language of the table, keeping
  the cheapest. "Привет" is cheap in Russian; its CP1251-as-Latin-1 mojibake
  "Ïðèâåò" uses letters that are each common *somewhere* but never together, so it
  is dear in every language. Chinese "你好" is cheap; its UTF-8-as-GBK mojibake
  "浣犲ソ" holds characters that Chinese almost never uses.
- Punctuation and symbols, which word lists do not carry, are scored by how many
  widely used legacy code pages encode them: ’ – … € were in every Windows code
  page because writers needed them; ‒ (U+2012) was in none.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import lru_cache
from importlib import resources

#: Cost of a letter that a language's table lacks: rarer than anything it lists
#: (the table keeps letters down to a frequency of 1e-6, i.e. 13.8 nats).
UNSEEN_LETTER = 16.0
#: Extra cost of a capital letter over its lowercase form (word lists are folded).
CAPITAL = 1.0
#: Cost of switching between wide (CJK) and narrow letters inside a word, as in
#: "iPhone手机": common enough in real text to allow, rare enough to count.
WIDTH_SWITCH = 3.0
#: Cost of a short run of wide letters among narrow ones or the reverse (see
#: `_islands`), and how short is short.
ISLAND = 6.0
ISLAND_LENGTH = 2
#: Longest run of letters scored as one word (see `word_cost`).
MAX_WORD = 32
#: Characters that no real text should hold: controls, unassigned and private-use
#: code points, surrogates.
IMPOSSIBLE = 20.0
REPLACEMENT_CHAR = 12.0
#: A symbol of no legacy code page in the Basic Multilingual Plane (U+2012 FIGURE
#: DASH): what `is_seen` takes for a character no text uses.
UNUSED_SYMBOL = 13.0

#: Spaces. The no-break space is a space too, where typography asks for one:
#: Czech after a one-letter word ("a\u00a0Německo"), French before ; : ! ?, between
#: a number and its unit; costed as a symbol, it lost to any letter a wrong decoder
#: could read in its place (GBK's 聽 is C2 A0; Big5 read the same bytes as ť).
_SPACE_COST = {" ": 1.5, "\n": 2.5, "\t": 2.5, "\r": 2.5, "\u00a0": 3.0, "\u202f": 3.5}


Table = dict[str, float]


def _load() -> tuple[dict[str, Table], dict[str, Table], dict[str, int]]:
    raw = json.loads(resources.files("ingest").joinpath("tables/chars.json").read_text("utf-8"))

    def nats(table: dict[str, int]) -> Table:
        return {key: tenths / 10.0 for key, tenths in table.items()}

    languages = {lang: nats(table) for lang, table in raw["languages"].items()}
    pairs = {lang: nats(table) for lang, table in raw["pairs"].items()}
    return languages, pairs, raw["legacy"]


LANGUAGES, PAIRS, LEGACY = _load()
#: Chinese, Japanese and Korean have pair tables of in-word pairs only (语言): a
#: pair they lack may just straddle two words, so it costs little extra.
WIDE_BACKOFF = 1.0


@lru_cache(maxsize=1)
def wide_pairs() -> dict[str, Table]:
    """In-word character pairs of Chinese, Japanese and Korean (loaded on first use)."""
    raw = json.loads(resources.files("ingest").joinpath("tables/wide_pairs.json")
                     .read_text("utf-8"))
    return {lang: {k: v / 10.0 for k, v in table.items()} for lang, table in raw.items()}


@lru_cache(maxsize=1)
def one_letter_words() -> frozenset[str]:
    """Letters beyond ASCII that are a common word alone in some language (à, å, в,
    ו), in small letters (`tables/one_letter_words.json`, loaded on first use)."""
    raw = json.loads(resources.files("ingest").joinpath("tables/one_letter_words.json")
                     .read_text("utf-8"))
    return frozenset(raw["letters"])


@lru_cache(maxsize=1)
def _any_wide_pair() -> frozenset[str]:
    return frozenset(pair for table in wide_pairs().values() for pair in table)


def has_wide_pair(text: str) -> bool:
    """Does `text` hold two wide letters in a row that a pair table knows (语言)?"""
    pairs = _any_wide_pair()
    return any(text[i:i + 2] in pairs for i in range(len(text) - 1)
               if is_wide(text[i]))


#: Extra cost of a letter pair that a language's pair table lacks, on top of the
#: second letter's own cost: the table keeps pairs down to P = 1e-4 (9.2 nats).
PAIR_BACKOFF = 2.0
#: For each letter, the languages whose table lists it: a word is scored only under
#: the languages that know its first letter.
_LANGS_BY_CHAR: dict[str, tuple[str, ...]] = {}
for _lang, _table in LANGUAGES.items():
    for _ch in _table:
        _LANGS_BY_CHAR[_ch] = _LANGS_BY_CHAR.get(_ch, ()) + (_lang,)
_ALL_LANGS = tuple(LANGUAGES)


@lru_cache(maxsize=65536)
def is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


@lru_cache(maxsize=65536)
def symbol_cost(ch: str) -> float:
    """Cost of one character that is not part of a word (not a letter or mark).

    ASCII punctuation and digits are everyday text. Other punctuation and symbols
    cost less the more legacy code pages carried them, with a discount for being in
    a European page and for being in a CJK page (so ’ and ， are both ordinary).
    """
    if ch in _SPACE_COST:
        return _SPACE_COST[ch]
    if ch == "\ufffd":
        return REPLACEMENT_CHAR
    cp = ord(ch)
    if cp < 0x80:
        return 4.0 if ch.isprintable() else IMPOSSIBLE
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Co", "Cn", "Cs"):
        return IMPOSSIBLE
    n = LEGACY.get(ch, 0)
    if n == 0:
        # Outside every legacy page: emoji and the symbols of the supplementary
        # planes are real text; BMP leftovers (U+2012 FIGURE DASH) are rare.
        return 9.0 if cp >= 0x10000 and cat == "So" else UNUSED_SYMBOL
    return max(4.0, 11.0 - 0.4 * n)


def _letter_cost(table: dict[str, float], ch: str) -> float:
    cost = table.get(ch)
    if cost is not None:
        return cost
    low = ch.lower()[:1]  # "İ".lower() is "i̇": the base letter is what lists hold
    if low != ch:
        cost = table.get(low)
        if cost is not None:
            return cost + CAPITAL
    # Word lists are NFKC-normalized: half-width ｶ is listed as カ.
    wide = _compatible(ch)
    if wide != ch:
        cost = table.get(wide)
        if cost is not None:
            return cost + CAPITAL
    return UNSEEN_LETTER


#: A letter dearer than this (nats) in every language is rare: fewer than about one
#: letter in 160,000 of text in any of them.
RARE_LETTER = 12.0
#: Letters a text must hold before `mostly_rare` judges it.
RARE_LEAST = 4


@lru_cache(maxsize=65536)
def best_letter_cost(ch: str) -> float:
    """The cost of one letter in the language that uses it most."""
    langs = {lang for c in (ch, ch.lower()[:1], _compatible(ch))
             for lang in _LANGS_BY_CHAR.get(c, ())}
    return min((_letter_cost(LANGUAGES[lang], ch) for lang in langs), default=UNSEEN_LETTER)


def mostly_rare(text: str, rare: float = RARE_LETTER) -> bool:
    """Are most of the letters of `text` (RARE_LEAST or more) rare in every language
    (each `rare` nats or dearer)?

    Text in any language is mostly its common letters, whatever its topic; a wrong
    reading of bytes is mostly whatever the code page holds ("罎竄ｬ邃｢繝謦繧" is
    UTF-8 read as Windows-1252, twice, then read back as Shift-JIS)."""
    letters = [c for c in text if is_word_char(c)]
    if len(letters) < RARE_LEAST:
        return False
    return 2 * sum(1 for c in letters if best_letter_cost(c) >= rare) > len(letters)


@lru_cache(maxsize=65536)
def is_seen(ch: str) -> bool:
    """Does real text use `ch`? A letter some language's table lists (folded as
    `_letter_cost` folds it), or a space, ASCII, a symbol of a legacy code page, an
    emoji: what costs less than a character no text uses."""
    if ch == MODIFIER_APOSTROPHE:
        return True
    if is_word_char(ch):
        return any(c in _LANGS_BY_CHAR for c in (ch, ch.lower()[:1], _compatible(ch)))
    return symbol_cost(ch) < UNUSED_SYMBOL


@lru_cache(maxsize=4096)
def _compatible(ch: str) -> str:
    """The one character that word lists write for `ch` (NFKC), or `ch`. Modifier
    letters are not folded: ʸ is not y, and a decoding that writes it ("ç¾ʸ" for
    巽他文 read as EUC-JP) holds a letter no language uses; nor are the old or
    mathematical forms of ASCII letters (ſ, ℓ): "┼┐┼┐" in line art, read as CP437,
    is "ſſ", no "ss". Half-width and full-width forms (ｶ, ｰ, Ａ) are folded."""
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        return ch
    tag = unicodedata.decomposition(ch).split(" ", 1)[0]
    if tag in ("<narrow>", "<wide>"):
        return folded
    if unicodedata.category(ch) == "Lm" or (folded.isascii() and tag in ("<compat>", "<font>")):
        return ch
    return folded


def word_edge(text: str, at_end: bool) -> str:
    """The letters at the end (or start) of `text`, up to a non-letter."""
    if at_end:
        i = len(text)
        while i and is_word_char(text[i - 1]):
            i -= 1
        return text[i:]
    j = 0
    while j < len(text) and is_word_char(text[j]):
        j += 1
    return text[:j]


def word_cost(word: str, lang: str = "") -> float:
    """Cost of a run of letters under the language that explains it best (or under
    `lang` alone, a key of LANGUAGES).

    Runs longer than MAX_WORD (Chinese and Japanese write no spaces, mojibake can
    be one endless "word") are scored in pieces, so cost stays linear. An ß is
    costed as the "ss" that wordfreq's case-folded lists write for it.
    """
    if "ß" in word:
        word = word.replace("ß", "ss")
    langs = (lang,) if lang else ()
    if len(word) <= MAX_WORD:
        return _word_cost(word, langs)
    return sum(_word_cost(word[i:i + MAX_WORD], langs) for i in range(0, len(word), MAX_WORD))


def in_alphabet(text: str, lang: str) -> bool:
    """Does the letter table of `lang` hold every character of `text` (in small
    letters)?"""
    table = LANGUAGES[lang]
    return all(c.lower() in table for c in text)


def language_costs(text: str) -> list[tuple[str, float]]:
    """The languages whose letter tables hold the words of `text` (runs of two
    letters or more), each with what those words cost in it: which language a line
    is written in, as far as its letters tell."""
    found = [w for w in _LETTER_RUN.findall(text) if len(w) > 1]
    return [(lang, sum(word_cost(w, lang) for w in found)) for lang in LANGUAGES
            if all(in_alphabet(w, lang) for w in found)]


_LETTER_RUN = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=200_000)
def _word_cost(word: str, langs: tuple[str, ...] = ()) -> float:
    """The cost of `word` under the best of `langs` (by default, the languages
    whose tables hold its first letter)."""
    langs = langs or (_LANGS_BY_CHAR.get(word[0]) or _LANGS_BY_CHAR.get(word[0].lower())
                      or _LANGS_BY_CHAR.get(_compatible(word[0])) or _ALL_LANGS)
    best = UNSEEN_LETTER * len(word)
    steps: list[tuple[float, str, str]] | None = None
    end = ""
    folded: str | None = None
    for lang in langs:
        table = LANGUAGES[lang]
        letters = _LETTERS.get(lang) or _LETTERS.setdefault(lang, dict(table))
        pairs = PAIRS.get(lang)
        total = 0.0
        if pairs is None:
            wide = wide_pairs().get(lang, {})
            if folded is None:   # half-width katakana: its pairs are listed full-width
                folded = "".join(map(_compatible, word)) if _HALF_WIDTH.search(word) else word
            prev = ""
            for ch, key in zip(word, folded):
                pair = wide.get(prev + key) if prev else None
                if pair is None:
                    pair = letters.get(ch)
                    if pair is None:
                        pair = _letter_cost_kept(letters, table, ch)
                    pair += WIDE_BACKOFF if prev else 0.0
                total += pair
                prev = key
                if total >= best:
                    break
        else:
            if steps is None:   # the same for every language: worked out once
                steps, end = _pair_steps(word)
            for capital, key, low in steps:
                total += capital
                pair = pairs.get(key)
                if pair is None:
                    pair = letters.get(low)
                    if pair is None:
                        pair = _letter_cost_kept(letters, table, low)
                    pair += PAIR_BACKOFF
                total += pair
                if total >= best:
                    break   # (costs are never negative: this language cannot win)
            else:
                total += pairs.get(end, PAIR_BACKOFF)
        if total < best:
            best = total
    return best


_HALF_WIDTH = re.compile("[\uff61-\uff9f]")

#: Per language, `_letter_cost` of the letters met: the table's letters, and those
#: it lacks as `_letter_cost` folds them (a capital, a compatibility form) or prices
#: them (unseen). Each kept to the table plus MAX_KINDS letters.
_LETTERS: dict[str, dict[str, float]] = {}


def _letter_cost_kept(letters: dict[str, float], table: dict[str, float], ch: str) -> float:
    if len(letters) >= len(table) + MAX_KINDS:
        letters.clear()
        letters.update(table)
    cost = letters[ch] = _letter_cost(table, ch)
    return cost


def _pair_steps(word: str) -> tuple[list[tuple[float, str, str]], str]:
    """For each letter of `word`: is it a capital, the pair it ends (previous small
    letter, or "^", and its own), and its small letter; and the pair that ends the
    word (last small letter and "$")."""
    steps = []
    prev = "^"
    small = False   # is the previous letter a small one
    for ch in word:
        low = ch.lower()[:1]
        capital = low != ch
        steps.append((CAPITAL + INNER_CAPITAL * small if capital else 0.0, prev + low, low))
        small = not capital and ch != ch.upper()
        prev = low
    return steps, prev + "$"


#: Extra cost of a capital right after a small letter inside a word ("аЛецький", a
#: lost letter filled with the capital whose bytes fit): word lists are folded, so
#: the pairs cannot see it. Names and brands do it (McDonald, iPhone), seldom.
INNER_CAPITAL = 4.0


@lru_cache(maxsize=1)
def _known_words() -> dict[str, float]:
    """The commonest words of the alphabetic languages (`tables/words.json.gz`),
    each with the cost its rank gives under Zipf's law, the cheapest over the
    languages that list it. Loaded on first use (only lost-byte repair asks), and
    kept built in the user's cache folder (see `ingest.cache`)."""
    import hashlib

    from .cache import load_or_build
    packed = resources.files("ingest").joinpath("tables/words.json.gz").read_bytes()
    key = (hashlib.sha256(packed).hexdigest(), ZIPF_BASE)
    return load_or_build("known-words", key, lambda: _build_known_words(packed))


def _build_known_words(packed: bytes) -> dict[str, float]:
    import gzip
    raw = json.loads(gzip.decompress(packed))
    known: dict[str, float] = {}
    for words in raw.values():
        for rank, word in enumerate(words.split(" "), 1):
            cost = round(math.log(rank) + ZIPF_BASE, 1)
            if cost < known.get(word, math.inf):
                known[word] = cost
    return known


#: -ln of Zipf's normalizing sum for lists of 10,000 words: the commonest word of a
#: language costs this much.
ZIPF_BASE = 2.3


def known_word_cost(word: str) -> float | None:
    """The cost of `word` as one of the commonest words of some language (a capital
    first letter costs CAPITAL more), or None if no list holds it, or if it is
    written in capitals or mixed case."""
    low = word.lower()
    if word != low and word != low[:1].upper() + low[1:]:
        return None   # all capitals or mixed case: not how the lists write a word
    cost = _known_words().get(low)
    if cost is None:
        return None
    return cost + (CAPITAL if low != word else 0.0)


@lru_cache(maxsize=65536)
def is_wide(ch: str) -> bool:
    """A wide (CJK) character, as East Asian Width says."""
    return unicodedata.east_asian_width(ch) in "WF"


def has_wide(text: str) -> bool:
    return any(is_wide(c) for c in text)


#: Letters of Chinese, Japanese and Korean (CJK ideographs, kana, Hangul syllables).
WIDE_LETTER_CLASS = "[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
WIDE_LETTERS = re.compile(WIDE_LETTER_CLASS)


def count_wide_letters(text: str, start: int = 0, end: int | None = None) -> int:
    """The wide letters (WIDE_LETTERS) in text[start:end]."""
    return len(WIDE_LETTERS.findall(text, start, len(text) if end is None else end))


def cost(text: str, focus: tuple[int, int] | None = None) -> float:
    """Total cost of `text`: letters by word and language, everything else by symbol.

    With `focus` (start, end), islands count only where they touch that span: a
    span is judged on its own oddity, not on that of mojibake beside it.
    """
    if MODIFIER_APOSTROPHE in text:
        text = text.replace(MODIFIER_APOSTROPHE, "\u2019")
    if len(text) > MAX_EXACT:
        return _sampled_cost(text)
    if len(text) <= CACHED_TEXT:
        return _cached_cost(text, focus)
    return _cost(text, focus)


#: U+02BC, the apostrophe Unicode gives to words (Gwichʼin, Kwakʼwala, Ukrainian
#: Пʼєр), is costed as the ’ it stands for: word lists drop both, so as a letter it
#: would be unseen everywhere, dearer than the CJK character GBK reads in its place.
MODIFIER_APOSTROPHE = "\u02bc"


#: Short texts (a span and its context, as the repair layers judge them) keep their
#: cost: the same span in the same context comes back with every repeated line.
CACHED_TEXT = 64


def _cost(text: str, focus: tuple[int, int] | None) -> float:
    total = 0.0
    words: list[tuple[bool, int, int]] = []   # (wide, start, end) of each run of letters
    word_start = -1
    wide = False
    kinds = _KINDS
    for i, ch in enumerate(text):
        kind = kinds.get(ch)
        if kind is None:
            kind = _kind(ch)
        if kind < 0.0:
            ch_wide = kind == WIDE_LETTER
            if word_start < 0:
                word_start, wide = i, ch_wide
            elif ch_wide != wide:
                total += word_cost(text[word_start:i]) + WIDTH_SWITCH
                words.append((wide, word_start, i))
                word_start, wide = i, ch_wide
            continue
        if word_start >= 0:
            total += word_cost(text[word_start:i])
            words.append((wide, word_start, i))
            word_start = -1
        total += kind
    if word_start >= 0:
        total += word_cost(text[word_start:])
        words.append((wide, word_start, len(text)))
    return total + ISLAND * _islands(words, focus)


_cached_cost = lru_cache(maxsize=65536)(_cost)

#: What `_cost` needs of a character, in one lookup: NARROW_LETTER or WIDE_LETTER
#: for a word character, else its `symbol_cost` (never negative). Kept for the
#: characters met, up to MAX_KINDS of them (then started afresh).
NARROW_LETTER, WIDE_LETTER = -1.0, -2.0
_KINDS: dict[str, float] = {}
MAX_KINDS = 200_000


def _kind(ch: str) -> float:
    if len(_KINDS) >= MAX_KINDS:
        _KINDS.clear()
    if is_word_char(ch):
        # Half-width katakana are narrow on screen but Japanese letters: a word of
        # Latin letters that turns into them ("myﾃｨnﾃｨ", French read as Shift-JIS)
        # switches script as "myティnティ" would.
        kind = WIDE_LETTER if is_wide(ch) or _HALF_WIDTH.match(ch) else NARROW_LETTER
    else:
        kind = symbol_cost(ch)
    _KINDS[ch] = kind
    return kind

#: Texts longer than this are costed on samples (see `_sampled_cost`).
MAX_EXACT = 4096
_SAMPLE = 512


def _sampled_cost(text: str) -> float:
    """Cost of a long text from evenly spaced samples, scaled to its length.

    Costs are sums over words, so a few samples estimate the mean cost per
    character well; a 10 MB line of mojibake costs a few samples, not a scan.
    """
    step = len(text) // 4
    samples = [text[i:i + _SAMPLE] for i in range(0, 4 * step, step)]
    per_char = sum(cost(s) for s in samples) / sum(len(s) for s in samples)
    return per_char * len(text)


def _islands(words: list[tuple[bool, int, int]], focus: tuple[int, int] | None) -> int:
    """Short runs of one width whose neighbouring words are all of the other width.

    A lone hanzi among English words ("save 拢5bn a year") or a lone Cyrillic
    letter among hanzi is what a wrong decoder leaves behind, rarely what people
    write.
    """
    count = 0
    for i, (wide, start, end) in enumerate(words):
        if end - start > ISLAND_LENGTH:
            continue
        if focus is not None and (end < focus[0] or start > focus[1]):
            continue
        neighbours = words[max(0, i - 1):i] + words[i + 1:i + 2]
        if neighbours and all(w != wide for w, _, _ in neighbours):
            count += 1
            # Wide letters glued to a narrow word among narrow words ("Chlo禱",
            # "D髒ibuti"): "iPhone手机" is how people write, among Chinese words; in
            # a Latin sentence it is a wrong decoder's doing. Once more per side.
            if wide:
                count += sum(1 for _, s, e in neighbours if e == start or s == end)
    return count
