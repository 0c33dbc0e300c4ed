"""Generate ingest/tables/chars.json from wordfreq's word lists.

Run `python scripts/build_tables.py` (needs `pip install wordfreq pythainlp`). Never edit the
output by hand: change this script and regenerate.

What it computes:

- `languages`: for every language wordfreq covers, the frequency of each letter in
  running text, estimated as the frequency-weighted character counts of the
  language's word list (`sum(freq(w) * count(c, w)) / sum(freq(w) * len(w))`),
  stored as costs, -ln(p), in tenths of a nat. `ingest.plausible` scores a word
  under each language and keeps the best, so "Привет" is cheap in Russian while
  "Ïðèâåò" (each letter common somewhere, never together) is dear everywhere.
- `pairs`: for alphabetic languages, -ln P(next letter | letter) inside words, so
  that "Molière" reads as French and "Ãfrica" as nothing at all.
- `words.json.gz`: for alphabetic languages, the KNOWN_WORDS commonest words
  (letters only), commonest first, as one space-separated string: `ingest.lossy`
  prefers a filling that makes a known word, the more so the commoner it is.
- `legacy`: for punctuation and symbols, which wordfreq's tokenizer drops, the
  number of widely used legacy code pages that can encode the character. A
  character that every Windows code page carries (’ – … €) was needed by many
  writers; one that none carries (‒ U+2012) is rare in real text.
- `one_letter_words.json`: the letters beyond ASCII that are a word of their own in
  some language, as often as ONE_LETTER_ZIPF or more (à, é, å, в, и, ו, ή): a lone
  CJK character that a repair would turn into any other letter standing alone makes
  no word (`ingest.forward`).
- `forward_leads`, and `forward_family_leads` per family of CJK decoders: the
  characters whose encoding starts with a UTF-8 lead byte, with which every run of
  UTF-8-as-CJK mojibake starts (`ingest.detect`, `ingest.forward` screen by them).
"""

from __future__ import annotations

import gzip
import json
import math
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import wordfreq

OUT = Path(__file__).resolve().parent.parent / "ingest" / "tables" / "chars.json"
WIDE_OUT = OUT.with_name("wide_pairs.json")
WORDS_OUT = OUT.with_name("words.json.gz")
ONE_LETTER_OUT = OUT.with_name("one_letter_words.json")
#: Zipf frequency (log10 of occurrences per billion words) a letter must reach as a
#: word of one language: 5.5 is one word in 300,000. The lists also count stray
#: letters (initials, list markers), at 3.5 to 5 in most alphabetic languages.
ONE_LETTER_ZIPF = 5.5

#: Words per alphabetic language in `words.json`, for filling lost letters: the
#: commonest words, whose spelling the letter-pair model alone cannot pin down when
#: a quarter of their letters are gone (Cyrillic read as Big5).
KNOWN_WORDS = 10_000

#: Words per language read from the list; the tail adds rare characters with
#: unreliable estimates and makes the table larger for nothing.
WORDS_PER_LANGUAGE = 60_000

#: Characters rarer than this in every language are left out; `plausible` treats a
#: missing letter as rare (see its UNSEEN cost), which is what it is.
MIN_FREQUENCY = 1e-6


#: Chinese in Traditional characters, derived from wordfreq's Chinese list, which
#: holds Simplified forms only: wordfreq simplifies Traditional text before looking
#: it up. Without it, 們 說 讓 are unseen letters and Traditional text (Taiwan, Hong
#: Kong, every Big5 file) looks as unlikely as mojibake.
TRADITIONAL = "zh-Hant"
#: Traditional spellings kept per word, should several of its characters each have
#: several Traditional forms.
MAX_VARIANTS = 8
#: Languages wordfreq lacks: Thai (legacy TIS-620 text is one of the reverse chains)
#: from the word counts of the Thai National Corpus that PyThaiNLP ships (`pip
#: install pythainlp`, read as data; no Thai code is run), and TRADITIONAL.
EXTRA_LANGUAGES = ("th", TRADITIONAL)


def thai_counts() -> dict[str, float]:
    from importlib import resources
    text = resources.files("pythainlp").joinpath("corpus/tnc_freq.txt").read_text("utf-8")
    counts: dict[str, float] = {}
    for line in text.splitlines():
        word, _, count = line.partition("\t")
        # Thai words only: the corpus also counts Latin words, uncased, and digits.
        if word and count.strip().isdigit() and all("\u0e01" <= c <= "\u0e5b" for c in word):
            counts[word] = counts.get(word, 0.0) + float(count)
    total = sum(counts.values())
    return {w: n / total for w, n in counts.items()}


