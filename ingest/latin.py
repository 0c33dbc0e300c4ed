"""The Latin family (UTF-8 read as Windows-1252, Latin-1, MacRoman, ...): ftfy's ground.

We do not reimplement what ftfy does well: each line ftfy's own heuristic flags
(`ftfy.badness.is_bad`) goes through `ftfy.fix_encoding_and_explain`, and its plan
becomes our codec chain. We cut ftfy's line-level result into spans, so the clean
parts of a line stay outside every step. Around it, three additions where ftfy's
line-level judgement falls short: the runs it left in a line it repaired, in the
same code page (`_rest_of_line`); UTF-8 read as ISO-8859-2, CP437 or Mac Roman,
which its heuristic passes as text (`_other_pages`); and lines that are CP932
mojibake with U+0080 in them, which its C1 fix would cut (`_CP932_80`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)
from ftfy.badness import is_bad

from . import forward, plausible
from .chains import NON_ASCII
from .edits import Edit, applied

#: Names ftfy uses in its plans, as the codec the text really went through.
_NAMES = {"sloppy-windows-1252": "windows-1252", "utf-8-variants": "utf-8"}
_ASCII_SPLIT = re.compile(r"([\x00-\x7f]+)")
#: U+0080 after a CJK character or a half-width katakana: CP932 reads a lone byte
#: 80 as the control U+0080, so the UTF-8 of "р" (D1 80) becomes "ﾑ\x80", and
#: "レソト、" becomes "繝ｬ繧ｽ繝医\x80√" (the 80 of "、" left over after a pair).
#: ftfy would take the control for Windows-1252's € (its C1 fix) and cut the run
#: the CJK layer repairs; the line is left to that layer, and comes back to ftfy
#: in the next round.
_CP932_80 = re.compile("[\u3000-\uffef]\x80")
#: ftfy's plan steps that guess bytes rather than read them.
_GUESSING = {"restore_byte_a0", "replace_lossy_sequences"}


#: Lines up to this long keep ftfy's answer (at most LINES_CACHED of them), so a
#: line met again costs a lookup: a cache, not a state; the answers are the same.
CACHED_LINE = 1000
LINES_CACHED = 4096


def repair_line(line: str, offset: int) -> list[Edit]:
    """ftfy's encoding repair of one line, as edits."""
    found = _repair_cached(line) if len(line) <= CACHED_LINE else _repair(line)
    return [replace(e, start=offset + e.start, end=offset + e.end) for e in found]


def _repair(line: str) -> list[Edit]:
    """`repair_line` at offset 0."""
    if _CP932_80.search(line):
        return []
    if not is_bad(line):
        return _other_pages(line)
    fixed, plan = ftfy.fix_encoding_and_explain(line)
    if fixed == line or not plan:
        return _other_pages(line)
    chain = _chain(plan)
    lossy = any(step[1] in _GUESSING for step in plan) or "\ufffd" in fixed
    confidence = 0.9 if lossy else 0.97
    # ftfy's decode_inconsistent_utf8 takes any run whose bytes in some page are
    # UTF-8: a list of Czech letters "čšžČŠŽ" (Windows-1250 E8 9A 9E C8 8A 8E)
    # became "蚞ȊŽ". A span that makes its line far less likely is left.
    spans = [(s, e, after) for s, e, after in _spans(line, fixed)
             if forward.span_gain(line, s, e, after) > -FTFY_VETO]
    edits = [Edit(s, e, after, chain, confidence, lossy) for s, e, after in spans]
    if len(chain) == 2:
        edits = sorted(edits + [g.edit for g in _rest_of_line(line, spans, chain)],
                       key=lambda e: e.start)
    # ftfy's pages include Windows-1250, which reads Latin-2's mojibake half right
    # ("cafĂŠ" as "cafÊ"): the Latin-2 reading wins where it is clearly likelier.
    # (Only Latin-2: CP437 and Mac Roman are among the pages ftfy itself tried.)
    other = _other_pages(line, OTHER_PAGES[:1])
    if other and (plausible.cost(applied(line, other)) + forward.MARGIN
                  < plausible.cost(applied(line, edits))):
        return other
    return edits


#: How many nats a span of ftfy's may make its line less likely before it is left.
FTFY_VETO = 2 * forward.MARGIN


