"""A corpus of hostile inputs for `ingest run`, and a manifest saying what each is.

    python tests/hostile/generate.py DIR [--manifest FILE.json] [--small]

writes more than a thousand malformed files under DIR/src, a canary under
DIR/outside (which links in src point to and nothing may ever read), and returns
(or writes as JSON) the manifest: each input's path relative to src, shown the
way `ingest` shows names (bytes that are not UTF-8 as `\\xNN`), its kind, and
what a run must make of it:

- "record":      at least one record that is not quarantined;
- "quarantined": at least one quarantined record, with its reason;
- "skipped":     a report entry under `skipped`, with its reason;
- "unreadable":  a report entry under `unreadable`, with its reason;
- "accounted":   any of the above (inputs whose fate depends on detection);
- "vanishing":   removed by the test while the run goes: a record or `unreadable`.

Everything is seeded, so the corpus is the same on every machine. The whole thing
takes a few seconds; the 100 MB line and the bombs are written in blocks, never
held in memory. `--small` leaves out the 100 MB line and the 10 MB cell.
"""

from __future__ import annotations

import argparse
import bz2
import codecs
import gzip
import json
import lzma
import os
import random
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

MB = 2**20

#: Short phrases written for this corpus, one per script the codecs carry.
PHRASES = (
    "The committee’s report — published on Tuesday — “changes nothing”, she said.",
    "Le café était fermé ; l’été déjà fini, on a bu un thé à la pâtisserie.",
    "Die Straße war glatt, und Jürgen fuhr über die Brücke nach Köln.",
    "Москва встретила нас дождём, но к вечеру небо прояснилось.",
    "Η βιβλιοθήκη ανοίγει νωρίς το πρωί κάθε Σάββατο.",
    "我们明天早上八点在图书馆门口见面，别迟到。",
    "這個城市的夜景非常漂亮，值得再來一次。",
    "明日の会議は午後三時から始まりますので、資料を準備してください。",
    "내일 아침에 공원에서 같이 산책할까요?",
    "שלום לכולם, הפגישה נדחתה ליום ראשון.",
    "مرحبا بكم في المكتبة العامة للمدينة.",
    "ร้านอาหารนี้เปิดทุกวันตั้งแต่เช้าจนถึงค่ำ",
    "Emoji too: 🎉 party 🐍 python 👍🏽 done.",
)
#: Encodings a phrase is written in, when it fits.
ENCODINGS = ("utf-8", "cp1252", "latin-1", "gbk", "big5", "shift_jis", "euc_jp", "euc_kr",
             "cp1251", "koi8_r", "cp1253", "cp1255", "cp1256", "tis_620", "utf-16-le",
             "utf-16-be", "utf-32-le")
BOMS = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE}


@dataclass(frozen=True)
class Entry:
    path: str      # relative to src, as ingest shows it
    kind: str      # what sort of hostile input
    expect: str    # record | quarantined | skipped | unreadable | accounted | vanishing


@dataclass
class Manifest:
    src: str
    outside: str
    canary: str                       # text of the outside file: must appear nowhere
    entries: list[Entry] = field(default_factory=list)
    vanishing: list[str] = field(default_factory=list)    # absolute paths the test removes
    restore: list[str] = field(default_factory=list)      # chmod 000 paths, to give back
    left_out: list[str] = field(default_factory=list)     # parts not made here, and why

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, ensure_ascii=False, indent=1)


class _Writer:
    def __init__(self, src: Path, manifest: Manifest) -> None:
        self.src = src
        self.manifest = manifest

    def path(self, rel: str | bytes) -> bytes:
        full = os.path.join(os.fsencode(self.src), os.fsencode(rel))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        return full

    def add(self, rel: str | bytes, kind: str, expect: str) -> None:
        shown = os.fsencode(rel).decode("utf-8", "backslashreplace")
        self.manifest.entries.append(Entry(shown, kind, expect))

    def write(self, rel: str | bytes, data: bytes, kind: str, expect: str) -> bytes:
        full = self.path(rel)
        with open(full, "wb") as f:
            f.write(data)
        self.add(rel, kind, expect)
        return full


