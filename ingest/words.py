"""Known words for lost letters: which word a word with gaps can be.

A Cyrillic word read as Shift-JIS loses a byte in every other letter ("ﾐｳﾐｾﾑ�ﾑσｴﾐｰ"
is го?у?дарственной with three gaps, each one of sixteen letters). Filled one gap at
a time by letter pairs, the word comes out as "горудасственной"; but only one word
of the language fits all its gaps at once: государственной.

A word is given as units: fixed text, or a slot (the fillings a gap could hold, each
already checked against the wrong decoder's bytes). `complete` looks the word up in
wordfreq's lists (the LEXICON_WORDS commonest words of every language written in its
script), with one regular expression over the words of its length that start as it
can, and fills the slots from the commonest word that fits. A word that is already a
word of the lists is left as it is: the letter model and the document's evidence
chose among words, and a word count knows nothing of context.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import pairwise

from . import lossy, plausible
from .cache import load_or_build

#: Words per language at most: deep enough for inflected forms (Russian's федеральные
#: is the 15,000th word). wordfreq's "small" lists hold 10,000 to 65,000.
LEXICON_WORDS = 50_000
#: ...but for the scripts other than Latin, words of wordfreq's "best" lists, this
#: deep: a Cyrillic word read as Big5, EUC or Shift-JIS loses half its letters, and
#: only the list decides it, so names and rarer forms (динар is Russian's
#: 100,000th word) must be there. Latin's 27 languages so deep would take 45 MB.
DEEP_WORDS = 400_000
#: -ln of Zipf's normalizing sum: the commonest word of a language costs this much.
ZIPF_BASE = 2.3
#: wordfreq's language tags give ISO 15924 scripts; `lossy.script` gives Unicode's names.
_SCRIPTS = {"Latn": "LATIN", "Cyrl": "CYRILLIC", "Grek": "GREEK", "Arab": "ARABIC",
            "Hebr": "HEBREW", "Deva": "DEVANAGARI", "Beng": "BENGALI", "Taml": "TAMIL"}

_DIGIT = re.compile(r"\d")

#: Japanese writes loanwords and foreign names in katakana, between kanji and
#: hiragana with no space: a run of katakana is a word of its own (ドイツ, ルピー),
#: looked up among the katakana words of wordfreq's Japanese list. Its "best" list,
#: since the small one holds some 6,000 and lacks the names of many countries and
#: currencies.
KATAKANA = "KATAKANA"
#: Katakana letters (ァ to ヺ) and the prolonged sound mark ー that their words use.
_KATAKANA_LETTERS = "\u30a1-\u30fa\u30fc"
_KATAKANA_WORD = re.compile(f"[{_KATAKANA_LETTERS}]+")
_KATAKANA_LETTER = re.compile(f"[{_KATAKANA_LETTERS}]")


def is_katakana(ch: str) -> bool:
    return _KATAKANA_LETTER.match(ch) is not None


#: A unit of a word: fixed text, or the fillings one gap could hold.
Unit = str | tuple[str, ...]


def fill(units: list[Unit], current: list[str]) -> list[str]:
    """See `_fill`; the same word met again is looked up once (a cache)."""
    return list(_fill(tuple(units), tuple(current)))


@lru_cache(maxsize=4096)
def _fill(units: tuple[Unit, ...], current: tuple[str, ...]) -> tuple[str, ...]:
    """The fillings of the slots (in order) for the word the units most likely are:
    a word of the lists if one fits (`complete`), else the likeliest spelling by
    letter sequences (`likeliest`). The `current` fillings stay if they already make
    a word of the lists, or if no spelling is clearly likelier."""
    if sum(len(u) if isinstance(u, str) else 1 for u in units) > plausible.MAX_WORD:
        return current   # no word is that long: a run of mojibake with no spaces
    if plausible.known_word_cost(joined(units, current)) is not None:
        return current   # one of the commonest words already (no need to read the lists)
    consistent = case_consistent(list(units))
    found = complete(consistent, list(current))
    if found is None:
        found = likeliest(consistent, list(current))
    return current if found is None else tuple(found)


def case_consistent(units: list[Unit]) -> list[Unit]:
    """The units without the fillings that would put a capital inside a word written
    in small letters: after the word's fixed small letters ("weiÐ" for weiß), or
    after a small letter of the filling itself, where a slot holds the whole word
    ("макОва" for макова). The lookups ignore case."""
    small = any(c.islower() for u in units if isinstance(u, str) for c in u)
    out: list[Unit] = []
    for i, u in enumerate(units):
        if isinstance(u, tuple):
            if small and i > 0:
                u = _small_only(u) or u
            u = _no_inner_capital(u) or u
        out.append(u)
    return out


@lru_cache(maxsize=4096)
def _small_only(fillings: tuple[str, ...]) -> tuple[str, ...]:
    """The fillings without a capital letter (a gap's fillings come back with every
    gap of the same bytes: hundreds of them, filtered once)."""
    return tuple(a for a in fillings if not any(c.isupper() for c in a))


@lru_cache(maxsize=4096)
def _no_inner_capital(fillings: tuple[str, ...]) -> tuple[str, ...]:
    """The fillings without a capital right after a small letter of their own."""
    return tuple(a for a in fillings
                 if not any(x.islower() and y.isupper() for x, y in pairwise(a)))


def complete(units: list[Unit], current: list[str]) -> list[str] | None:
    """See `_complete`; the same word met again is looked up once (a cache)."""
    found = _complete(tuple(units), tuple(current))
    return None if found is None else list(found)


@lru_cache(maxsize=4096)
def _complete(units: tuple[Unit, ...], current: tuple[str, ...]) -> tuple[str, ...] | None:
    """The fillings of the slots (in order) that make the units the commonest word of
    the lists (`current` itself if it makes one), or None if no word fits. Case is
    ignored in the lookup; each filling comes back as one of the slot's own, in the
    case of its current filling."""
    slots = [u for u in units if isinstance(u, tuple)]
    if not slots or any(not s for s in slots):
        return None
    word = fold(joined(units, current))
    body = "".join(
        "(" + "|".join(re.escape(a) for a in sorted({fold(a) for a in u}, key=len, reverse=True))
        + ")" if isinstance(u, tuple) else re.escape(fold(u))
        for u in units)
    pattern = re.compile("\n" + body + "\t([0-9.]+)(?=\n)")
    fixed = sum(len(fold(u)) for u in units if isinstance(u, str))
    sizes = [[len(fold(a)) for a in s] for s in slots]
    lengths = range(fixed + sum(map(min, sizes)), fixed + sum(map(max, sizes)) + 1)
    best: tuple[float, tuple[str, ...]] | None = None
    # In a fixed order, and ties broken by the fillings: the answer must not depend
    # on the order of a set, which changes with each process's string hashing.
    for script in sorted(_scripts(units)):
        lexicon = _lexicon(script)
        for length in lengths:
            for first in sorted(_first_letters(units)):
                group = lexicon.get((length, first))
                if group is None:
                    continue
                for m in pattern.finditer(group):
                    if m.group()[1:m.group().index("\t")] == word:
                        return current
                    found = (float(m.groups()[-1]), m.groups()[:-1])
                    if best is None or found < best:
                        best = found
    if best is None:
        return None
    capitals = _capitals(units)
    return tuple(_in_case(slot, low, c, capitals) for slot, low, c in zip(slots, best[1], current))


def likeliest(units: list[Unit], current: list[str]) -> list[str] | None:
    """The fillings that make the likeliest spelling under the letter model of the
    word's script (`_ngrams`), if it beats the current one by LIKELIER nats; else
    None. A beam search, slot by slot: "южноа??иканский" is южноафриканский, which
    no list holds, since "афри" is common in the lists and "асси" is not."""
    slots = [u for u in units if isinstance(u, tuple)]
    scripts = _scripts(units)
    if not slots or any(not s for s in slots) or len(scripts) != 1:
        return None
    model = _ngrams(next(iter(scripts)))
    beam: list[tuple[float, str, tuple[str, ...]]] = [(0.0, "", ())]
    for u in units:
        if isinstance(u, str):
            beam = [(0.0, text + fold(u), picks) for _, text, picks in beam]
        else:
            beam = [(0.0, text + fold(a), picks + (fold(a),))
                    for _, text, picks in beam for a in dict.fromkeys(u)]
        beam = sorted(((_spelling_cost(model, text), text, picks) for _, text, picks in beam),
                      key=lambda b: b[0])[:BEAM]
    scored = [(_spelling_cost(model, text + "$"), picks) for _, text, picks in beam]
    cost, picks = min(scored, key=lambda b: b[0])
    now = _spelling_cost(model, fold(joined(units, current)) + "$")
    if cost + LIKELIER > now:
        return None
    capitals = _capitals(units)
    return [_in_case(slot, low, c, capitals) for slot, low, c in zip(slots, picks, current)]


#: Spellings kept between slots; letters each side of a slot decide it, so a few
#: dozen alternatives never lose the best.
BEAM = 32
#: How much likelier (nats) a spelling must be than the current one to replace it.
LIKELIER = 1.0
#: Letters of context the letter model conditions on.
ORDER = 3
#: Words the letter model of a script counts, shared among its languages (commonest
#: first): Cyrillic's four languages give 20,000 each, Latin's 27 about 3,000. More
#: costs seconds on first use, for little: letter sequences repeat.
NGRAM_WORDS = 80_000
#: Weight of a shorter context when the longer one never saw the letter.
BACKOFF = math.log(0.4)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case as wordfreq writes its lists: ß as "ss"."""
    return text.lower().replace("ß", "ss")


