"""A deterministic corpus that looks like what a data team points `ingest run` at.

Run: python benchmarks/pipeline/corpus.py --size 20MB --out DIR [--seed 0]

Writes the files under DIR/corpus/, the composition (files and bytes per kind,
encoding, chain and language) to DIR/composition.json and what each file is to
DIR/manifest.jsonl: next to the corpus rather than in it, so no tool reads them as data.

The text is real text that nobody on the project wrote, read at run time from where
it is installed (see ../accuracy/SOURCES.md): the eval-sources samples, CPython's
test/cjkencodings texts and the prose of CPython's pydoc topics, plus the clean seed
document. That pool is about a megabyte, so documents are runs of consecutive
sentences from one source, starting at a random place, with paragraph breaks drawn
at random: every file differs, the sentences repeat across files.

What a corpus holds, by bytes (the figures printed are the truth, these are targets):

- clean UTF-8 text (.txt, .md, .log, .html) in 13 languages, English about half;
- legacy encodings saved as raw bytes: GBK, Big5, Shift-JIS, cp1251, cp1252 and
  UTF-16 with a BOM;
- mojibake saved as UTF-8, made with the real codecs: UTF-8 read as cp1252 or as
  GBK (`errors="replace"`, so bytes those codecs cannot map are lost to U+FFFD, as
  in the seed document), in the whole file or in some paragraphs;
- CSV/TSV and JSON lines with a text column, a share of rows mojibake;
- a few gzip-compressed files; nested folders; sizes log-normal from a couple of
  hundred bytes to a few megabytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import io
import json
import math
import os
import random
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "accuracy"))

import sources  # benchmarks/accuracy/sources.py: the loaders of real text

#: Bumped whenever the same seed would give different files; bench.py's cache key.
VERSION = 1

MIN_FILE, MAX_FILE = 200, 4 * 1024 * 1024

#: Clean text languages, by share of the clean bytes.
LANGS = {"en": 48, "zh-Hans": 8, "ja": 7, "ru": 8, "fr": 5, "es": 5, "zh-Hant": 4,
         "ko": 3, "pl": 3, "bg": 2, "ar": 2, "he": 2, "el": 3}

#: Legacy encodings, each with the languages that were stored in it.
LEGACY = {"gbk": ["zh-Hans"], "big5": ["zh-Hant"], "shift_jis": ["ja"],
          "cp1251": ["ru", "bg"], "cp1252": ["en", "fr", "es"],
          "utf-16": ["en", "ru", "zh-Hans", "ja", "ko", "ar"]}

#: Mojibake chains (true encoding>wrong decoder), each with the languages broken so.
MOJIBAKE = {"utf-8>cp1252": ["en", "fr", "es", "pl"],
            "utf-8>gbk": ["en", "fr", "ru", "ja"]}


@dataclass(frozen=True)
class Kind:
    """One kind of file: its share of the corpus bytes and its file sizes (log-normal:
    the median and the spread of log(size))."""
    name: str
    share: float
    median: int
    sigma: float


KINDS = [
    Kind("text-utf8", 0.48, 6_000, 1.5),
    Kind("text-legacy", 0.12, 5_000, 1.3),
    Kind("text-mojibake", 0.10, 5_000, 1.3),
    Kind("csv", 0.12, 40_000, 1.6),
    Kind("jsonl", 0.14, 40_000, 1.6),
    Kind("gz", 0.04, 60_000, 1.2),
]


# --- the pool of real sentences ------------------------------------------------------

Pool = dict[str, list[list[str]]]   # language -> texts -> consecutive segments

#: CPython's test/cjkencodings/*-utf8.txt beyond the ones sources.py reads.
MORE_CJK = {"shift_jis": "ja", "gbk": "zh-Hans"}
HANGUL = re.compile("[\uac00-\ud7a3]")


def english_docs() -> list[list[str]]:
    """The prose paragraphs of CPython's pydoc topics, made typographic (curly quotes,
    en dashes), all of them: sources.python_docs keeps only the non-ASCII sentences."""
    from pydoc_data.topics import topics

    texts = []
    for key in sorted(topics):
        paragraphs = [" ".join(line for line in p.split("\n")
                               if not sources.UNDERLINE.match(line))
                      for p in topics[key].split("\n\n")
                      if p[:1].isalpha() and "\n  " not in p and "::" not in p]
        segments = [sources.typographic(s) for p in paragraphs for s in sources.segment(p)]
        if len(segments) >= 3:
            texts.append(segments)
    return texts


def load_pool(eval_dir: Path) -> Pool:
    """Language -> texts (lists of consecutive sentences), deduplicated, sorted so the
    same installed sources always give the same pool."""
    texts: list[tuple[str, list[str]]] = []
    if eval_dir.is_dir():
        texts += [(t.lang, list(t.segments)) for t in sources.eval_sources(eval_dir)]
    else:
        print(f"{eval_dir} not found: eval-sources texts skipped", file=sys.stderr)
    texts += [(t.lang, list(t.segments)) for t in sources.cjkencodings()]
    folder = sources.cpython_dir() / "test" / "cjkencodings"
    for name, lang in sorted(MORE_CJK.items()):
        path = folder / f"{name}-utf8.txt"
        if path.exists():
            texts.append((lang, sources.segment(path.read_text("utf-8"))))
    texts += [("en", segments) for segments in english_docs()]
    seed_doc = ROOT / "seeds" / "000_dc3c457c942cfdd8.txt"
    if seed_doc.exists():
        texts.append(("en", sources.segment(seed_doc.read_text("utf-8"))))
    pool: Pool = defaultdict(list)
    seen: set[str] = set()
    for lang, segments in texts:
        fresh = [s for s in segments if s not in seen]
        seen.update(fresh)
        korean = [s for s in fresh if HANGUL.search(s)]   # gb18030-utf8.txt ends in Korean
        for lang_, kept in ((lang, [s for s in fresh if s not in korean]), ("ko", korean)):
            if kept:
                pool[lang_].append(kept)
    return dict(sorted(pool.items()))


def encodable(pool: Pool, encoding: str, langs: list[str]) -> Pool:
    """The pool's texts in `langs`, keeping only the sentences `encoding` can store
    (a Big5 file cannot hold a character Big5 lacks)."""
    out: Pool = {}
    for lang in langs:
        texts = []
        for segments in pool.get(lang, []):
            kept = [s for s in segments if _encodes(s, encoding)]
            if kept:
                texts.append(kept)
        if texts:
            out[lang] = texts
    return out


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# --- documents ---------------------------------------------------------------------

class Writer:
    """Draws paragraphs of real text for one language from the pool."""

    def __init__(self, pool: Pool, rng: random.Random) -> None:
        self.pool = pool
        self.rng = rng

    def paragraphs(self, lang: str, chars: int) -> list[str]:
        """About `chars` characters of `lang` as paragraphs of 1 to 6 sentences: runs
        of consecutive sentences, jumping to another text now and then."""
        rng, texts = self.rng, self.pool[lang]
        joiner = "" if lang in ("zh-Hans", "zh-Hant", "ja") else " "
        out: list[str] = []
        total = 0
        segments = rng.choice(texts)
        at = rng.randrange(len(segments))
        while total < chars:
            if rng.random() < 0.1:
                segments = rng.choice(texts)
                at = rng.randrange(len(segments))
            run = []
            for _ in range(rng.randint(1, 6)):
                run.append(segments[at % len(segments)])
                at += 1
            paragraph = joiner.join(run)
            out.append(paragraph)
            total += len(paragraph) + 1
        return out

    def sentence(self, lang: str) -> str:
        segments = self.rng.choice(self.pool[lang])
        at = self.rng.randrange(len(segments))
        return " ".join(segments[at:at + self.rng.randint(1, 3)])


def break_text(text: str, chain: str) -> str:
    """Mojibake made with the real codecs: "utf-8>gbk" is UTF-8 bytes read as GBK.
    Bytes the wrong decoder cannot map become U+FFFD, as they did in the field."""
    true, wrong = chain.split(">")
    return text.encode(true).decode(wrong, errors="replace")


def ratio(pool: Pool, lang: str, encoding: str) -> float:
    """Bytes per character of `lang` in `encoding`, to size a file in bytes."""
    sample = "\n".join(s for text in pool[lang][:20] for s in text[:50])
    return len(sample.encode(encoding)) / max(1, len(sample))


# --- file formats ------------------------------------------------------------------

def as_text(paragraphs: list[str], ext: str, lang: str, rng: random.Random) -> str:
    """The paragraphs dressed as a .txt, .md, .log or .html file."""
    if ext == ".md":
        return f"# {paragraphs[0][:80]}\n\n" + "\n\n".join(paragraphs[1:] or paragraphs) + "\n"
    if ext == ".log":
        when = datetime(2024, 1, 1) + timedelta(seconds=rng.randrange(365 * 86400))
        lines = []
        for p in paragraphs:
            when += timedelta(milliseconds=rng.randrange(1, 5000))
            level = rng.choices(["INFO", "WARN", "ERROR", "DEBUG"], [80, 10, 3, 7])[0]
            lines.append(f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z "
                         f"{level:<5} [worker-{rng.randrange(16)}] {p}")
        return "\n".join(lines) + "\n"
    if ext == ".html":
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
                f"<title>{html.escape(paragraphs[0][:60])}</title></head>\n<body>\n"
                f"{body}\n</body></html>\n")
    return "\n".join(paragraphs) + "\n"


def rows(writer: Writer, target: int, mojibake_share: float,
         rng: random.Random) -> tuple[list[dict], Counter]:
    """Records of an export (id, time, language, channel, text) until about `target`
    bytes; a share of the texts arrived broken, each by one mojibake chain."""
    langs, weights = zip(*LANGS.items())
    when = datetime(2023, 1, 1) + timedelta(seconds=rng.randrange(700 * 86400))
    out, chains = [], Counter()
    size = 0
    while size < target:
        lang = rng.choices(langs, weights)[0]
        text = writer.sentence(lang)
        if rng.random() < mojibake_share:
            chain = rng.choice([c for c, ls in MOJIBAKE.items() if lang in ls] or [""])
            if chain:
                text = break_text(text, chain)
                chains[chain] += 1
        when += timedelta(seconds=rng.randrange(1, 600))
        row = {"id": len(out) + 1, "created_at": f"{when:%Y-%m-%dT%H:%M:%SZ}", "lang": lang,
               "channel": rng.choice(["email", "chat", "form", "review", "ticket"]),
               "text": text}
        out.append(row)
        size += len(text.encode("utf-8")) + 40
    return out, chains


def as_csv(records: list[dict], delimiter: str) -> str:
    buffer = io.StringIO()
    out = csv.DictWriter(buffer, fieldnames=list(records[0]), delimiter=delimiter,
                         lineterminator="\n")
    out.writeheader()
    out.writerows(records)
    return buffer.getvalue()


def as_jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# --- the corpus ----------------------------------------------------------------------

@dataclass
class Made:
    """One file to write: where, its bytes, and what it is (for the composition)."""
    path: str
    data: bytes
    kind: str
    detail: str      # encoding, chain or format
    lang: str
    lost: bool = False   # holds U+FFFD that stands for lost bytes
    rows_broken: Counter = field(default_factory=Counter)


FOLDERS = ["crm/exports", "support/tickets", "web/crawl", "legal/archive", "research/notes",
           "ops/logs", "marketing/cms", "partners/feeds", "hr/docs", "finance/reports"]


def folder(rng: random.Random) -> str:
    """A nested folder, one to three levels under a team's folder."""
    base = rng.choice(FOLDERS)
    depth = rng.choices([0, 1, 2], [2, 5, 3])[0]
    parts = [base, f"{rng.randint(2019, 2025)}", f"{rng.randint(1, 12):02d}"][: 1 + depth]
    return "/".join(parts)


