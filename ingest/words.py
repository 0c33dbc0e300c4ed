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
from collections import defaultdict
from functools import cache

from . import lossy

#: Words per language at most: deep enough for inflected forms (Russian's федеральные
#: is the 15,000th word). wordfreq's "small" lists hold 10,000 to 65,000.
LEXICON_WORDS = 50_000
#: -ln of Zipf's normalizing sum: the commonest word of a language costs this much.
ZIPF_BASE = 2.3
#: wordfreq's language tags give ISO 15924 scripts; `lossy.script` gives Unicode's names.
_SCRIPTS = {"Latn": "LATIN", "Cyrl": "CYRILLIC", "Grek": "GREEK", "Arab": "ARABIC",
            "Hebr": "HEBREW", "Deva": "DEVANAGARI", "Beng": "BENGALI", "Taml": "TAMIL"}

_DIGIT = re.compile(r"\d")

#: A unit of a word: fixed text, or the fillings one gap could hold.
Unit = str | tuple[str, ...]


def complete(units: list[Unit], current: list[str]) -> list[str] | None:
    """The fillings of the slots (in order) that make the units the commonest word of
    the lists, or None if no word fits or if the `current` fillings already make one.
    Case is ignored in the lookup; each filling comes back as one of the slot's own,
    in the case of its current filling."""
    slots = [u for u in units if isinstance(u, tuple)]
    if not slots or any(not s for s in slots):
        return None
    now = iter(current)
    word = "".join(next(now) if isinstance(u, tuple) else u for u in units).lower()
    body = "".join(
        "(" + "|".join(re.escape(a) for a in sorted({a.lower() for a in u}, key=len, reverse=True))
        + ")" if isinstance(u, tuple) else re.escape(u.lower())
        for u in units)
    pattern = re.compile("\n" + body + "\t([0-9.]+)(?=\n)")
    fixed = sum(len(u) for u in units if isinstance(u, str))
    lengths = range(fixed + sum(min(map(len, s)) for s in slots),
                    fixed + sum(max(map(len, s)) for s in slots) + 1)
    best: tuple[float, tuple[str, ...]] | None = None
    for script in _scripts(units):
        lexicon = _lexicon(script)
        for length in lengths:
            for first in _first_letters(units):
                group = lexicon.get((length, first))
                if group is None:
                    continue
                for m in pattern.finditer(group):
                    if m.group()[1:m.group().index("\t")] == word:
                        return None
                    cost = float(m.groups()[-1])
                    if best is None or cost < best[0]:
                        best = (cost, m.groups()[:-1])
    if best is None:
        return None
    return [_in_case(slot, low, c) for slot, low, c in zip(slots, best[1], current)]


def _scripts(units: list[Unit]) -> set[str]:
    """The scripts the word can be written in: its fixed letters', or else its
    fillings' (one lexicon each)."""
    fixed = {lossy.script(c) for u in units if isinstance(u, str) for c in u if c.isalpha()}
    if not fixed:
        fixed = {lossy.script(c) for u in units if isinstance(u, tuple)
                 for a in u for c in a if c.isalpha()}
    return {s for s in fixed if s in _SCRIPTS.values()}


def _first_letters(units: list[Unit]) -> set[str]:
    """What the word's first letter can be (lower case)."""
    for i, u in enumerate(units):
        if isinstance(u, str):
            if u:
                return {u[0].lower()}
            continue
        firsts = {a[:1].lower() for a in u}
        if "" not in firsts:
            return firsts
        # A slot that may be empty lets the next unit start the word.
        return (firsts - {""}) | _first_letters(units[i + 1:])
    return set()


def _in_case(slot: tuple[str, ...], low: str, current: str) -> str:
    if current.lower() == low:
        return current
    same = [a for a in slot if a.lower() == low and a.isupper() == current.isupper()]
    return same[0] if same else next(a for a in slot if a.lower() == low)


@cache
def _lexicon(script: str) -> dict[tuple[int, str], str]:
    """The words of every language written in `script`, by (length, first letter),
    each group one string of "\nword\tcost" lines, cost from the word's rank by
    Zipf's law. Read from wordfreq's "small" lists on first use (a hundredth of a
    second per language): only lost-byte repair asks."""
    import wordfreq

    costs = [f"\t{math.log(rank) + ZIPF_BASE:.1f}" for rank in range(1, LEXICON_WORDS + 1)]
    groups: dict[tuple[int, str], list[str]] = defaultdict(list)
    for lang in _languages(script):
        ranked = [w for bucket in wordfreq.get_frequency_list(lang, "small") for w in bucket
                  if not _DIGIT.search(w)]
        for word, cost in zip(ranked, costs):
            if script == "GREEK" and word[-1] == "σ":
                word = word[:-1] + "ς"   # wordfreq case-folds the final sigma away
            groups[(len(word), word[0])].append(word + cost)
    # wordfreq keeps every list it read; the lines above are all that is needed.
    clear = getattr(wordfreq.get_frequency_list, "cache_clear", None)
    if clear is not None:
        clear()
    return {key: "\n" + "\n".join(lines) + "\n" for key, lines in groups.items()}


def _languages(script: str) -> list[str]:
    import langcodes
    import wordfreq

    return sorted(lang for lang in wordfreq.available_languages("best")
                  if _SCRIPTS.get(langcodes.Language.get(lang).maximize().script or "") == script)
