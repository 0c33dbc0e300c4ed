"""Properties of the repair engine that must hold for any input (Hypothesis).

- `fix_text` and `repair` never raise, on any string: every plane, lone surrogates,
  and the characters mojibake is made of;
- `fix_text` is idempotent;
- clean text in real languages comes back identical;
- text broken by any supported codec chain never comes back with a higher character
  error rate than it went in;
- a repair's steps replayed on its original give its text.

The clean samples are real text that ships with CPython (its codec test data and
encoded-module tests) and the repo's own clean seed, so CI needs nothing else.

Example counts are sized for CI. For a long hunt, pick the long profile:

    INGEST_PROPERTY_PROFILE=long python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import math
import os
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import SEEDS, corrupt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "long", max_examples=20_000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile(os.environ.get("INGEST_PROPERTY_PROFILE", "ci"))


def budget(share: float) -> settings:
    """The profile's settings with `share` of its example count (cheap tests get more)."""
    return settings(PROFILE, max_examples=max(10, int(PROFILE.max_examples * share)))


# ---------------------------------------------------------------- real clean text

def _stdlib_test_dir() -> Path | None:
    try:
        import test
    except ImportError:
        return None
    return Path(os.path.dirname(test.__file__))


#: CPython's codec test texts in UTF-8 that are running prose (the cp949, johab,
#: jisx0213 and big5hkscs files are code-point stress lists, not text).
CJK_PROSE = ("big5", "gb2312", "gbk", "gb18030", "euc_jp", "shift_jis", "euc_kr",
             "iso2022_jp", "iso2022_kr")


