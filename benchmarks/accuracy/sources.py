"""Real text that nobody on the project wrote, cut into segments for `generate.py`.

Every loader returns `Text`s: consecutive segments of one language from one source,
so that a paragraph can be rebuilt from neighbours (the "span" chain). Nothing here
is committed data: each source is read from where it is installed, at run time.
See SOURCES.md for what each source is and its licence.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tarfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Language code -> group; "European" and "CJK" decide the lossy chains' labels.
GROUPS = {
    "en": "english", "fr": "latin", "es": "latin", "pl": "latin", "tr": "latin",
    "de": "latin", "cs": "latin", "pt": "latin", "vi": "latin",
    "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "el": "greek",
    "he": "hebrew", "ar": "arabic", "th": "thai",
    "zh-Hans": "chinese", "zh-Hant": "chinese", "ja": "japanese", "ko": "korean",
}
EUROPEAN = {"english", "latin", "cyrillic", "greek"}
CJK = {"chinese", "japanese", "korean"}

#: eval-sources file -> (true encoding, language), from shared/eval-sources/SOURCES.md.
EVAL_SOURCES = {
    "sample-arabic-1.txt": ("cp1256", "ar"), "sample-arabic.txt": ("utf_8", "ar"),
    "sample-bulgarian.txt": ("utf_8", "bg"), "sample-chinese.txt": ("big5", "zh-Hant"),
    "sample-english.bom.txt": ("utf_8_sig", "en"), "sample-french-1.txt": ("cp1252", "fr"),
    "sample-french.txt": ("utf_8", "fr"), "sample-greek-2.txt": ("cp1253", "el"),
    "sample-greek.txt": ("cp1253", "el"), "sample-hebrew-2.txt": ("cp1255", "he"),
    "sample-hebrew-3.txt": ("cp1255", "he"), "sample-korean.txt": ("cp949", "ko"),
    "sample-polish.txt": ("utf_8", "pl"), "sample-russian-2.txt": ("utf_8", "ru"),
    "sample-russian-3.txt": ("utf_8", "ru"), "sample-russian.txt": ("mac_cyrillic", "ru"),
    "sample-spanish.txt": ("utf_8", "es"), "sample-turkish.txt": ("cp1254", "tr"),
}

#: CPython's test/cjkencodings/*-utf8.txt -> language (the other files repeat these).
CJK_FILES = {"gb2312": "zh-Hans", "gb18030": "zh-Hans", "big5": "zh-Hant",
             "euc_jp": "ja", "euc_kr": "ko", "cp949": "ko"}

#: Babel locale -> our language code.
CLDR_LOCALES = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant",
                **{code: code for code in GROUPS if "-" not in code}}

MIN_LEN, MAX_LEN = 20, 300
UNDERLINE = re.compile(r"^[*=~^-]{3,}$")   # reST title underlines in pydoc_data
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)|(?<=[。！？])")


@dataclass(frozen=True)
class Text:
    lang: str
    source: str
    segments: tuple[str, ...]
    joiner: str = " "   # how neighbouring segments stood in the source


def segment(text: str) -> list[str]:
    """Lines, then sentences, packed into pieces of MIN_LEN..MAX_LEN characters."""
    pieces: list[str] = []
    for line in text.splitlines():
        for sentence in SENTENCE_END.split(line.strip()):
            while len(sentence) > MAX_LEN:   # cut at the last space that fits, if any
                cut = sentence.rfind(" ", MIN_LEN, MAX_LEN)
                cut = cut if cut > 0 else MAX_LEN
                pieces.append(sentence[:cut].strip())
                sentence = sentence[cut:].strip()
            if sentence:
                pieces.append(sentence)
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) < MIN_LEN and len(packed[-1]) + len(piece) < MAX_LEN:
            packed[-1] = f"{packed[-1]} {piece}"
        else:
            packed.append(piece)
    return [p for p in packed if len(p) >= MIN_LEN]


def typographic(sentence: str) -> str:
    """English as a word processor would have typed it: curly quotes, en dashes, ellipses.

    The English sources are mostly plain ASCII; mojibake cases need the characters
    real English carries (they’re, “quoted”, 2010–2012, wait…).
    """
    sentence = re.sub(r'"([^"\n]+)"', "\u201c\\1\u201d", sentence)
    sentence = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", sentence)
    sentence = re.sub(r"(?<!\w)'([^'\n]+)'(?!\w)", "\u2018\\1\u2019", sentence)
    sentence = re.sub(r" --? ", " \u2013 ", sentence)
    return sentence.replace("...", "\u2026")


def eval_sources(folder: Path) -> list[Text]:
    texts = []
    for name, (encoding, lang) in sorted(EVAL_SOURCES.items()):
        path = folder / name
        if path.exists():
            body = path.read_bytes().decode(encoding)
            segments = segment(typographic(body) if lang == "en" else body)
            texts.append(Text(lang, f"eval-sources/{name}", tuple(segments)))
    return texts


def cpython_dir() -> Path:
    import test

    return Path(os.path.dirname(test.__file__)).parent


def cjkencodings() -> list[Text]:
    folder = cpython_dir() / "test" / "cjkencodings"
    return [Text(lang, f"cpython:test/cjkencodings/{name}-utf8.txt",
                 tuple(segment((folder / f"{name}-utf8.txt").read_text("utf-8"))), "\n")
            for name, lang in sorted(CJK_FILES.items())]


def python_docs(limit: int = 600) -> list[Text]:
    """English prose of Python's own reference (pydoc_data), typographic or made so."""
    from pydoc_data.topics import topics

    texts = []
    for key in sorted(topics):
        paragraphs = [" ".join(line for line in p.split("\n") if not UNDERLINE.match(line))
                      for p in topics[key].split("\n\n")
                      if p[:1].isalpha() and "\n  " not in p and "::" not in p]
        segments = [typographic(s) for p in paragraphs for s in segment(p)]
        segments = [s for s in segments if not s.isascii()]
        if segments:
            texts.append(Text("en", f"cpython:pydoc_data/topics.py[{key}]", tuple(segments)))
    return texts[:limit]


