"""Fuzz `ingest.decode_bytes`, `ingest.repair` and `ingest.fix_text` for hours.

The inputs come from Hypothesis strategies (raw bytes, any string, mojibake made
from random text through every codec chain we repair); the checks are the ones
that must hold for any input:

- `decode_bytes` raises nothing but `BinaryInputError`; its text is valid Unicode
  (encodable as UTF-8, so it can be written to Parquet); strict UTF-8 without a
  byte-order mark or NUL bytes comes back as is;
- `repair` never raises; its steps match the original and replay to its text;
- `fix_text` is idempotent.

Two drivers for the same checks:

    python fuzz/fuzz_repair.py -max_len=4096 -len_control=0 -timeout=10 CORPUS_DIR  # Atheris
    python fuzz/fuzz_repair.py --hypothesis --hours 8 --slow 10                      # Hypothesis

With Atheris (`pip install atheris`), libFuzzer drives Hypothesis's generator with
coverage feedback (`fuzz_one_input`); every libFuzzer flag works (`-max_total_time=`,
`-jobs=`, `-dict=`), and a failing input is written as `crash-*`, to be replayed with
`python fuzz/fuzz_repair.py crash-…`. Without Atheris, or with `--hypothesis`,
Hypothesis runs batches of random examples until the time is up and prints the
shrunk failing example. An input that takes longer than 10 s is a failure too
(`-timeout=10`, `--slow 10`): the engine caches per line, so a slow input is slow
only the first time, which a fuzzer that repeats inputs would otherwise hide.
"""

from __future__ import annotations

import argparse
import codecs
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    import atheris
except ImportError:
    atheris = None

if atheris is not None and "--hypothesis" not in sys.argv:
    with atheris.instrument_imports(include=["ingest"]):
        import ingest
else:
    import ingest

BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
        codecs.BOM_UTF32_BE)
#: Wrong decoders of UTF-8 we repair, and the ones legacy bytes are read with.
UTF8_READ_AS = ("cp1252", "latin-1", "gbk", "gb18030", "big5", "cp950", "shift_jis", "cp932",
                "euc_jp", "euc_kr", "cp949")
LEGACY = ("gbk", "gb18030", "big5", "cp950", "shift_jis", "cp932", "euc_jp", "euc_kr",
          "cp949", "cp1251", "koi8_r", "cp1253", "cp1255", "cp1256", "tis_620")

any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
#: Characters from the scripts the codecs above carry, so the chains have work to do.
script_char = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0xA0, max_codepoint=0x24F),       # Latin-1, Latin Extended
    st.characters(min_codepoint=0x370, max_codepoint=0x4FF),      # Greek, Cyrillic
    st.characters(min_codepoint=0x2010, max_codepoint=0x2030),    # quotes, dashes
    st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),    # kana
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),    # CJK
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),    # Hangul
    st.characters(min_codepoint=0xFF61, max_codepoint=0xFF9F),    # half-width katakana
    st.sampled_from("\n\r\t \ufffd"),
)
script_text = st.text(script_char, max_size=300)


@st.composite
def mojibake(draw: st.DrawFn) -> str:
    """Random text through a chain: UTF-8 read as a wrong codec, or legacy bytes read
    as Latin-1/CP1252, once or twice, bytes lost or not."""
    text = draw(script_text)
    for _ in range(draw(st.integers(1, 2))):
        errors = draw(st.sampled_from(["replace", "ignore"]))
        if draw(st.booleans()):
            text = text.encode("utf-8").decode(draw(st.sampled_from(UTF8_READ_AS)), errors)
        else:
            data = text.encode(draw(st.sampled_from(LEGACY)), errors="ignore")
            text = data.decode(draw(st.sampled_from(["latin-1", "cp1252"])), errors)
    return text


@st.composite
def raw_bytes(draw: st.DrawFn) -> bytes:
    """Bytes: random, text in some encoding, cut anywhere, a mark in front or not."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        data = draw(st.binary(max_size=4096))
    else:
        codec = draw(st.sampled_from(("utf-8", "utf-16-le", "utf-16-be", "utf-32-le")
                                     + LEGACY))
        data = draw(script_text).encode(codec, errors="ignore")
        if kind == 2 and data:
            data = data[:draw(st.integers(0, len(data)))]
        if kind == 3:
            data += draw(st.binary(max_size=16))
    if draw(st.booleans()):
        data = draw(st.sampled_from(BOMS)) + data
    return data


def check_decode(data: bytes) -> None:
    try:
        decoded = ingest.decode_bytes(data)
    except ingest.BinaryInputError:
        return
    assert isinstance(decoded.text, str) and isinstance(decoded.encoding, str)
    assert 0.0 <= decoded.confidence <= 1.0
    decoded.text.encode("utf-8")   # no lone surrogates: the text must be storable
    if not data.startswith(BOMS) and b"\0" not in data:
        try:
            strict = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        assert decoded.text == strict and decoded.encoding == "utf-8"


def check_repair(text: str) -> None:
    result = ingest.repair(text)
    assert result.original == text
    for step in result.steps:
        assert 0 <= step.start <= step.end <= len(text)
        assert text[step.start:step.end] == step.before
    assert ingest.apply_steps(text, result.steps) == result.text
    assert result.changed == (result.text != text)
    once = ingest.fix_text(text)
    assert ingest.fix_text(once) == once


inputs = st.one_of(
    raw_bytes().map(lambda b: ("decode", b)),
    st.text(any_char, max_size=500).map(lambda t: ("repair", t)),
    mojibake().map(lambda t: ("repair", t)),
)


def one(case: tuple[str, object]) -> None:
    kind, value = case
    if kind == "decode":
        assert isinstance(value, bytes)
        check_decode(value)
        try:
            text = ingest.decode_bytes(value).text
        except ingest.BinaryInputError:
            return
        check_repair(text)
    else:
        assert isinstance(value, str)
        check_repair(value)


def hypothesis_target(examples: int, slow: float | None = None) -> object:
    @settings(max_examples=examples, deadline=slow and slow * 1000, database=None,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(inputs)
    def fuzz(case: tuple[str, object]) -> None:
        one(case)
    return fuzz


def main() -> int:
    if atheris is not None and "--hypothesis" not in sys.argv:
        target = hypothesis_target(1)
        atheris.Setup(sys.argv, target.hypothesis.fuzz_one_input)  # type: ignore[attr-defined]
        atheris.Fuzz()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hypothesis", action="store_true", help="do not use Atheris")
    parser.add_argument("--hours", type=float, default=1.0, help="run this long (default 1)")
    parser.add_argument("--batch", type=int, default=10_000, help="examples per batch")
    parser.add_argument("--slow", type=float, default=10.0, metavar="SECONDS",
                        help="an input taking longer than this fails (default 10)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.hours * 3600
    batches = 0
    while time.monotonic() < deadline:
        hypothesis_target(args.batch, args.slow)()   # raises on a failure, shrunk
        batches += 1
        print(f"{batches * args.batch:,} examples, no failure", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