@cache
def clean_samples() -> tuple[tuple[str, str], ...]:
    """(label, paragraph) pairs of real clean text, as many languages as we can reach."""
    samples: list[tuple[str, str]] = []
    seed = (SEEDS / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8")
    samples += [("seed-en", p) for p in seed.split("\n\n") if len(p) > 40]
    folder = _stdlib_test_dir()
    if folder is not None:
        for name in CJK_PROSE:
            path = folder / "cjkencodings" / f"{name}-utf8.txt"
            if path.exists():
                text = path.read_text(encoding="utf-8")
                samples += [(name, p) for p in text.split("\n\n") if p.strip()]
        modules = folder / "encoded_modules"
        for name, codec in (("module_iso_8859_1.py", "latin-1"), ("module_koi8_r.py", "koi8-r")):
            if (modules / name).exists():
                source = (modules / name).read_text(encoding=codec)
                samples += [(name, _string_literal(source))]
    return tuple(samples)


def _string_literal(source: str) -> str:
    """The text of `test = (...)` in CPython's encoded-module tests, pieces joined."""
    body = source.split("test =", 1)[1]
    return "".join(re.findall(r'"([^"]*)"', body))


def test_clean_samples_cover_several_scripts() -> None:
    scripts = {label for label, _ in clean_samples()}
    if _stdlib_test_dir() is None:
        pytest.skip("no CPython test package here: only the English seed is available")
    assert {"seed-en", "gbk", "big5", "euc_jp", "euc_kr", "module_koi8_r.py"} <= scripts


@st.composite
def clean_text(draw: st.DrawFn) -> str:
    """A run of whole lines from one real sample, or pieces of several joined."""
    samples = clean_samples()
    pieces = []
    for _ in range(draw(st.integers(1, 2))):
        _, paragraph = draw(st.sampled_from(samples))
        lines = paragraph.splitlines(keepends=True)
        start = draw(st.integers(0, len(lines) - 1))
        stop = draw(st.integers(start + 1, min(len(lines), start + 3)))
        pieces.append("".join(lines[start:stop]))
    return draw(st.sampled_from(["", "\n", " "])).join(pieces)


# ---------------------------------------------------------------- hostile strings

#: Any code point in any plane, lone surrogates included.
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
#: One code point from a chosen plane, so the rare planes come up as often as the BMP.
plane_char = st.integers(0, 16).flatmap(
    lambda p: st.integers(p << 16, (p << 16) | 0xFFFF)).map(chr)
surrogate = st.integers(0xD800, 0xDFFF).map(chr)
#: The characters our detectors react to: Latin-1/CP1252 and CJK mojibake, lost bytes.
mojibake_char = st.sampled_from(list(
    "鈥檙拢渁浣犲ソ锟斤拷ÃƒÂ©â€™Ä¹ãºÖÐÊÓ\ufffd\x80\x81\x9d\xa0ï¿½æ‹¢ç¹ﾃｧ "
    "abcXYZ019,.'\"\n\r\t–—’“”…"))
hostile_text = st.text(st.one_of(any_char, plane_char, surrogate, mojibake_char), max_size=120)
mojibake_soup = st.text(mojibake_char, max_size=200)


def _broken(text: str, chain: tuple[str, ...]) -> str:
    return corrupt(text, list(chain), errors="replace")


#: UTF-8 read by each wrong decoder we claim to repair.
UTF8_READ_AS = ("cp1252", "latin-1", "gbk", "gb18030", "big5", "cp950", "shift_jis", "cp932",
                "euc_jp", "euc_kr", "cp949")
#: Legacy bytes read as Latin-1 (and as Windows-1252, which is what browsers do).
LEGACY_AS_LATIN = ("gbk", "gb18030", "big5", "cp950", "shift_jis", "cp932", "euc_jp",
                   "euc_kr", "cp949", "cp1251", "koi8_r", "cp1253")
CHAINS = ([("utf-8", c) for c in UTF8_READ_AS]
          + [(legacy, reader) for legacy in LEGACY_AS_LATIN for reader in ("latin-1", "cp1252")])


@st.composite
def broken_text(draw: st.DrawFn) -> tuple[str, str, tuple[str, ...]]:
    """(clean, broken, chain): real text through a chain it survives (legacy codecs
    cannot encode every script, so a sample is redrawn until one fits)."""
    chain = draw(st.sampled_from(CHAINS))
    clean = draw(clean_text().filter(lambda t: _encodes(t, chain[0])))
    return clean, _broken(clean, chain), chain


def _encodes(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return not text.isascii()


# ---------------------------------------------------------------- the properties

@budget(1.0)
@given(st.one_of(hostile_text, mojibake_soup))
def test_never_raises_and_replays(text: str) -> None:
    result = ingest.repair(text)
    assert result.original == text
    assert ingest.apply_steps(text, result.steps) == result.text
    assert result.changed == (result.text != text)
    assert 0.0 <= result.confidence <= 1.0
    for step in result.steps:
        assert text[step.start:step.end] == step.before
    assert ingest.fix_text(text) == result.text or text.isascii()


@budget(1.0)
@given(st.one_of(hostile_text, mojibake_soup))
def test_idempotent(text: str) -> None:
    once = ingest.fix_text(text)
    assert ingest.fix_text(once) == once


@budget(0.5)
@given(broken_text())
def test_idempotent_on_real_mojibake(case: tuple[str, str, tuple[str, ...]]) -> None:
    _, broken, _ = case
    once = ingest.fix_text(broken)
    assert ingest.fix_text(once) == once


@budget(0.5)
@given(clean_text())
def test_clean_real_text_is_identity(text: str) -> None:
    assert ingest.fix_text(text) == text


@pytest.mark.parametrize("label", sorted({label for label, _ in clean_samples()}))
def test_every_clean_sample_is_identity(label: str) -> None:
    text = "\n\n".join(p for name, p in clean_samples() if name == label)
    assert ingest.fix_text(text) == text


@budget(1.0)
@given(broken_text())
def test_repair_never_raises_the_error_rate(case: tuple[str, str, tuple[str, ...]]) -> None:
    clean, broken, chain = case
    fixed = ingest.fix_text(broken)
    assert distance(fixed, clean) <= distance(broken, clean), (chain, broken, fixed)


@budget(0.5)
@given(broken_text())
def test_steps_replay_on_real_mojibake(case: tuple[str, str, tuple[str, ...]]) -> None:
    _, broken, _ = case
    result = ingest.repair(broken)
    assert ingest.apply_steps(broken, result.steps) == result.text


def distance(a: str, b: str) -> int:
    """Levenshtein distance (character edits); the error rate is this over len(b)."""
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_reported_steps_do_not_overlap() -> None:
    # A lone U+FFFD and the Shift-JIS reading of U+FFFD's bytes starting on it were
    # once reported as two overlapping steps (found by fuzz/fuzz_repair.py).
    text = "\ufffd\uff7f\uff7d\uff77"   # "�ｿｽｷ"
    result = ingest.repair(text)
    assert ingest.apply_steps(text, result.steps) == result.text


#: ASCII with a few characters of the marks' classes here and there: where the fast
#: screen looks hardest (is each trigger alone among ASCII?).
sparse_marks = st.lists(
    st.one_of(st.text(st.characters(max_codepoint=0x7f), max_size=4),
              st.sampled_from(sorted("£©®°±µ¶·»¼½ÀÂÃÅÆÇÈÉÐ×ÞßàâãåæçèéðñöøÿŒœŠšŸƒ€‚„…†‡‰‹›’“”•–—˜™"
                                     "ЁЂЃЉЊЌЋЏђѓљњќћџРСТХабвгѓ"))),
    max_size=12).map("".join)


@budget(1.0)
@given(st.one_of(hostile_text, mojibake_soup, clean_text(), sparse_marks))
def test_fast_screen_agrees_with_full_screen(text: str) -> None:
    """`may_hold_mojibake` may say yes too often, never no when a mark is there."""
    from ingest import detect
    if not detect.may_hold_mojibake(text):
        assert not detect.suspect_lines(text)
        assert not detect.FORWARD.search(text)


def test_cjk_screen_passes_over_chance_decodings() -> None:
    # Clean Chinese encoded back to GBK holds stretches that decode as UTF-8 by
    # chance ("ʿѧϰʹ"): text no language writes, so no line is sent to the search.
    from ingest import forward
    text = ("他每天早上六点起床，先跑步半小时，然后吃早饭去上班。\n"
            "研究人员发现，这种植物在干旱的环境中也能生长得很好。\n")
    assert forward._screen(text) == {}
    # A layer of mojibake under another is no chance decoding: "ŚĆ" read as GBK
    # twice reads, once undone, "艢膯", CJK characters that no text uses.
    twice = "ILOŚĆ".encode().decode("gbk").encode().decode("gbk")
    assert forward._screen(twice)


def test_each_family_is_screened_only_where_its_mojibake_can_start() -> None:
    # Every run of UTF-8-as-CJK mojibake starts with a character whose encoding
    # starts with a UTF-8 lead byte (C2-F4). The generated table must say so of each
    # character as the codecs do; a family with none of them in a text is not screened.
    from ingest import detect, forward
    from ingest.chains import FORWARD_FAMILIES
    sample = [chr(cp) for block in ((0xA0, 0x250), (0x370, 0x530), (0x2010, 0x2040),
                                     (0x3040, 0x3100), (0xFF61, 0xFFA0))
              for cp in range(*block)]
    sample += [chr(cp) for cp in range(0x4E00, 0x9FA0, 7)]
    sample += [chr(cp) for cp in range(0xAC00, 0xD7A4, 11)]
    for name, family in FORWARD_FAMILIES.items():
        for ch in sample:
            starts = []
            for codec in family:
                try:
                    starts.append(0xC2 <= ch.encode(codec)[0] <= 0xF4)
                except UnicodeEncodeError:
                    pass
            assert bool(detect.family_leads(name).search(ch)) == any(starts), (name, ch)
    # Cyrillic starts Big5 mojibake (п is C7 D8 there), never GBK's (A7 E1).
    assert forward._families_led("Столица Болгарии — город") == [FORWARD_FAMILIES["big5"]]
    # A U+FFFD may be a lost lead of any family.
    assert len(forward._families_led("they\ufffd re")) == len(FORWARD_FAMILIES)


@budget(1.0)
@given(st.one_of(clean_text(), mojibake_soup, broken_text().map(lambda case: case[1])))
def test_quick_no_agrees_with_the_search(text: str) -> None:
    """`forward._cannot_hold` says no only where `_candidates` finds nothing."""
    from collections import Counter

    from ingest import forward
    from ingest.chains import FORWARD_FAMILIES
    for m in forward.NON_ASCII.finditer(text):
        if "\ufffd" in m.group():
            continue
        for family in FORWARD_FAMILIES.values():
            if forward._cannot_hold(m.group(), family):
                assert not forward._candidates(text, m.start(), m.end(), family, Counter())


def test_long_lost_run_in_japanese_stays_put() -> None:
    # Found by test_idempotent_on_real_mojibake: 38 U+FFFD at the start of a line of
    # Japanese read as EUC-JP were left alone once, then filled as "à à à" (pairs
    # of lost two-byte letters) on the second pass.
    paragraphs = [p for label, p in clean_samples() if label == "euc_jp"]
    if not paragraphs:
        pytest.skip("CPython's test/cjkencodings is not installed")
    broken = _broken(paragraphs[0], ("utf-8", "euc_jp"))
    once = ingest.fix_text(broken)
    assert ingest.fix_text(once) == once


def test_line_mixing_three_latin_readings_settles_in_one_repair() -> None:
    # Found by fuzzing: CP437, Mac Roman and Windows-1252 readings in one line with
    # GBK mojibake between them need five rounds; with four, repairing the output
    # again changed "dáº¡o" into "dạo".
    once = ingest.fix_text("┼ƒ 獺繙聶d√°¬∫¬°oÄ¶")
    assert once == "ş ếdạoĶ"
    assert ingest.fix_text(once) == once


def _tied_words() -> tuple[str, str, str]:
    """Two words of the Latin lists alike but for the first letter, with the same
    cost (each word at its cheapest over the languages that list it; many words
    share a rank's cost, rounded to 0.1 nat): (first, other, rest)."""
    from ingest import words
    cheapest: dict[str, float] = {}
    for (length, first), group in words._lexicon("LATIN").items():
        if length != 5 or not ("a" <= first <= "z"):
            continue
        for line in group.strip("\n").split("\n"):
            word, _, cost = line.partition("\t")
            if word.isascii() and word.isalpha():
                cheapest[word] = min(float(cost), cheapest.get(word, math.inf))
    seen: dict[tuple[str, float], str] = {}
    for word, cost in sorted(cheapest.items()):
        other = seen.setdefault((word[1:], cost), word[0])
        if other != word[0]:
            return other, word[0], word[1:]
    raise AssertionError("no two Latin words tie")


def test_same_answers_whatever_the_string_hashing() -> None:
    """A repair depends on the text alone, not on the process. Python salts string
    hashes per process, and the lookup of a word with lost letters took the first of
    two equally common fits in the order of a set of first letters: "Барак" in one
    process, "Зајак" in another, for the same Cyrillic read as Big5."""
    import subprocess
    import sys

    first, other, rest = _tied_words()
    script = ("from ingest import words; "
              f"print(words.complete([({first!r}, {other!r}, 'q'), {rest!r}], ['q']))")
    answers = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, check=True)
        answers.add(done.stdout.strip())
    assert answers == {repr([min(first, other)])}