def traditional_forms() -> dict[str, list[str]]:
    """Simplified character -> its Traditional forms, from the Traditional-to-
    Simplified table wordfreq looks words up with (read as data; its module needs
    jieba). A Simplified character that Big5, the Traditional character set, also
    encodes is a form of its own as well: 面 is both 麵's simplification and 面."""
    import msgpack
    from wordfreq.util import data_path
    with gzip.open(data_path("_chinese_mapping.msgpack.gz")) as f:
        to_simplified = msgpack.load(f, raw=False, strict_map_key=False)
    forms: dict[str, list[str]] = defaultdict(list)
    for traditional, simplified in sorted(to_simplified.items()):
        if len(simplified) == 1 and chr(traditional) != simplified:
            forms[simplified].append(chr(traditional))
    for simplified, traditional in forms.items():
        try:
            simplified.encode("big5")
        except UnicodeEncodeError:
            continue
        traditional.append(simplified)
    return dict(forms)


def traditional_words() -> dict[str, float]:
    """wordfreq's Chinese list in Traditional characters: each word's frequency is
    shared evenly among its spellings (发 is 發 or 髮; the list cannot say which)."""
    forms = traditional_forms()
    words: dict[str, float] = defaultdict(float)
    for word, freq in wordfreq.get_frequency_dict("zh", wordlist="best").items():
        spellings = [""]
        for ch in word:
            spellings = [s + t for s in spellings for t in forms.get(ch, (ch,))][:MAX_VARIANTS]
        for spelling in spellings:
            words[spelling] += freq / len(spellings)
    return dict(words)


def top_words(lang: str) -> list[tuple[str, float]]:
    # get_frequency_dict reads the list as stored: no tokenizer (and so no MeCab for
    # Japanese and Korean) is needed.
    if lang == "th":
        words = thai_counts()
    elif lang == TRADITIONAL:
        words = traditional_words()
    else:
        words = wordfreq.get_frequency_dict(lang, wordlist="best")
    if lang == "el":
        words = final_sigma(words)
    return sorted(words.items(), key=lambda item: -item[1])[:WORDS_PER_LANGUAGE]


def one_letter_words(languages: list[str]) -> list[str]:
    """Letters beyond ASCII that some language's list holds alone as a word at
    ONE_LETTER_ZIPF or more, in small letters, sorted."""
    least = 10 ** (ONE_LETTER_ZIPF - 9)
    found = set()
    for lang in languages:
        if lang == "th" or lang == TRADITIONAL:
            continue
        for word, freq in wordfreq.get_frequency_dict(lang, wordlist="best").items():
            if len(word) == 1 and not word.isascii() and word.isalpha() and freq >= least:
                found.add(word.lower())
    return sorted(found)


def final_sigma(words: dict[str, float]) -> dict[str, float]:
    """wordfreq stores words case-folded, and case folding writes Greek's final ς as
    σ ("τησ" for της): a list that never shows ς would make every Greek word ending
    in it look rare. Greek spelling puts ς at the end of a word and σ nowhere else,
    so the ending is restored exactly."""
    out: dict[str, float] = defaultdict(float)
    for word, freq in words.items():
        out[word[:-1] + "ς" if word.endswith("σ") else word] += freq
    return dict(out)


def language_char_frequencies(lang: str) -> dict[str, float]:
    counts: dict[str, float] = defaultdict(float)
    total = 0.0
    for word, freq in top_words(lang):
        for ch in word:
            counts[ch] += freq
        total += freq * len(word)
    return {ch: n / total for ch, n in counts.items()}


#: Alphabets get letter-pair tables; a language whose list uses more letters than
#: this (Chinese, Japanese, Korean) is scored by single characters only.
MAX_ALPHABET = 400
#: Pairs rarer than this (conditional probability) are left out; `plausible` backs
#: off to the single-letter cost plus a penalty for them.
MIN_PAIR_PROBABILITY = 1e-4


#: For Chinese, Japanese and Korean, pairs inside words (语言, 言語) only, and only
#: the likelier ones: the table is loaded when CJK text is scored.
WIDE_MIN_PAIR = 1e-3


def language_pair_costs(lang: str, edges: bool = True,
                        floor: float = MIN_PAIR_PROBABILITY) -> dict[str, int]:
    """-ln P(b | a) for letter pairs "ab" in words, "^" and "$" marking word edges."""
    pairs: dict[str, float] = defaultdict(float)
    firsts: dict[str, float] = defaultdict(float)
    for word, freq in top_words(lang):
        padded = "^" + word + "$" if edges else word
        for a, b in zip(padded, padded[1:]):
            pairs[a + b] += freq
            firsts[a] += freq
    return {
        ab: round(-math.log(n / firsts[ab[0]]) * 10)
        for ab, n in sorted(pairs.items())
        if n / firsts[ab[0]] >= floor
    }


#: The code pages counted for `legacy`: the Windows and DOS/Mac code pages of the
#: European scripts and the main CJK double-byte sets.
LEGACY_CODECS = (
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "mac_roman", "cp437", "cp850", "koi8_r", "cp874",
    "gbk", "big5", "cp932", "cp949",
)