class Corpus:
    def __init__(self, pool: Pool, seed: int) -> None:
        self.pool = pool
        self.seed = seed
        self.legacy = {enc: encodable(pool, enc, langs) for enc, langs in LEGACY.items()}
        self.count = 0

    def rng(self, kind: str) -> random.Random:
        """One generator per kind, so that a kind's files do not change when another
        kind's rules do."""
        return random.Random(self.seed ^ zlib.crc32(kind.encode()))

    def name(self, rng: random.Random, stem: str, ext: str) -> str:
        self.count += 1
        return f"{folder(rng)}/{stem}-{self.count:06d}{ext}"

    def text_utf8(self, rng: random.Random, size: int) -> Made:
        lang = rng.choices(list(LANGS), list(LANGS.values()))[0]
        ext = rng.choices([".txt", ".md", ".log", ".html"], [55, 20, 15, 10])[0]
        chars = int(size / ratio(self.pool, lang, "utf-8"))
        text = as_text(Writer(self.pool, rng).paragraphs(lang, chars), ext, lang, rng)
        return Made(self.name(rng, "doc", ext), text.encode("utf-8"), "text-utf8", "utf-8", lang)

    def text_legacy(self, rng: random.Random, size: int) -> Made:
        encoding = rng.choices(list(LEGACY), [18, 14, 16, 18, 22, 12])[0]
        pool = self.legacy[encoding]
        lang = rng.choice(sorted(pool))
        chars = int(size / ratio(pool, lang, encoding))
        text = as_text(Writer(pool, rng).paragraphs(lang, chars), ".txt", lang, rng)
        if encoding == "utf-16":
            text = text.replace("\n", "\r\n")   # Windows tools write UTF-16 with CRLF
        return Made(self.name(rng, "legacy", ".txt"), text.encode(encoding), "text-legacy",
                    encoding, lang)

    def text_mojibake(self, rng: random.Random, size: int) -> Made:
        chain = rng.choice(sorted(MOJIBAKE))
        lang = rng.choice(MOJIBAKE[chain])
        chars = int(size / ratio(self.pool, lang, "utf-8") / 1.4)
        paragraphs = Writer(self.pool, rng).paragraphs(lang, chars)
        share = rng.choice([1.0, 1.0, 0.3])     # the whole file, or some paragraphs
        broken = [break_text(p, chain) if rng.random() < share else p for p in paragraphs]
        text = "\n".join(broken) + "\n"
        return Made(self.name(rng, "import", ".txt"), text.encode("utf-8"), "text-mojibake",
                    chain, lang, lost="\ufffd" in text)

    def table(self, rng: random.Random, size: int, kind: str) -> Made:
        share = rng.choice([0.0, 0.0, 0.02, 0.1])
        records, chains = rows(Writer(self.pool, rng), size, share, rng)
        if kind == "jsonl":
            ext = rng.choice([".jsonl", ".jsonl", ".ndjson"])
            text = as_jsonl(records)
        else:
            ext = rng.choice([".csv", ".csv", ".csv", ".tsv"])
            text = as_csv(records, "\t" if ext == ".tsv" else ",")
        return Made(self.name(rng, "export", ext), text.encode("utf-8"), kind, ext[1:],
                    "mixed", lost="\ufffd" in text, rows_broken=chains)

    def compressed(self, rng: random.Random, size: int) -> Made:
        inner = rng.choice(["text", "text", "csv", "jsonl"])
        made = (self.text_utf8(rng, size) if inner == "text" else self.table(rng, size, inner))
        return Made(made.path + ".gz", gzip.compress(made.data, 6, mtime=0), "gz",
                    f"{made.detail}.gz", made.lang, made.lost, made.rows_broken)

    def files(self, total: int) -> list[Made]:
        """Files of each kind until the kind's share of `total` bytes is reached."""
        made: list[Made] = []
        for kind in KINDS:
            rng = self.rng(kind.name)
            budget = int(total * kind.share)
            while budget > 0:
                size = int(rng.lognormvariate(math.log(kind.median), kind.sigma))
                size = max(MIN_FILE, min(MAX_FILE, size, budget + MIN_FILE))
                one = self.make(kind.name, rng, size)
                made.append(one)
                budget -= len(one.data)
        return made

    def make(self, kind: str, rng: random.Random, size: int) -> Made:
        if kind == "text-utf8":
            return self.text_utf8(rng, size)
        if kind == "text-legacy":
            return self.text_legacy(rng, size)
        if kind == "text-mojibake":
            return self.text_mojibake(rng, size)
        if kind == "gz":
            return self.compressed(rng, size)
        return self.table(rng, size, kind)


