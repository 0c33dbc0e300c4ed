"""The repair: layers of codec fixes, applied until nothing changes, with their plan.

Each round runs, line by line:
0. `forward.repair_sbcs_gaps` — bytes a Windows code page could not decode ("â€�");
1. `latin`   — UTF-8 read as Windows-1252 and kin, through ftfy; or `reverse` —
   legacy bytes read as Latin-1 or Windows-1252 — whichever explains the line
   better (see `_latin_or_reverse`);
3. `forward` — UTF-8 read as a CJK double-byte codec, strict decodings only;
4. `forward` again for runs with lost bytes (U+FFFD), now that the strict repairs of
   the document tell which quotes and dashes it uses.
A text broken twice (UTF-8 → GBK → UTF-8 → CP1252) is repaired in two rounds; each
changed region of the original becomes one `Step` carrying the whole chain.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from . import detect, forward, latin, lossy, plausible, reverse
from .edits import Edit, Trace, applied

#: Rounds at most. Three layers of mojibake are already rare, but one round of
#: ftfy's Latin layer fixes one code page per line: a line mixing CP437, Mac Roman
#: and Windows-1252 readings next to CJK mojibake took five rounds to settle, and
#: with four a second repair changed the output again. The loop stops as soon as a
#: round changes nothing, so clean and once-broken text pay for one or two rounds.
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Step:
    """One repaired (or reported) region of the original text.

    `kind` is "mojibake" (decoded back exactly), "lossy" (bytes were lost and
    guessed from context) or "unrecoverable" (recognized, reported, left as is:
    then `before == after`). `chain` is the text's history, true encoding first.
    """

    kind: str
    chain: tuple[str, ...]
    start: int
    end: int
    before: str
    after: str
    confidence: float
    lossy: bool


@dataclass(frozen=True)
class Repair:
    text: str
    original: str
    changed: bool
    confidence: float
    lossy: bool
    steps: tuple[Step, ...]


def repair(text: str) -> Repair:
    """Repair the mojibake in `text`; see `Repair` and `Step` for what comes back."""
    if not detect.may_hold_mojibake(text):
        return Repair(text, text, False, 1.0, False, ())
    suspects = detect.suspect_lines(text)
    if not (suspects or detect.FORWARD.search(text)):
        return Repair(text, text, False, 1.0, False, ())
    trace = Trace(text)
    for _ in range(MAX_ROUNDS):
        # Each round is a function of the text alone: the evidence for each CJK
        # family (see forward.repair_text) is counted afresh. A round that changes
        # nothing is then exactly what repairing the result again would do, so the
        # repair is idempotent. (Support carried over from the first round once
        # kept "瞿" -> "£" from letting the "���" quotes around it be filled, and a
        # second repair of the output filled them.)
        families: Counter = Counter()
        before = trace.text
        if "\ufffd" in trace.text:
            trace.apply(forward.repair_sbcs_gaps(trace.text))
        if trace.text is not text:
            suspects = detect.suspect_lines(trace.text)
        _latin_or_reverse_layer(trace, suspects)
        trace.apply(forward.repair_text(trace.text, Counter(), False, families))
        if "\ufffd" in trace.text:
            evidence: Counter = Counter()
            lossy.note_evidence(evidence, trace.text)
            trace.apply(forward.repair_text(trace.text, evidence, True, families))
        if trace.text == before:
            break
    steps = [
        Step("lossy" if r.lossy else "mojibake", r.chain, r.o_start, r.o_end,
             text[r.o_start:r.o_end], trace.text[r.c_start:r.c_end], r.confidence, r.lossy)
        for r in trace.regions
    ]
    steps.extend(_reports(trace))
    steps.sort(key=lambda s: (s.start, s.end))
    changing = [s for s in steps if s.before != s.after]
    return Repair(
        text=trace.text,
        original=text,
        changed=trace.text != text,
        confidence=min((s.confidence for s in changing), default=1.0),
        lossy=any(s.lossy for s in changing),
        steps=tuple(steps),
    )


def _latin_or_reverse_layer(trace: Trace, suspects: list[tuple[int, int]]) -> None:
    """Run `_latin_or_reverse` on every suspect line (`detect.suspect_lines` of the
    text as it is), with the document's support for each legacy encoding counted
    over the same lines first."""
    text = trace.text
    lines = [(start, text[start:end]) for start, end in suspects]
    # Each line's legacy readings, worked out once: for the document's support, then
    # for the line's repair (a cache would drop them in a long document).
    options = {start: reverse.line_options(x) for start, x in lines if detect.REVERSE.search(x)}
    support = reverse.document_support(options.values())
    edits: list[Edit] = []
    for start, line in lines:
        if detect.LATIN_OR_REVERSE.search(line):
            edits.extend(_latin_or_reverse(line, start, support, options.get(start)))
    trace.apply(edits)


def _latin_or_reverse(line: str, offset: int, support: Counter,
                      options: dict | None) -> list[Edit]:
    """ftfy's repair of the line, or ours of legacy bytes read as Latin-1: the better.

    The two read the same characters differently. "â\x80\x99" is UTF-8 (’) read as
    Latin-1, ftfy's case; "ÖÐÊ¹ÓÃ" is GBK (中使用) read as Latin-1, where ftfy's
    repair of stray UTF-8-looking pairs ("Ê¹" → ʹ) would cut the run apart. When
    both have a repair, the line that comes out more plausible wins; ftfy keeps
    ties (a margin), being the better judge on its own ground.
    """
    ours = reverse.repair_line(line, offset, support, options) if options is not None else []
    theirs = latin.repair_line(line, offset) if detect.LATIN.search(line) else []
    if not ours or not theirs:
        return ours or theirs
    cost_ours = plausible.cost(applied(line, ours, offset))
    cost_theirs = plausible.cost(applied(line, theirs, offset))
    return ours if cost_ours + forward.MARGIN < cost_theirs else theirs


def apply_steps(original: str, steps: tuple[Step, ...] | list[Step]) -> str:
    """Replay a repair's steps on its original text (the inverse of nothing: a check)."""
    out = []
    pos = 0
    for step in sorted(steps, key=lambda s: s.start):
        if original[step.start:step.end] != step.before:
            raise ValueError(f"step at {step.start}:{step.end} does not match the text")
        out.append(original[pos:step.start])
        out.append(step.after)
        pos = step.end
    out.append(original[pos:])
    return "".join(out)


