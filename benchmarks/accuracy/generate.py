"""Build the accuracy evaluation cases: real text, broken the ways text really breaks.

Run: python benchmarks/accuracy/generate.py [--seed N] [--per-chain N] [--sources DIR]

Writes JSON lines to benchmarks/accuracy/_cache/cases.jsonl, one case a line:
{"chain", "family", "lang", "source", "original", "input", "lossy"} and, for some,
"accept" (other outputs that count as right), "accept_pattern" (a regular
expression an output may match instead) and "label" (ftfy's). The same seed
gives the same file. A case is made only where its chain really applies: every
encode and every strict decode must succeed, and the input must differ from the
original. The text comes from sources.py; README.md explains each chain.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sources

ROOT = HERE.parent.parent
CACHE = HERE / "_cache"

Layer = tuple[str, str]   # (bytes' true encoding, the encoding they were decoded as)

# Browsers (WHATWG "windows-1252") and Windows itself read the five bytes CP1252
# leaves undefined as the C1 controls of the same number; Python's cp1252 refuses them.
codecs.register_error("c1", lambda e: (chr(e.object[e.start]), e.start + 1))
WINDOWS_1252 = "windows-1252"

CJK_DECODERS = ("gbk", "gb18030", "big5", "cp950", "shift_jis", "cp932", "euc_jp",
                "euc_kr", "cp949")
LANGS = {group: [lang for lang, g in sources.GROUPS.items() if g == group]
         for group in set(sources.GROUPS.values())}
EUROPEAN = [lang for g in sorted(sources.EUROPEAN) for lang in LANGS[g]]
CJK = [lang for g in sorted(sources.CJK) for lang in LANGS[g]]
LATIN_SCRIPT = LANGS["english"] + LANGS["latin"]

#: Legacy encoding -> languages whose text it carries (reverse chains).
REVERSE = {"gbk": ["zh-Hans"], "gb2312": ["zh-Hans"], "big5": ["zh-Hant"],
           "shift_jis": ["ja"], "euc_jp": ["ja"], "euc_kr": ["ko"],
           "cp1251": LANGS["cyrillic"], "koi8_r": ["ru", "bg"], "cp1253": ["el"],
           "cp1255": ["he"], "cp1256": ["ar"], "tis_620": ["th"]}

#: UTF-8 read as a single-byte code page (ftfy's ground) -> languages it is tried on.
LATIN = {"cp1252": EUROPEAN + CJK, "latin-1": EUROPEAN + CJK, WINDOWS_1252: EUROPEAN + CJK,
         "mac_roman": LATIN_SCRIPT, "cp437": LATIN_SCRIPT, "cp1250": LATIN_SCRIPT,
         "iso-8859-2": LATIN_SCRIPT, "cp1251": LANGS["english"] + LANGS["cyrillic"]}

MULTI: list[tuple[Layer, ...]] = [
    (("utf-8", "gbk"), ("utf-8", "cp1252")),
    (("utf-8", "cp1252"), ("utf-8", "cp1252")),
    (("utf-8", "gbk"), ("utf-8", "gbk")),
    (("utf-8", "shift_jis"), ("utf-8", "cp1252")),
    (("utf-8", "big5"), ("utf-8", "cp1252")),
    (("utf-8", "cp1252"), ("utf-8", "gbk")),
    (("gbk", "latin-1"), ("utf-8", "cp1252")),
    (("utf-8", "cp1252"), ("utf-8", "cp1252"), ("utf-8", "cp1252")),
    (("utf-8", "gbk"), ("utf-8", "cp1252"), ("utf-8", "cp1252")),
]


def break_text(text: str, layers: Iterable[Layer], errors: str = "strict") -> str | None:
    """`text` after each layer of wrong decoding, or None where a layer cannot apply."""
    for true, wrong in layers:
        handler = "c1" if wrong == WINDOWS_1252 else errors
        try:
            text = text.encode(true).decode("cp1252" if wrong == WINDOWS_1252 else wrong,
                                            handler)
        except UnicodeError:
            return None
    return text


def name(layers: Iterable[Layer]) -> str:
    return "+".join(f"{true}>{wrong}" for true, wrong in layers)


Pool = dict[str, list[tuple[str, str]]]   # lang -> [(segment, source)]


def pick(pool: Pool, langs: list[str], rng: random.Random, cap: int,
         make: Callable[[str], dict | None]) -> list[dict]:
    """Cases made from the pool's segments, languages taken in turn so that none
    crowds out the others, until `cap` cases or the segments run out."""
    queues = [(lang, rng.sample(pool[lang], len(pool[lang]))) for lang in langs if pool.get(lang)]
    cases: list[dict] = []
    while queues and len(cases) < cap:
        for lang, queue in list(queues):
            if not queue:
                queues.remove((lang, queue))
                continue
            segment, source = queue.pop()
            case = make(segment)
            if case and len(cases) < cap:
                cases.append({"lang": lang, "source": source, **case})
    return cases


def broken(layers: tuple[Layer, ...], errors: str = "strict") -> Callable[[str], dict | None]:
    def make(original: str) -> dict | None:
        text = break_text(original, layers, errors)
        if text is None or text == original:
            return None
        lossy = "\ufffd" in text and "\ufffd" not in original
        if errors != "strict" and not lossy:
            return None   # the lossy chains keep only cases that did lose bytes
        return {"original": original, "input": text, "lossy": lossy}
    return make


def unrecoverable(legacy: str) -> Callable[[str], dict | None]:
    """Legacy bytes read as UTF-8 (every one lost to U+FFFD), then that UTF-8 read as
    GBK: "锟斤拷". Leaving it, or taking it back to the U+FFFD text, both count."""
    def make(original: str) -> dict | None:
        lost = break_text(original, [(legacy, "utf-8")], "replace")
        text = lost and break_text(lost, [("utf-8", "gbk")])
        if not lost or not text or "\ufffd" not in lost:
            return None
        return {"original": original, "input": text, "lossy": True, "accept": [text, lost]}
    return make


def spans(texts: list[sources.Text], layers: tuple[Layer, ...], rng: random.Random,
          cap: int) -> list[dict]:
    """One segment broken inside a paragraph of 3-5 clean neighbours from its source."""
    usable = [t for t in texts if len(t.segments) >= 3 and t.lang in EUROPEAN + CJK]
    cases: list[dict] = []
    for _ in range(cap * 20):
        if len(cases) >= cap or not usable:
            break
        text = rng.choice(usable)
        size = rng.randint(3, min(5, len(text.segments)))
        start = rng.randrange(len(text.segments) - size + 1)
        parts = list(text.segments[start:start + size])
        at = rng.randrange(size)
        bad = break_text(parts[at], layers)
        if bad is None or bad == parts[at]:
            continue
        original = text.joiner.join(parts)
        parts[at] = bad
        cases.append({"lang": text.lang, "source": text.source, "original": original,
                      "input": text.joiner.join(parts), "lossy": False})
    return cases


def ftfy_chains() -> dict[str, list[dict]]:
    found = sources.ftfy_cases(CACHE)
    if found is None:
        print("ftfy sdist could not be downloaded: ftfy chains skipped", file=sys.stderr)
        return {}
    out: dict[str, list[dict]] = {"ftfy/real-world": [], "ftfy/expected-fail": [],
                                  "ftfy/real-world+latin-1": []}
    for item in found:
        expected = item.get("fixed-encoding", item["fixed"])
        case = {"lang": "und", "source": "ftfy-6.3.1:tests/test_cases.json",
                "label": item["label"], "original": expected, "input": item["original"],
                "lossy": False}
        if "\ufffd" in expected:
            # ftfy keeps U+FFFD where bytes were lost; nobody knows the true letter, so
            # one non-ASCII character in each such place (a restored letter) counts too.
            pattern = "[^\\x00-\\x7f]".join(map(re.escape, expected.split("\ufffd")))
            case.update(lossy=True, accept_pattern=pattern)
        if item["expect"] == "pass":
            out["ftfy/real-world"].append(case)
            extra = item["original"].encode("utf-8").decode("latin-1")   # ftfy's own check
            out["ftfy/real-world+latin-1"].append({**case, "input": extra})
        else:
            out["ftfy/expected-fail"].append(case)
    return out


def clean_chains(pool: Pool) -> dict[str, list[dict]]:
    def cases(items: Iterable[str], lang: str, source: str) -> list[dict]:
        return [{"lang": lang, "source": source, "original": s, "input": s, "lossy": False}
                for s in dict.fromkeys(items)]

    out = {f"clean/{lang}": [{"lang": lang, "source": src, "original": s, "input": s,
                              "lossy": False} for s, src in pool[lang] if not s.isascii()]
           for lang in sorted(pool)}
    out["clean/code"] = cases(sources.code_lines(), "code", "cpython:Lib")
    out["clean/data"] = cases(sources.data_lines(), "mixed", "wordfreq:jieba+glibc:locales")
    out["clean/cells"] = cases(sources.cell_lines(), "mixed", "wordfreq:top words")
    out["clean/alphabets"] = cases(sources.alphabet_lines(), "mixed", "wordfreq:letters")
    out["clean/messages"] = cases(sources.message_lines(), "mixed", "gettext:/usr/share/locale")
    out["clean/symbols"] = cases(sources.cldr_symbols(), "mixed", "cldr:numbers+units")
    out["clean/halfwidth-katakana"] = cases(sources.halfwidth_katakana(), "ja", "cldr:ja")
    out["clean/emoji"] = cases(sources.emoji_lines(), "mixed", "cldr+wordfreq")
    return out


def generate(seed: int, cap: int, eval_dir: Path) -> dict[str, tuple[str, list[dict]]]:
    """chain -> (family, cases)."""
    if not eval_dir.is_dir():
        print(f"{eval_dir} not found: eval-sources texts skipped", file=sys.stderr)
    texts = (sources.eval_sources(eval_dir) + sources.cjkencodings() + sources.python_docs()
             + sources.cldr())
    pool: Pool = {}
    seen: set[str] = set()
    for text in texts:
        for segment in text.segments:
            if segment not in seen:   # several sources repeat a text in two encodings
                seen.add(segment)
                pool.setdefault(text.lang, []).append((segment, text.source))

    def rng(chain: str) -> random.Random:
        return random.Random(seed ^ zlib.crc32(chain.encode()))

    chains: dict[str, tuple[str, list[dict]]] = {}

    def add(chain: str, family: str, langs: list[str], make: Callable) -> None:
        chains[chain] = (family, pick(pool, langs, rng(chain), cap, make))

    for decoder in CJK_DECODERS:
        layers = (("utf-8", decoder),)
        add(f"strict/{name(layers)}", "strict-cjk", EUROPEAN + CJK, broken(layers))
        add(f"lossy-eu/{name(layers)}", "lossy-european", EUROPEAN, broken(layers, "replace"))
        add(f"lossy-cjk/{name(layers)}", "lossy-cjk", CJK, broken(layers, "replace"))
    for legacy, langs in REVERSE.items():
        for latin in ("latin-1", "cp1252", WINDOWS_1252):
            layers = ((legacy, latin),)
            add(f"reverse/{name(layers)}", "reverse", langs, broken(layers))
    for decoder, langs in LATIN.items():
        layers = (("utf-8", decoder),)
        add(f"latin/{name(layers)}", "latin", langs, broken(layers))
    add("latin/utf-8>cp1252!replace", "latin", EUROPEAN + CJK,
        broken((("utf-8", "cp1252"),), "replace"))
    for layers in MULTI:
        add(f"multi/{name(layers)}", "multi", EUROPEAN + CJK, broken(layers))
    for layers in ((("utf-8", "gbk"),), (("utf-8", "cp1252"),)):
        chain = f"span/{name(layers)}"
        chains[chain] = ("span", spans(texts, layers, rng(chain), cap))
    add("unrecoverable/cp1252>utf-8+utf-8>gbk", "unrecoverable", EUROPEAN,
        unrecoverable("cp1252"))
    add("unrecoverable/gbk>utf-8+utf-8>gbk", "unrecoverable", ["zh-Hans"],
        unrecoverable("gbk"))
    for chain, cases in ftfy_chains().items():
        chains[chain] = ("ftfy-expected-fail" if "fail" in chain else "ftfy-real", cases)
    for chain, cases in clean_chains(pool).items():
        chains[chain] = ("clean", cases)
    return chains


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--per-chain", type=int, default=200,
                        help="cases at most per chain (clean text is never capped)")
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "eval-sources",
                        help="folder of the eval-sources texts (default: <repo>/../shared/...)")
    parser.add_argument("--out", type=Path, default=CACHE / "cases.jsonl")
    args = parser.parse_args()
    started = time.perf_counter()
    CACHE.mkdir(exist_ok=True)
    chains = generate(args.seed, args.per_chain, args.sources)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    families: Counter = Counter()
    with args.out.open("w", encoding="utf-8") as out:
        for chain, (family, cases) in chains.items():
            families[family] += len(cases)
            for case in cases:
                out.write(json.dumps({"chain": chain, "family": family, **case},
                                     ensure_ascii=False) + "\n")
    for family, count in families.items():
        print(f"{family:20} {count:6}")
    empty = [chain for chain, (_, cases) in chains.items() if not cases]
    if empty:
        print("chains with no case (never applied):", ", ".join(empty))
    print(f"{sum(families.values())} cases in {len(chains)} chains -> {args.out} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