def cldr(chunk: int = 6) -> list[Text]:
    """CLDR display names (languages, territories, scripts, months, days, currencies)
    of each locale, joined by the locale's own list pattern into short lists."""
    from babel import Locale
    from babel.lists import format_list

    texts = []
    for code, lang in sorted(CLDR_LOCALES.items()):
        locale = Locale.parse(code)
        for field in ("languages", "territories", "scripts", "currencies"):
            values = [v for v in getattr(locale, field).values() if v]
            lists = [format_list(values[i:i + chunk], locale=locale)
                     for i in range(0, len(values), chunk)]
            texts.append(Text(lang, f"cldr:{code}/{field}", tuple(lists), "\n"))
        calendar = [*locale.months["format"]["wide"].values(),
                    *locale.days["format"]["wide"].values()]
        texts.append(Text(lang, f"cldr:{code}/months+days",
                          (", ".join(calendar[:12]), ", ".join(calendar[12:])), "\n"))
    return texts


def cldr_symbols() -> list[str]:
    """Clean text heavy in symbols: CLDR currency amounts, units and percentages
    (¥, ₩, €, m², °C, µs, km/h, ‰, narrow no-break spaces) in many locales."""
    from babel import Locale, numbers, units

    unit_ids = ["area-square-meter", "temperature-celsius", "speed-kilometer-per-hour",
                "duration-microsecond", "length-micrometer", "angle-degree",
                "volume-cubic-centimeter", "concentr-permille", "mass-kilogram"]
    currencies = ["EUR", "GBP", "JPY", "KRW", "CNY", "RUB", "INR", "USD", "ILS", "THB"]
    out = []
    for code in sorted(CLDR_LOCALES):
        locale = Locale.parse(code)
        amounts = [numbers.format_currency(1234.5 * (i + 1), c, locale=locale)
                   for i, c in enumerate(currencies)]
        out += [" · ".join(amounts[:5]), " · ".join(amounts[5:])]
        measures = [units.format_unit(12.5, u, locale=locale) for u in unit_ids]
        measures = [m for m, u in zip(measures, unit_ids) if u not in m]  # unit not in CLDR
        out += [", ".join(measures), numbers.format_percent(0.256, locale=locale)
                + " / " + numbers.format_decimal(-1234567.891, locale=locale)]
    return out