def legacy_coverage() -> dict[str, int]:
    """How many LEGACY_CODECS encode each non-letter character of the BMP."""
    counts: dict[str, int] = {}
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        if ch.isalpha() or not ch.isprintable() or 0xD800 <= cp < 0xE000:
            continue
        n = 0
        for codec in LEGACY_CODECS:
            try:
                ch.encode(codec)
            except UnicodeEncodeError:
                continue
            n += 1
        if n:
            counts[ch] = n
    return counts


#: The double-byte decoders whose UTF-8 mojibake `ingest.forward` undoes, by family
#: (mirrors ingest.chains.FORWARD_FAMILIES; the build must not import the package).
FORWARD_FAMILIES = {"gbk": ("gbk", "gb18030"), "big5": ("big5", "cp950"),
                    "shift_jis": ("shift_jis", "cp932"), "euc_jp": ("euc_jp",),
                    "euc_kr": ("cp949", "euc_kr")}


def forward_leads() -> tuple[list[list[int]], dict[str, list[list[int]]]]:
    """Code point ranges of the characters that can start UTF-8-as-CJK mojibake: in
    any family, and per family.

    A wrong decoder meets a UTF-8 lead byte (C2–F4) first, so the first character
    of every such run is one whose encoding starts with a lead byte. A text with
    none of them (and no U+FFFD) holds no such mojibake: screening is one regex.
    A text with none of one family's holds none of that family's.
    """
    leads: list[int] = []
    by_family: dict[str, list[int]] = {name: [] for name in FORWARD_FAMILIES}
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        for name, family in FORWARD_FAMILIES.items():
            if any(_starts_with_lead(ch, codec) for codec in family):
                by_family[name].append(cp)
        if any(cp in held[-1:] for held in by_family.values()):
            leads.append(cp)
    return _ranges(leads), {name: _ranges(cps) for name, cps in by_family.items()}


def _starts_with_lead(ch: str, codec: str) -> bool:
    try:
        return 0xC2 <= ch.encode(codec)[0] <= 0xF4
    except UnicodeEncodeError:
        return False


def _ranges(cps: list[int]) -> list[list[int]]:
    """Ascending code points as [first, last] ranges."""
    ranges: list[list[int]] = []
    for cp in cps:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def main() -> int:
    languages = sorted(set(wordfreq.available_languages(wordlist="best")) | set(EXTRA_LANGUAGES))
    tables: dict[str, dict[str, int]] = {}
    pair_tables: dict[str, dict[str, int]] = {}
    wide_pairs: dict[str, dict[str, int]] = {}
    words: dict[str, str] = {}
    for lang in languages:
        freqs = language_char_frequencies(lang)
        tables[lang] = {
            ch: round(-math.log(p) * 10)
            for ch, p in sorted(freqs.items())
            if p >= MIN_FREQUENCY and ch.isprintable() and not ch.isspace()
        }
        if len(tables[lang]) <= MAX_ALPHABET:
            pair_tables[lang] = language_pair_costs(lang)
        else:
            wide_pairs[lang] = language_pair_costs(lang, edges=False, floor=WIDE_MIN_PAIR)
        if lang in pair_tables and lang not in EXTRA_LANGUAGES:
            words[lang] = " ".join(
                w for w, _ in top_words(lang)[:KNOWN_WORDS]
                if len(w) > 1 and all(c.isalpha() or unicodedata.category(c)[0] == "M" for c in w))
        print(f"{lang}: {len(tables[lang])} characters, {len(pair_tables.get(lang, ()))} pairs",
              file=sys.stderr)
    meta = {
        "source": "wordfreq 'best' word lists; Thai: PyThaiNLP's Thai National Corpus "
                  "word counts; Python codec tables",
        "words_per_language": WORDS_PER_LANGUAGE,
        "min_frequency": MIN_FREQUENCY,
        "unit": "languages: cost = -ln(frequency) in tenths of a nat; legacy: code page count",
        "legacy_codecs": LEGACY_CODECS,
    }
    leads, family_leads = forward_leads()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "meta": meta,
                "languages": tables,
                "pairs": pair_tables,
                "legacy": legacy_coverage(),
                "forward_leads": leads,
                "forward_family_leads": family_leads,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    WIDE_OUT.write_text(json.dumps(wide_pairs, ensure_ascii=False, separators=(",", ":")),
                        encoding="utf-8")
    # mtime=0: the same lists give the same bytes.
    WORDS_OUT.write_bytes(gzip.compress(
        json.dumps(words, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), mtime=0))
    ONE_LETTER_OUT.write_text(json.dumps(
        {"zipf": ONE_LETTER_ZIPF, "letters": "".join(one_letter_words(languages))},
        ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}, {WIDE_OUT}, {WORDS_OUT} and {ONE_LETTER_OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