def joined(units: Sequence[Unit], fillings: Sequence[str]) -> str:
    it = iter(fillings)
    return "".join(next(it) if isinstance(u, tuple) else u for u in units)


def _spelling_cost(model: tuple[dict[str, int], int], text: str) -> float:
    """-ln P(text) as the start of a word (whole if it ends in "$"), stupid backoff."""
    counts, total = model
    padded = "^" * ORDER + text
    cost = 0.0
    for i in range(ORDER, len(padded)):
        penalty = 0.0
        for k in range(ORDER, 0, -1):
            context = padded[i - k:i]
            seen = counts.get(context + padded[i])
            if seen:
                cost += penalty - math.log(seen / counts[context])
                break
            penalty -= BACKOFF
        else:
            cost += penalty - math.log((counts.get(padded[i], 0) + 1) / total)
    return cost


def _scripts(units: list[Unit]) -> set[str]:
    """The scripts the word can be written in: its fixed letters', or else its
    fillings' (one lexicon each)."""
    fixed = {_script(c) for u in units if isinstance(u, str) for c in u if c.isalpha()}
    if fixed:
        return {s for s in fixed if s in _SCRIPTS.values() or s == KATAKANA}
    # Katakana only where letters of the word are: a gap alone among kanji, digits
    # or marks may be any of the block's katakana, and one-letter "words" of the
    # Japanese list (ン, ー) would fill it.
    return {s for s in (lossy.script(c) for u in units if isinstance(u, tuple)
                        for a in u for c in a if c.isalpha()) if s in _SCRIPTS.values()}


