"""Properties of the repair engine that must hold for any input (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest
from conftest import SEEDS, corrupt

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Every plane, lone surrogates included, and the characters mojibake is made of.
any_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                          blacklist_categories=()), max_size=80)
mojibake_alphabet = st.sampled_from(list("鈥檙拢渁浣犲ソÃ©â€™ÄãºÃ\ufffd锟斤拷 abc,.\n–’“”"))
mojibake_soup = st.lists(mojibake_alphabet, max_size=60).map("".join)


@SETTINGS
@given(st.one_of(any_text, mojibake_soup))
def test_never_raises_and_replays(text: str) -> None:
    result = ingest.repair(text)
    assert ingest.apply_steps(text, result.steps) == result.text
    assert result.changed == (result.text != text)
    assert 0.0 <= result.confidence <= 1.0
    for step in result.steps:
        assert text[step.start:step.end] == step.before


@SETTINGS
@given(st.one_of(any_text, mojibake_soup))
def test_idempotent(text: str) -> None:
    once = ingest.fix_text(text)
    assert ingest.fix_text(once) == once


def _seed_sentences() -> list[str]:
    text = (SEEDS / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8")
    return [s for line in text.splitlines() for s in line.split(". ") if len(s) > 20]


CHAINS = [["utf-8", c] for c in ("gbk", "big5", "shift_jis", "euc_jp", "euc_kr", "cp1252")]


@SETTINGS
@given(st.sampled_from(_seed_sentences()))
def test_clean_seed_sentences_are_identity(sentence: str) -> None:
    assert ingest.fix_text(sentence) == sentence


@SETTINGS
@given(st.sampled_from(_seed_sentences()), st.sampled_from(CHAINS))
def test_repair_never_makes_mojibake_worse(sentence: str, chain: list[str]) -> None:
    broken = corrupt(sentence, chain, errors="replace")
    fixed = ingest.fix_text(broken)
    assert _distance(fixed, sentence) <= _distance(broken, sentence)


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