def halfwidth_katakana() -> list[str]:
    """CLDR Japanese names written in katakana, turned to half-width katakana (ｱﾌﾘｶ),
    as legacy Japanese systems still store them; the map comes from Unicode's own
    compatibility decompositions."""
    from babel import Locale

    to_half = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF61, 0xFFA0)}
    to_half.update({"\u3099": "\uff9e", "\u309a": "\uff9f"})   # voiced marks, decomposed
    locale = Locale.parse("ja")
    names = [v for v in [*locale.territories.values(), *locale.languages.values()]
             if all("\u30a0" <= ch <= "\u30ff" for ch in v)]
    halves = ["".join(to_half.get(ch, ch) for ch in unicodedata.normalize("NFD", n))
              for n in names]
    return [" ".join(halves[i:i + 4]) for i in range(0, len(halves), 4)]


def emoji_lines() -> list[str]:
    """CLDR territory names with their flag (regional indicators from the CLDR code),
    and, if wordfreq is installed, its most frequent emoji tokens after CLDR phrases."""
    from babel import Locale

    try:
        import wordfreq

        tokens = [w for w in wordfreq.top_n_list("en", 20000)
                  if any(unicodedata.category(c) == "So" for c in w)]
    except ImportError:
        tokens = []
    out = []
    for code in sorted(CLDR_LOCALES):
        locale = Locale.parse(code)
        flags = [f"{name} {''.join(chr(0x1F1E6 + ord(c) - 65) for c in key)}"
                 for key, name in locale.territories.items() if key.isalpha()]
        out += [", ".join(flags[i:i + 3]) for i in range(0, 60, 3)]
        if tokens:
            days = locale.days["format"]["wide"].values()
            out.append(", ".join(f"{day} {tokens[(i + len(out)) % len(tokens)]}"
                                 for i, day in enumerate(days)))
    return out