def _script(ch: str) -> str:
    return KATAKANA if is_katakana(ch) else lossy.script(ch)


def _first_letters(units: list[Unit]) -> set[str]:
    """What the word's first letter can be (lower case)."""
    for i, u in enumerate(units):
        if isinstance(u, str):
            if u:
                return {fold(u)[0]}
            continue
        firsts = {fold(a)[:1] for a in u}
        if "" not in firsts:
            return firsts
        # A slot that may be empty lets the next unit start the word.
        return (firsts - {""}) | _first_letters(units[i + 1:])
    return set()


def _capitals(units: Sequence[Unit]) -> bool:
    """Is the word written in capitals (its fixed letters, two at least)?"""
    fixed = [c for u in units if isinstance(u, str) for c in u if c.isalpha()]
    return len(fixed) >= 2 and all(c.isupper() for c in fixed)


def _in_case(slot: tuple[str, ...], low: str, current: str, capitals: bool) -> str:
    """The filling of `slot` that spells `low`, in the case of `current`'s first
    letter, or all in capitals in a word of `capitals` ("USUN" and "ĀĀ" make
    "USUNĄĆ", not "USUNĄć")."""
    if fold(current) == low:
        return current
    spelled = [a for a in slot if fold(a) == low]
    same = [a for a in spelled if a[:1].isupper() == current[:1].isupper()]
    if capitals:
        same = [a for a in spelled if a.isupper()] or same
    return same[0] if same else spelled[0]


def is_known_katakana(word: str) -> bool:
    """Is `word` (full-width katakana) one of the katakana words of Japanese's list?"""
    group = _lexicon(KATAKANA).get((len(word), word[:1]))
    return group is not None and f"\n{word}\t" in group


def _lexicon(script: str) -> dict[tuple[int, str], str]:
    """The words of every language written in `script`, by (length, first letter),
    each group one string of "\nword\tcost" lines, cost from the word's rank by
    Zipf's law. See `_tables`."""
    return _tables(script)[0]


def _ngrams(script: str) -> tuple[dict[str, int], int]:
    """Counts of every letter sequence of 1 to ORDER + 1 letters in the commonest
    NGRAM_WORDS words of the script's languages ("^" before a word, "$" after), and
    the letter total. See `_tables`."""
    return _tables(script)[1]