def _signature(codec: str) -> str:
    """What two U+FFFD look like once their UTF-8 bytes are read by `codec` (锟斤拷)."""
    return ("\ufffd" * 2).encode("utf-8").decode(codec, errors="replace")


#: Patterns that say bytes were lost before we saw the text. We report them and
#: leave them alone: any "repair" would be a guess with no evidence behind it.
#: Each pattern starts with a literal, so the regex engine skips to it at C speed.
_UNRECOVERABLE = [
    (re.compile(re.escape(_signature(c)[:3]) + "(?:" + re.escape(_signature(c)[:3]) + ")*"),
     ("utf-8", c), 0.95)
    for c in ("gbk", "shift_jis", "euc_kr")
] + [
    (re.compile("\ufffd\ufffd*"), (), 0.9),
    # "don?t", "caf?": a "?" standing for a character an encoder could not write.
    # (Lookbehinds after the "?", so that the pattern starts with it.)
    (re.compile(r"\?(?:(?<=[^\W\d_]\?)(?=[^\W\d_])(?<=[^\x00-\x7f]\?)"
                r"|(?<=[^\W\d_]\?)(?=[^\x00-\x7f])"
                r"|(?<=[a-z]\?)(?=(?:s|t|re|ll|ve|d|m)\b))"), (), 0.6),
]


def _reports(trace: Trace) -> list[Step]:
    """Unrecoverable patterns outside the repaired regions. Patterns can overlap
    ("\ufffd\uff7f\uff7d" is a lone U+FFFD and U+FFFD's bytes read as Shift-JIS):
    the earliest, then longest, match is kept, so that the steps still replay. Each
    pattern's matches come in text order, so they are merged, not sorted."""
    starts = [r.c_start for r in trace.regions]

    def matches(order: int, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, int, str]]:
        for m in pattern.finditer(trace.text):
            yield m.start(), -m.end(), order, m.group()

    merged = heapq.merge(*(matches(k, p) for k, (p, _, _) in enumerate(_UNRECOVERABLE)))
    out: list[Step] = []
    reported_end = 0
    passed = delta = 0   # regions ending before the match, and their change in length
    for s, neg_e, order, group in merged:
        e = -neg_e
        if s < reported_end:
            continue
        i = bisect.bisect_left(starts, e)  # regions starting before the match ends
        if i and trace.regions[i - 1].c_end > s:
            continue
        reported_end = e
        _, chain, conf = _UNRECOVERABLE[order]
        # The match's offset in the original: the regions before it walked once for
        # all matches, as they come in text order (one walk per match was quadratic).
        while passed < len(trace.regions) and trace.regions[passed].c_end <= s:
            r = trace.regions[passed]
            delta += (r.c_end - r.c_start) - (r.o_end - r.o_start)
            passed += 1
        start = s - delta
        out.append(Step("unrecoverable", chain, start, start + len(group), group, group,
                        conf, True))
    return out