def code_lines(limit: int = 800) -> list[str]:
    """Lines of CPython's own library (Lib/*.py and one level down, not tests, not
    codec tables), every line with non-ASCII characters plus ASCII ones to fill."""
    lib = cpython_dir()
    files = sorted([*lib.glob("*.py"), *lib.glob("*/*.py")])
    skip = ("test", "idle_test", "site-packages", "encodings", "re")
    wide, ascii_ = [], []
    for path in files:
        if path.parent.name in skip or path.parent.parent.name == "test":
            continue
        for line in path.read_text("utf-8", errors="replace").splitlines():
            line = line.strip()
            if MIN_LEN <= len(line) <= MAX_LEN and "\ufffd" not in line:
                (ascii_ if line.isascii() else wide).append(line)
    step = max(1, len(ascii_) // max(1, limit - len(wide)))
    return (wide + ascii_[::step])[:limit]


def data_lines(limit: int = 600) -> list[str]:
    """Data files, where text is no prose: the lines with non-ASCII characters of
    wordfreq's Chinese dictionary (jieba's "word count tag" rows, many a single
    character) and of the glibc locale sources (/usr/share/i18n/locales: native names,
    alphabets, collation notes), if present; every k-th line, `limit` from each."""
    out: list[str] = []
    try:
        import wordfreq

        jieba = Path(wordfreq.__file__).parent / "data" / "jieba_zh.txt"
        rows = [line for line in jieba.read_text("utf-8").splitlines() if line.strip()]
        out += rows[::max(1, len(rows) // limit)][:limit]
    except (ImportError, OSError):
        pass
    folder = Path("/usr/share/i18n/locales")
    if folder.is_dir():
        lines = []
        for path in sorted(folder.iterdir()):
            try:
                text = path.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            lines += [line.strip() for line in text.splitlines()
                      if not line.isascii() and len(line.strip()) <= MAX_LEN]
        out += lines[::max(1, len(lines) // limit)][:limit]
    return out


def gettext_messages(folder: Path = Path("/usr/share/locale")) -> Iterator[tuple[Path, str]]:
    """(catalog path, translation) of each non-ASCII translation of the gettext
    catalogs under `folder` (none if it is absent), catalog by catalog."""
    import gettext

    for path in sorted(folder.glob("*/LC_MESSAGES/*.mo")):
        try:
            with path.open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)
        except (OSError, ValueError, IndexError, UnicodeDecodeError):
            continue   # (a catalog whose header names no plural rule raises IndexError)
        for text in catalog._catalog.values():   # (gettext has no public accessor)
            if isinstance(text, str) and not text.isascii():
                yield path, text


def message_lines(limit: int = 2000, cjk_limit: int = 5000) -> list[str]:
    """Translated program messages (`gettext_messages`, the operating system's
    catalogs). Every k-th of the distinct Chinese, Japanese and Korean ones that hold
    ASCII letters (`cjk_limit`: those write names and placeholders inside their
    sentences, "来自%s的RADIUS"), and every k-th of all the others (`limit`). A few
    catalogs hold real mojibake ("nÃ¥r" in a Norwegian one): messages that
    ftfy.fix_encoding changes are left out, so the chain is clean as far as ftfy
    can tell."""
    import ftfy

    cjk: dict[str, None] = {}
    other: dict[str, None] = {}
    for path, text in gettext_messages():
        wide = path.parts[-3].split("_")[0] in ("zh", "ja", "ko")
        text = text.strip()
        if text and not text.isascii() and len(text) <= MAX_LEN:
            ascii_letters = any("a" <= c.lower() <= "z" for c in text)
            (cjk if wide and ascii_letters else other).setdefault(text, None)
    out = []
    for found, most in ((cjk, cjk_limit), (other, limit)):
        lines = [t for t in found if ftfy.fix_encoding(t) == t]
        out += lines[::max(1, len(lines) // most)][:most]
    return out


#: How data files hold a short value: a key and value, a quoted list item, a
#: tab-separated row, an assignment in source code.
CELL_FORMATS = ("name: {}", '"{}",', "{}\t12", 'key = "{}"')
CELL_LANGS = ("zh", "ja", "ko", "ru", "el", "ar", "he", "fr", "de", "pl", "vi")


def cell_lines(per_lang: int = 60) -> list[str]:
    """The commonest words of one or two letters of each language of CELL_LANGS (from
    wordfreq), each in every format of CELL_FORMATS: a single Chinese character in a
    CSV cell or a Greek letter in a config file is clean text as it stands."""
    try:
        import wordfreq
    except ImportError:
        return []
    out = []
    for lang in CELL_LANGS:
        words = [w for w in wordfreq.top_n_list(lang, 5000)
                 if len(w) <= 2 and not w.isascii() and w.isalpha()][:per_lang]
        out += [fmt.format(w) for w in words for fmt in CELL_FORMATS]
    return out


#: How code and data hold a language's letters: bare, quoted, in a class, a
#: constant of small letters and capitals, one by one.
ALPHABET_FORMATS = ("{low}", "{up}", '"{low}"', "[{up}]", "letters = '{low}{up}'", "{spaced}")


def alphabet_lines(words_per_lang: int = 5000) -> list[str]:
    """Each of wordfreq's languages' letters beyond ASCII (those its commonest
    words use), in code-point order, in every format of ALPHABET_FORMATS: the
    lists that code and data keep of a language's letters ("àâçèéêëîïôûùüÿœ"),
    which every legacy page reads as letters of its own."""
    try:
        import wordfreq
    except ImportError:
        return []
    out = []
    for lang in sorted(wordfreq.available_languages("small")):
        words = wordfreq.top_n_list(lang, words_per_lang, wordlist="small")
        letters = sorted({c for w in words for c in w if c.isalpha() and ord(c) > 0x7F})
        if not letters or len(letters) > 80:
            continue   # a script of its own (CJK, Thai...), not a list of accents
        up = sorted({c.upper() for c in letters if len(c.upper()) == 1})
        out += [fmt.format(low="".join(letters), up="".join(up), spaced=" ".join(letters))
                for fmt in ALPHABET_FORMATS]
    return out


def ftfy_cases(cache: Path, version: str = "6.3.1") -> list[dict] | None:
    """ftfy's published real-world cases (tests/test_cases.json of its sdist), fetched
    with pip at run time into the git-ignored cache; None when pip cannot get it."""
    import json

    tarball = cache / f"ftfy-{version}.tar.gz"
    if not tarball.exists():
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                   "--no-binary", ":all:", f"ftfy=={version}", "-d", str(cache)]
        if subprocess.run(command, capture_output=True, check=False).returncode or not tarball.exists():
            return None
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(f"ftfy-{version}/tests/test_cases.json")
        assert member is not None
        return json.load(io.TextIOWrapper(member, encoding="utf-8"))