def generate(root: Path, *, seed: int = 6, small: bool = False) -> Manifest:
    """Write the corpus under root/src and root/outside; return its manifest."""
    root = Path(root)
    src, outside = root / "src", root / "outside"
    src.mkdir(parents=True)
    outside.mkdir(parents=True)
    rng = random.Random(seed)
    canary = f"CANARY-{rng.getrandbits(64):016x}-outside-src-never-read"
    (outside / "canary.txt").write_text(canary + "\n", encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "canary.txt").write_text(canary + "\n", encoding="utf-8")
    manifest = Manifest(str(src), str(outside), canary)
    w = _Writer(src, manifest)
    for part in (_random_bytes, _cut_utf8, _wrong_boms, _nuls, _utf16_unmarked,
                 _monotone, _mixed_lines, _csv, _jsonl, _empty, _names, _links,
                 _compressed, _special, _unreadable):
        part(w, rng)
    if not small:
        _huge(w)
    return manifest


def _phrase_bytes(rng: random.Random, count: int, encoding: str) -> bytes:
    fitting = [p for p in PHRASES if _fits(p, encoding)] or [PHRASES[0].encode(
        "ascii", "ignore").decode()]
    return "\n".join(rng.choice(fitting) for _ in range(count)).encode(encoding) + b"\n"