def composition(made: list[Made], seed: int, size: int, seconds: float) -> dict:
    """Files and bytes per kind, per kind and detail (encoding, chain, format), per
    language; broken rows of tables by chain."""
    def tally(key) -> dict:  # type: ignore[no-untyped-def]
        out: dict[str, dict[str, int]] = {}
        for m in made:
            entry = out.setdefault(key(m), {"files": 0, "bytes": 0})
            entry["files"] += 1
            entry["bytes"] += len(m.data)
        return dict(sorted(out.items()))

    broken: Counter = Counter()
    for m in made:
        broken.update(m.rows_broken)
    return {
        "version": VERSION, "seed": seed, "target_bytes": size,
        "python": sys.version.split()[0], "seconds_to_generate": round(seconds, 2),
        "files": len(made), "bytes": sum(len(m.data) for m in made),
        "by_kind": tally(lambda m: m.kind),
        "by_detail": tally(lambda m: f"{m.kind}: {m.detail}"),
        "by_lang": tally(lambda m: m.lang),
        "with_lost_bytes": tally(lambda m: "U+FFFD in text" if m.lost else "none"),
        "broken_rows_in_tables": dict(sorted(broken.items())),
        "size_quantiles": quantiles(sorted(len(m.data) for m in made)),
    }


def quantiles(sizes: list[int]) -> dict[str, int]:
    pick = {"min": 0.0, "p10": 0.1, "median": 0.5, "p90": 0.9, "p99": 0.99, "max": 1.0}
    return {k: sizes[min(len(sizes) - 1, int(q * len(sizes)))] for k, q in pick.items()}