@cache
def _tables(script: str) -> tuple[dict[tuple[int, str], str], tuple[dict[str, int], int]]:
    """`_lexicon` and `_ngrams` of a script, on first use (only lost-byte repair
    asks): built from wordfreq's lists (`_build_tables`: Latin's 27 languages take
    about 1.5 s, Cyrillic 0.6 s) and kept in the user's cache folder, from which the
    next process reads them in 0.05 s (see `ingest.cache`). The key holds all they are
    built from: wordfreq's version, the languages, the sizes, the building code."""
    from importlib.metadata import version

    key = (script, version("wordfreq"), _languages(script), LEXICON_WORDS, DEEP_WORDS,
           NGRAM_WORDS, ORDER, ZIPF_BASE, _KATAKANA_WORD.pattern, _source_of_builders())
    return load_or_build(f"words-{script.lower()}", key, lambda: _build_tables(script))


def _build_tables(script: str) -> tuple[dict[tuple[int, str], str], tuple[dict[str, int], int]]:
    """`_tables` from one reading of wordfreq's lists.

    Of the letter sequences only those of ORDER + 1 are counted, one per letter (a
    word padded with ORDER + 1 "^" has one ending at each of its letters and at the
    "^" before them); each shorter one is the sum of those it ends."""
    costs = [f"\t{math.log(rank) + ZIPF_BASE:.1f}" for rank in range(1, DEEP_WORDS + 1)]
    groups: dict[tuple[int, str], list[str]] = defaultdict(list)
    longest: Counter[str] = Counter()
    n = ORDER + 1
    pad = "^" * n
    languages = _languages(script)
    for lang in languages:
        ranked = _ranked(lang, script)
        # Joined per language: one language's lines at a time in memory, not all.
        lines: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word, cost in zip(ranked, costs):
            if script != "LATIN" and word[0].isascii():
                continue   # Latin words in a Cyrillic list (names, loans)
            lines[(len(word), word[0])].append(word + cost)
        for key, group in lines.items():
            groups[key].append("\n".join(group))
        for word in ranked[:NGRAM_WORDS // len(languages)]:
            if script != "LATIN" and word[0].isascii():
                continue
            padded = pad + word + "$"
            longest.update(padded[i - n:i] for i in range(n, len(padded) + 1))
    counts: Counter[str] = Counter()
    for gram, k in longest.items():
        for start in range(n):
            counts[gram[start:]] += k
    total = sum(v for key, v in counts.items() if len(key) == 1 and key != "^")
    lexicon = {key: "\n" + "\n".join(chunks) + "\n" for key, chunks in groups.items()}
    return lexicon, (dict(counts), total)


def _ranked(lang: str, script: str) -> list[str]:
    """The words of wordfreq's list for `lang`, commonest first, without digits:
    for LATIN its "small" list, at most LEXICON_WORDS; for other scripts its "best"
    list, at most DEEP_WORDS; for KATAKANA, the katakana words of its "best" list,
    at most LEXICON_WORDS. (wordfreq keeps every list it read; this copy is all
    that is needed, so its cache is emptied.)"""
    import wordfreq

    if script == KATAKANA:
        words = [w for bucket in wordfreq.get_frequency_list(lang, "best") for w in bucket
                 if _KATAKANA_WORD.fullmatch(w)][:LEXICON_WORDS]
    else:
        deep = script != "LATIN"
        words = [w for bucket in wordfreq.get_frequency_list(lang, "best" if deep else "small")
                 for w in bucket if not _DIGIT.search(w)][:DEEP_WORDS if deep else LEXICON_WORDS]
    # wordfreq case-folds Greek's final ς to σ.
    words = [w[:-1] + "ς" if w[-1] == "σ" else w for w in words]
    clear = getattr(wordfreq.get_frequency_list, "cache_clear", None)
    if clear is not None:
        clear()
    return words


@cache
def _languages(script: str) -> tuple[str, ...]:
    import langcodes
    import wordfreq

    if script == KATAKANA:
        return ("ja",)
    return tuple(sorted(
        lang for lang in wordfreq.available_languages("best")
        if _SCRIPTS.get(langcodes.Language.get(lang).maximize().script or "") == script))


def _source_of_builders() -> str:
    """The code that builds the tables, as part of their key (read when a table is
    first needed, not at import: `inspect` and the file read cost every process)."""
    import inspect
    try:
        return "".join(inspect.getsource(f) for f in (_build_tables, _ranked))
    except (OSError, TypeError):
        return ""   # no source shipped: the version and sizes still key the tables