def _fits(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _random_bytes(w: _Writer, rng: random.Random) -> None:
    exts = (".txt", ".md", ".csv", ".tsv", ".jsonl", ".log", "", ".bin", ".html")
    high = bytes(0x80 | b for b in range(256))
    stray = b"abc de\n\x85\xe9\xff\xc3\xa9"
    stray = bytes(stray[b % len(stray)] for b in range(256))
    for i in range(400):
        data = rng.randbytes(rng.choice((1, 2, 3, 7, 64, 511, 4096, 65_537)))
        if i % 4 == 0:    # bytes of the high half only: looks like a legacy code page
            data = data.translate(high)
        elif i % 4 == 1:  # ASCII letters with stray high bytes
            data = data.translate(stray)
        w.write(f"random/r{i:03d}{exts[i % len(exts)]}", data, "random bytes", "accounted")


def _cut_utf8(w: _Writer, rng: random.Random) -> None:
    for i in range(100):
        data = _phrase_bytes(rng, rng.randrange(1, 40), "utf-8")
        cuts = [k for k in range(1, len(data)) if 0x80 <= data[k] < 0xC0]
        if not cuts:
            continue
        cut = rng.choice(cuts)
        if i % 3 == 0:     # the cut character's tail lost mid-file, the rest kept
            data = data[:cut] + data[cut + 1:]
        else:               # the file ends inside a character
            data = data[:cut]
        w.write(f"cut-utf8/c{i:03d}.txt", data, "UTF-8 cut inside a character", "accounted")


def _wrong_boms(w: _Writer, rng: random.Random) -> None:
    phrase = "Grüße aus 東京 — naïve café\n" * 3
    bodies = {
        "utf-8-body": phrase.encode("utf-8"),
        "utf-16-le-body": phrase.encode("utf-16-le"),
        "utf-16-be-body": phrase.encode("utf-16-be"),
        "utf-32-le-body": phrase.encode("utf-32-le"),
        "gbk-body": "你好，世界\n".encode("gbk"),
        "cp1252-body": "café déjà vu\n".encode("cp1252"),
        "odd-length": phrase.encode("utf-16-le")[:-1],
        "lone-surrogate-utf16": b"a\x00\x00\xd8b\x00",
        "empty-body": b"",
        "random-body": rng.randbytes(300),
        "bom-twice": None,
    }
    for bom_name, bom in BOMS.items():
        for body_name, body in bodies.items():
            if body is None:
                body = bom + phrase.encode(bom_name)
            if body_name.startswith(bom_name):
                continue   # the right body: not hostile
            for ext in (".txt", ".csv", ".jsonl"):
                w.write(f"boms/{bom_name}-bom/{body_name}{ext}", bom + body,
                        f"{bom_name} mark, {body_name}", "accounted")


def _nuls(w: _Writer, rng: random.Random) -> None:
    for i in range(50):
        data = bytearray(_phrase_bytes(rng, rng.randrange(1, 20), "utf-8"))
        for _ in range(rng.choice((1, 1, 3, 50))):
            data.insert(rng.randrange(len(data) + 1), 0)
        ext = (".txt", ".csv", ".jsonl")[i % 3]
        w.write(f"nul/n{i:02d}{ext}", bytes(data), "NUL bytes inside text", "accounted")
    w.write("nul/only-nuls.txt", b"\0" * 4096, "nothing but NUL", "accounted")


def _utf16_unmarked(w: _Writer, rng: random.Random) -> None:
    for i, encoding in enumerate(("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be") * 10):
        lines = rng.randrange(1, 30)
        w.write(f"utf16-no-bom/u{i:02d}-{encoding}.txt", _phrase_bytes(rng, lines, encoding),
                f"{encoding} without a mark", "accounted")


def _monotone(w: _Writer, rng: random.Random) -> None:
    for unit in ("Ã", "鈥", "鈥\ufffd", "ÃƒÂ", "\ufffd", "锟斤拷"):
        for count in (1, 2, 3, 1000, 20_000):
            name = unit.encode("unicode_escape").decode().replace("\\", "")
            for layout in ("line", "lines"):
                text = unit * count if layout == "line" else (unit * 40 + "\n") * (count // 40 + 1)
                w.write(f"monotone/{name}-{count}-{layout}.txt", text.encode("utf-8"),
                        f"a file of only {unit!r}", "record")
    w.write("monotone/gbk-bytes-of-鈥.txt", "鈥".encode("gbk") * 5000,
            "鈥 in GBK bytes, nothing else", "accounted")


def _mixed_lines(w: _Writer, rng: random.Random) -> None:
    encodings = [e for e in ENCODINGS if not e.startswith("utf-16") and not e.startswith("utf-32")]
    for i in range(100):
        out = []
        for _ in range(rng.randrange(2, 30)):
            encoding = rng.choice(encodings)
            out.append(_phrase_bytes(rng, 1, encoding))
            if rng.random() < 0.05:
                out.append(_phrase_bytes(rng, 1, "utf-16-le"))
        w.write(f"mixed/m{i:03d}.txt", b"".join(out), "mixed encodings line by line",
                "accounted")


def _csv(w: _Writer, rng: random.Random) -> None:
    def rows(n: int) -> str:
        return "".join(f"{k},{rng.choice(PHRASES).replace(',', ' ')}\n" for k in range(n))

    header = "id,text\n"
    cases = {
        "unbalanced-quote-middle": header + rows(5) + '6,"never closed\n' + rows(5),
        "unbalanced-quote-end": header + rows(5) + '6,"never closed',
        "quote-in-unquoted": header + 'a,b"c\n' + rows(3),
        "ragged-more": header + rows(3) + "1,2,3,4,5,6\n" + rows(3),
        "ragged-fewer": header + rows(3) + "only-one-field\n" + rows(3),
        "ragged-every-row": "".join(",".join("x" * k for k in range(n)) + "\n" for n in range(1, 50)),
        "header-only": header,
        "no-header-newline": "id,text",
        "duplicate-header": "text,text,text\n1,2,3\n",
        "empty-header": ",,\n1,2,3\n",
        "many-columns": ",".join(f"c{k}" for k in range(5000)) + "\n" + ",".join("v" * 5000) + "\n",
        "crlf-and-cr": "id,text\r\n1,caf\u00e9\r2,na\u00efve\r\n",
        "quoted-newlines": header + '1,"a\nb\nc"\n2,"d\r\ne"\n',
        "only-quotes": '"""""""""""""""""""\n' * 20,
        "backslashes": header + '1,"a\\"b"\n2,c\\\n',
        "mojibake-header": "id,tÃ©xt,鈥渘ame\n1,cafÃ©,they鈥檙e\n",
        "ten-thousand-line-row": header + '1,"' + "x\n" * 10_050 + '"\n' + rows(2),
    }
    for name, text in cases.items():
        expect = "quarantined" if name.startswith(("unbalanced", "ragged-more",
                                                   "ragged-fewer")) else "accounted"
        for ext in (".csv", ".tsv"):
            if ext == ".tsv":
                text = text.replace(",", "\t")
            w.write(f"csv/{name}{ext}", text.encode("utf-8"), f"CSV: {name}",
                    expect if ext == ".csv" else "accounted")
    for i in range(20):
        n = rng.randrange(1, 40)
        lines = [",".join(rng.choice(['a', '"b', 'c"', '""', "d,e", "\u00e9", "鈥"])
                          for _ in range(rng.randrange(1, 6))) for _ in range(n)]
        w.write(f"csv/random-{i:02d}.csv", ("\n".join(lines)).encode("utf-8"),
                "CSV: random quoting", "accounted")


def _jsonl(w: _Writer, rng: random.Random) -> None:
    good = json.dumps({"text": "they鈥檙e here", "n": 1}, ensure_ascii=False)
    cases = {
        "invalid-braces": ["{not json", good, "}{", good],
        "truncated-last": [good, good, good[: len(good) // 2]],
        "trailing-comma": ['{"text": "a",}', good],
        "single-quotes": ["{'text': 'a'}", good],
        "non-string-keys": ['{1: "a"}', '{true: "b"}', '{null: "c"}', good],
        "deep-nesting-arrays": ["[" * 100_000 + "]" * 100_000, good],
        "deep-nesting-objects": ['{"a":' * 50_000 + '"x"' + "}" * 50_000, good],
        "deep-nesting-unclosed": ["[" * 200_000],
        "huge-int": ['{"text": "n", "n": ' + "9" * 5000 + "}", good],
        "huge-int-bare": ["9" * 100_000],
        "huge-float": ['{"text": "f", "x": 1e999, "y": -1e999, "z": 1e-999}'],
        "nan-infinity": ['{"text": "c", "a": NaN, "b": Infinity, "c": -Infinity}'],
        "lone-surrogates": ['{"text": "a\\ud800b"}', '{"text": "\\udfff"}',
                            '{"\\ud83d": "key"}', '"\\ud800\\ud800"', good],
        "surrogate-pair-escapes": ['{"text": "\\ud83d\\ude00 fine"}'],
        "escaped-nul": ['{"text": "a\\u0000b"}'],
        "raw-control-chars": ['{"text": "a\tb\x01c"}'],
        "duplicate-keys": ['{"text": "a", "text": "b"}'],
        "top-level-scalars": ["1", "true", "null", '"a string"', "[1,2]", "3.5"],
        "empty-object": ["{}", '{"text": ""}', '{"text": null}', '{"text": 5}'],
        "nested-text": ['{"text": {"text": {"text": "deep"}}}'],
        "huge-key": ['{"' + "k" * 100_000 + '": "v"}'],
        "many-keys": [json.dumps({f"k{i}": i for i in range(20_000)})],
        "blank-lines": ["", "   ", good, "\t", good],
        "crlf": [good + "\r", good + "\r"],
        "bom-each-line": ["\ufeff" + good, "\ufeff" + good],
        "binary-line": [good, "\x00\x01\x02\x03"],
    }
    for name, lines in cases.items():
        data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
        expect = "quarantined" if name.startswith(
            ("invalid", "trailing", "single", "non-string", "deep-nesting-unclosed",
             "top-level")) else "accounted"
        w.write(f"jsonl/{name}.jsonl", data, f"JSON lines: {name}", expect)
    keys = ['"text"', '"a"', "1", '"\\ud800"']
    values = ['"x"', "1e400", "[]", "{}", "null", '"\\udc00"', '"鈥檙"', "-0", "0.1e1"]
    for i in range(60):
        lines = []
        for _ in range(rng.randrange(1, 10)):
            pairs = ", ".join(f"{rng.choice(keys)}: {rng.choice(values)}"
                              for _ in range(rng.randrange(0, 4)))
            line = "{" + pairs + "}"
            if rng.random() < 0.2:
                line = line[: rng.randrange(len(line) + 1)]
            lines.append(line)
        w.write(f"jsonl/random-{i:02d}.jsonl", "\n".join(lines).encode("utf-8"),
                "JSON lines: random", "accounted")


def _empty(w: _Writer, rng: random.Random) -> None:
    for ext in (".txt", ".csv", ".tsv", ".jsonl", ".ndjson", ".md", ""):
        w.write(f"empty/empty{ext}", b"", "empty file", "accounted")
    for ext in (".gz", ".bz2", ".xz", ".csv.gz", ".jsonl.xz"):
        w.write(f"empty/empty{ext}", b"", "empty file with a compression suffix", "accounted")
    w.write("empty/newline.txt", b"\n", "a single newline", "record")
    w.write("empty/whitespace.jsonl", b"  \n\n\t\n", "JSON lines of blanks", "accounted")


def _names(w: _Writer, rng: random.Random) -> None:
    names: list[bytes] = [
        b"caf\xe9.txt", b"\xff\xfe.txt", b"\xed\xa0\x80-surrogate.txt", b"\xc3.txt",
        b"\x80\x81\x82", b"mixed-\xe4\xb8-cut.txt",
        b"line\nbreak.txt", b"\nleading-newline.txt", b"trailing-newline.txt\n",
        b"carriage\rreturn.txt", b"tab\tname.txt",
        b"-rf", b"--out=elsewhere.txt", b"-", b"--", b"--help.txt", b"-q.csv",
        b" leading space.txt", b"trailing space.txt ", b"back\\slash.txt",
        b"star*and?glob[1].txt", b"quote\"and'apostrophe.txt",
        "名前.txt".encode(), "é-nfd-e\u0301.txt".encode(), "emoji-🎉.txt".encode(),
        b"x" * 250 + b".txt",
    ]
    for i, name in enumerate(names):
        body = f"file {i} with a hostile name\n".encode()
        w.write(b"names/" + name, body, "hostile file name", "record")
    w.write(b"names/bad-dir-\xfe/inner.txt", b"inside a folder with a bad name\n",
            "file in a folder whose name is not UTF-8", "record")
    w.write(b"names/-dash-dir/--inner.txt", b"dash folder\n", "folder with a leading dash",
            "record")
    deep = "/".join(["d"] * 120)
    w.write(f"names/{deep}/deep.txt", b"deep down\n", "120 folders deep", "record")


def _links(w: _Writer, rng: random.Random) -> None:
    src, outside = w.src, Path(w.manifest.outside)
    base = os.fsdecode(os.path.dirname(w.path("links/x")))

    def link(name: str, target: str | Path, expect: str, kind: str) -> None:
        os.symlink(target, os.path.join(base, name))
        w.add(f"links/{name}", kind, expect)

    link("self-loop", "self-loop", "skipped", "link to itself")
    link("loop-a", "loop-b", "skipped", "two links pointing at each other")
    link("loop-b", "loop-a", "skipped", "two links pointing at each other")
    link("dir-loop", ".", "skipped", "link to its own folder")
    link("up-loop", "..", "skipped", "link to the parent folder")
    link("to-root", src, "skipped", "link to SRC itself")
    link("outside-abs.txt", outside / "canary.txt", "skipped", "absolute link outside SRC")
    link("outside-rel.txt", os.path.relpath(outside / "canary.txt", base), "skipped",
         "relative link outside SRC")
    link("outside-dir", outside / "folder", "skipped", "link to a folder outside SRC")
    link("dangling.txt", "no-such-file.txt", "skipped", "link to nothing")
    link("chain-out.txt", "outside-rel.txt", "skipped", "link to a link that leaves SRC")
    (src / "links" / "real.txt").write_text("the real file\n", encoding="utf-8")
    w.add("links/real.txt", "plain file", "record")
    link("inside.txt", "real.txt", "record", "link to a file inside SRC")


def _compressed(w: _Writer, rng: random.Random) -> None:
    body = _phrase_bytes(rng, 2000, "utf-8")
    jsonl = "".join(json.dumps({"text": "it鈥檚 " + str(i)}, ensure_ascii=False) + "\n"
                    for i in range(3000)).encode()
    packers = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
    for suffix, pack in packers.items():
        for inner, payload in ((".txt", body), (".jsonl", jsonl), (".csv", b"id,text\n" + body)):
            packed = pack(payload)
            name = f"compressed/{suffix[1:]}{inner}"
            w.write(f"{name}-ok{inner}{suffix}", packed, "compressed, fine", "record")
            w.write(f"{name}-truncated{inner}{suffix}", packed[: len(packed) // 2],
                    "compressed, truncated", "quarantined")
            w.write(f"{name}-cut-tail{inner}{suffix}", packed[:-8],
                    "compressed, last bytes missing", "accounted")
            mangled = bytearray(packed)
            for k in range(min(len(mangled), 24), len(mangled), 97):
                mangled[k] ^= 0x5A
            w.write(f"{name}-corrupt{inner}{suffix}", bytes(mangled),
                    "compressed, bytes flipped", "accounted")
            w.write(f"{name}-garbage{inner}{suffix}", packed[:4] + rng.randbytes(500),
                    "compressed magic, garbage body", "quarantined")
        w.write(f"compressed/plain-text-named{suffix}", b"not compressed at all\n",
                "plain text with a compression suffix", "quarantined")
        w.write(f"compressed/binary-inside{suffix}", pack(rng.randbytes(4096)),
                "compressed random bytes", "accounted")
        w.write(f"compressed/double{suffix}{suffix}", pack(pack(body)),
                "compressed twice", "accounted")
        _bomb(w, f"compressed/bomb.txt{suffix}", pack)
    w.write("compressed/two-members.txt.gz", gzip.compress(b"first\n") + gzip.compress(b"second\n"),
            "gzip with two members", "record")
    w.write("compressed/member-then-junk.txt.gz", gzip.compress(b"first\n") + b"junk" * 10,
            "gzip member then junk", "accounted")


def _bomb(w: _Writer, rel: str, pack) -> None:  # type: ignore[no-untyped-def]
    """Text that expands far beyond the cap (100x, and at least 16 MB): 64 streams of
    1 MB each, one after the other, which all three formats read as one file. Text,
    not zeros, so that the cap is what stops it (zeros are refused as binary first)."""
    w.write(rel, pack(b"bomb " * (MB // 5)) * 64, "compression bomb (64 MB of text)",
            "quarantined")
    w.write(rel.replace("bomb", "bomb-zeros"), pack(b"\0" * MB) * 64,
            "compression bomb (64 MB of zeros)", "quarantined")


def _special(w: _Writer, rng: random.Random) -> None:
    if hasattr(os, "mkfifo"):
        os.mkfifo(w.path("special/named-pipe.txt"))
        w.add("special/named-pipe.txt", "named pipe (reading it would block)", "skipped")
    else:
        w.manifest.left_out.append("named pipe: os.mkfifo is not available here")
    full = w.write("special/vanishing.txt", b"this file is removed while the run goes\n",
                   "removed during the run", "vanishing")
    w.manifest.vanishing.append(os.fsdecode(full))


def _unreadable(w: _Writer, rng: random.Random) -> None:
    file = w.path("unreadable/locked.txt")
    with open(file, "wb") as f:
        f.write(b"a file nobody may read\n")
    folder = w.path("unreadable/locked-folder/inner.txt")
    with open(folder, "wb") as f:
        f.write(b"inside a folder nobody may list\n")
    folder = os.path.dirname(folder)
    os.chmod(file, 0)
    os.chmod(folder, 0)
    if _can_read(file):
        os.chmod(file, stat.S_IRUSR | stat.S_IWUSR)
        os.chmod(folder, stat.S_IRWXU)
        w.add("unreadable/locked.txt", "chmod 000 file (readable anyway here)", "record")
        w.add("unreadable/locked-folder/inner.txt", "chmod 000 folder (listable anyway here)",
              "record")
        w.manifest.left_out.append("unreadable files: this process reads files whatever "
                                   "their mode (root?), so chmod 000 proves nothing here")
        return
    w.manifest.restore += [os.fsdecode(file), os.fsdecode(folder)]
    w.add("unreadable/locked.txt", "chmod 000 file", "unreadable")
    w.add("unreadable/locked-folder", "chmod 000 folder", "skipped")


def _can_read(path: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            f.read(1)
    except PermissionError:
        return False
    return True


def _huge(w: _Writer) -> None:
    """A single 100 MB line, and a CSV whose one cell is 10 MB: written in blocks."""
    block = ("the quick brown fox jumps over the lazy dog; " * 23_000).encode()
    full = w.path("huge/one-line-100mb.txt")
    with open(full, "wb") as f:
        written = 0
        while written < 100 * MB:
            f.write(block)
            written += len(block)
        f.write("… and the end, with a café.\n".encode())
    w.add("huge/one-line-100mb.txt", "a single line of 100 MB", "record")
    full = w.path("huge/cell-10mb.csv")
    with open(full, "wb") as f:
        f.write(b'id,text,note\n1,"')
        f.writelines(b"x" * (MB - 1) + b"," for _ in range(10))
        f.write(b'",after\n2,small,row\n')
    w.add("huge/cell-10mb.csv", "CSV with a 10 MB cell", "record")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder to create (src/ and outside/ go in it)")
    parser.add_argument("--manifest", type=Path, help="write the manifest here as JSON")
    parser.add_argument("--small", action="store_true", help="no 100 MB line, no 10 MB cell")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    manifest = generate(args.root, seed=args.seed, small=args.small)
    if args.manifest:
        args.manifest.write_text(manifest.to_json(), encoding="utf-8")
    print(f"{len(manifest.entries)} inputs under {manifest.src}")
    for why in manifest.left_out:
        print(f"left out: {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