def parse_size(text: str) -> int:
    """"20MB" -> 20_000_000 (decimal units, as MB/s figures are)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*", text.upper())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: a size like 20MB or 200MB")
    return int(float(match[1]) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[match[2]])


def generate(out: Path, size: int, seed: int = 0,
             eval_dir: Path = ROOT.parent / "shared" / "eval-sources") -> dict:
    """Write the corpus under out/corpus and its composition to out/composition.json
    (written last: its presence means the corpus is complete)."""
    started = time.monotonic()
    (out / "composition.json").unlink(missing_ok=True)
    made = Corpus(load_pool(eval_dir), seed).files(size)
    root = out / "corpus"
    for m in made:
        path = root / m.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(m.data)
        os.utime(path, ns=(1_700_000_000_000_000_000,) * 2)   # same files, same mtimes
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for m in made:   # what each file truly is, to check a tool's output against
            manifest.write(json.dumps({"path": m.path, "kind": m.kind, "detail": m.detail,
                                       "lang": m.lang, "bytes": len(m.data),
                                       "lost_bytes": m.lost}) + "\n")
    result = composition(made, seed, size, time.monotonic() - started)
    (out / "composition.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def show(result: dict) -> str:
    total = result["bytes"]
    lines = [(f"{result['files']:,} files, {total / 1e6:,.1f} MB (seed {result['seed']}, "
              f"{result['seconds_to_generate']} s)"),
             f"  {'kind / detail':<32} {'files':>7} {'MB':>8} {'% bytes':>8}"]
    for title in ("by_kind", "by_detail", "by_lang", "with_lost_bytes"):
        lines.append(f"  -- {title.replace('_', ' ')}")
        for key, entry in result[title].items():
            lines.append(f"  {key:<32} {entry['files']:>7,} {entry['bytes'] / 1e6:>8.2f} "
                         f"{100 * entry['bytes'] / total:>7.1f}%")
    broken = ", ".join(f"{c}: {n:,}" for c, n in result["broken_rows_in_tables"].items())
    lines.append(f"  broken rows in CSV/JSONL: {broken or 'none'}")
    q = result["size_quantiles"]
    lines.append("  file sizes: " + ", ".join(f"{k} {v:,} B" for k, v in q.items()))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default="20MB", help="e.g. 20MB, 200MB")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "eval-sources",
                        help="folder of the eval-sources texts (default: <repo>/../shared/...)")
    args = parser.parse_args()
    if (args.out / "corpus").exists() and any((args.out / "corpus").iterdir()):
        parser.error(f"{args.out / 'corpus'} is not empty: choose a new --out")
    print(show(generate(args.out, args.size, args.seed, args.sources)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