def _other_pages(line: str, pages: tuple[tuple[str, float], ...] | None = None) -> list[Edit]:
    """UTF-8 read as a page ftfy's heuristic does not flag: ISO-8859-2 (Latin-2)
    puts Ă at C3 and Š at A9, so "créole" reads "crĂŠole", which ftfy's badness
    measure passes as text. Each run must gain MARGIN, and one of them the page's
    own margin (see OTHER_PAGES): then the page is shown, and the others come along
    ("NΓÇÖKo und S├╝d", where ü alone would not prove CP437)."""
    for codec, margin in OTHER_PAGES if pages is None else pages:
        edits = _rest_of_line(line, [], ("utf-8", codec), forward.MARGIN)
        if any(e.gain >= margin or _inside_word(line, e.edit) for e in edits):
            return [e.edit for e in edits]
    return []


def _inside_word(line: str, edit: Edit) -> bool:
    """A run with letters on both sides ("t√°rtaro", "Est├┤nia"): the symbols of
    these pages stand between words (line art, "√π"), never inside one."""
    return line[edit.start - 1:edit.start].isalpha() and line[edit.end:edit.end + 1].isalpha()


#: Pages tried where ftfy finds nothing to do, each with the gain (nats) one run
#: must show. CP437 and Mac Roman are ftfy's own, but its heuristic passes a line
#: whose only mojibake is punctuation ("ΓÇ£bestΓÇ¥", “best” read as CP437); their
#: symbols are also text of their own, which ftfy's negative cases hold (line art
#: "├┤ menu ├┤" would read "ô menu ô", "√π" "ù", "¬´" "«", at 6 to 7 nats each),
#: so twice the margin.
OTHER_PAGES = (("iso-8859-2", forward.MARGIN), ("cp437", 2 * forward.MARGIN),
               ("mac_roman", 2 * forward.MARGIN))


@dataclass(frozen=True)
class _Gained:
    edit: Edit
    gain: float


def _rest_of_line(line: str, spans: list[tuple[int, int, str]],
                  chain: tuple[str, ...], margin: float = forward.SUPPORTED_MARGIN
                  ) -> list[_Gained]:
    """The runs ftfy left in a line it repaired, that the same code page gives back
    as UTF-8: in a line that is half clean, ftfy's line-level judgement can stop
    short ("GeliÅŸme ve büyüme", Turkish: it took ü and left ş). The line has shown
    its code page, so SUPPORTED_MARGIN is enough;
    `_other_pages`, with no such proof, asks MARGIN."""
    codec = _SLOPPY.get(chain[1], chain[1])
    edits = []
    taken = sorted((a, b) for a, b, _ in spans)
    i = 0   # the first span that may still overlap a run (runs come in line order)
    for m in NON_ASCII.finditer(line):
        s, e = m.span()
        while i < len(taken) and taken[i][1] <= s:
            i += 1
        if i < len(taken) and taken[i][0] < e:
            continue
        try:
            text = m.group().encode(codec).decode("utf-8")
        except (UnicodeError, LookupError):
            continue
        if text == m.group():
            continue
        gain = forward.span_gain(line, s, e, text)
        if gain >= margin:
            edits.append(_Gained(Edit(s, e, text, chain, forward.confidence(gain), False), gain))
    return edits


_SLOPPY = {"windows-1252": "sloppy-windows-1252"}


_repair_cached = lru_cache(maxsize=LINES_CACHED)(_repair)


def _chain(plan: list[tuple[str, str]]) -> tuple[str, ...]:
    """ftfy's plan (undo order) as our chain (history order, true encoding first)."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None
    for action, name in plan:
        name = _NAMES.get(name, name)
        if action == "encode":
            pending = name
        elif action == "decode" and pending is not None:
            pairs.append((name, pending))
            pending = None
        elif action == "apply" and name == "decode_inconsistent_utf8":
            pairs.append(("utf-8", "windows-1252"))
        elif action == "apply" and name == "fix_c1_controls":
            pairs.append(("windows-1252", "latin-1"))
    chain: tuple[str, ...] = ()
    for pair in reversed(pairs):
        chain += pair
    return chain or ("utf-8", "windows-1252")


def _spans(old: str, new: str) -> list[tuple[int, int, str]]:
    """Cut a line-level change into the spans that changed.

    ASCII survives these repairs byte for byte, so when both lines have the same
    ASCII skeleton, the non-ASCII runs pair up one to one. Otherwise the change is
    one span between the common prefix and suffix.
    """
    a, b = _ASCII_SPLIT.split(old), _ASCII_SPLIT.split(new)
    if len(a) == len(b) and a[1::2] == b[1::2]:
        spans = []
        pos = 0
        for i, (x, y) in enumerate(zip(a, b)):
            if i % 2 == 0 and x != y:
                spans.append((pos, pos + len(x), y))
            pos += len(x)
        return spans
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    q = 0
    while q < min(len(old), len(new)) - p and old[-1 - q] == new[-1 - q]:
        q += 1
    return [(p, len(old) - q, new[p:len(new) - q])]
