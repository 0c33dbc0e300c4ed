"""Edits of one repair layer, and how the layers compose back onto the original.

Each layer proposes `Edit`s against the text as that layer saw it. `Trace` keeps,
for every region changed so far, where it sits in the original and in the current
text, so that after several layers each repaired region becomes one step with its
whole codec chain ("utf-8", "gbk", "utf-8", "windows-1252") and its span in the
original.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    after: str
    chain: tuple[str, ...]
    confidence: float
    lossy: bool = False


def applied(line: str, edits: list[Edit], offset: int = 0) -> str:
    """`line` with `edits` (in text order, not overlapping) made, for comparing
    readings; their offsets are `offset` plus positions in `line`."""
    out, pos = [], 0
    for e in edits:
        out.append(line[pos:e.start - offset])
        out.append(e.after)
        pos = e.end - offset
    out.append(line[pos:])
    return "".join(out)


@dataclass(frozen=True)
class Region:
    """A changed region: original[o_start:o_end] is now current[c_start:c_end]."""

    o_start: int
    o_end: int
    c_start: int
    c_end: int
    chain: tuple[str, ...]
    confidence: float
    lossy: bool


def _shifted(r: Region, shift: int) -> Region:
    """`r` moved by `shift` in the current text (a region is immutable: the same
    one when nothing moves; built directly, as dataclasses.replace is slow)."""
    if not shift:
        return r
    return Region(r.o_start, r.o_end, r.c_start + shift, r.c_end + shift, r.chain,
                  r.confidence, r.lossy)


class Trace:
    def __init__(self, original: str) -> None:
        self.text = original
        self.regions: list[Region] = []

    def apply(self, edits: list[Edit]) -> None:
        """Apply one layer's edits (sorted, not overlapping) and merge the regions.

        Edits and earlier regions that overlap are merged into one region, which
        may take in further edits of this layer that fall inside it.
        """
        if not edits:
            return
        text, regions = self.text, self.regions
        pieces: list[str] = []
        out: list[Region] = []
        ri = ei = 0
        delta = 0   # current minus original length, over regions already passed
        shift = 0   # new minus current length, over what is already rewritten
        pos = 0     # next unread position of the current text
        while ei < len(edits):
            first = edits[ei]
            while ri < len(regions) and regions[ri].c_end <= first.start and not (
                regions[ri].c_end == first.start == first.end
            ):
                r = regions[ri]
                out.append(_shifted(r, shift))
                delta += (r.c_end - r.c_start) - (r.o_end - r.o_start)
                ri += 1
            group_edits: list[Edit] = []
            group: list[Region] = []
            start, end = first.start, first.end
            while True:
                if ei < len(edits) and (edits[ei].start < end or not group_edits):
                    end = max(end, edits[ei].end)
                    group_edits.append(edits[ei])
                    ei += 1
                elif ri < len(regions) and regions[ri].c_start < max(end, start + 1):
                    start = min(start, regions[ri].c_start)
                    end = max(end, regions[ri].c_end)
                    group.append(regions[ri])
                    ri += 1
                else:
                    break
            o_start = group[0].o_start if group and group[0].c_start <= start else start - delta
            for g in group:
                delta += (g.c_end - g.c_start) - (g.o_end - g.o_start)
            o_end = group[-1].o_end if group and group[-1].c_end >= end else end - delta
            new_parts = []
            cursor = start
            for e in group_edits:
                new_parts.append(text[cursor:e.start])
                new_parts.append(e.after)
                cursor = e.end
            new_parts.append(text[cursor:end])
            new = "".join(new_parts)
            pieces.append(text[pos:start])
            pieces.append(new)
            pos = end
            chain = group_edits[0].chain
            for inner in dict.fromkeys(g.chain for g in group):
                chain = chain + inner
            out.append(
                Region(
                    o_start, o_end, start + shift, start + shift + len(new), chain,
                    min([e.confidence for e in group_edits] + [g.confidence for g in group]),
                    any(e.lossy for e in group_edits) or any(g.lossy for g in group),
                )
            )
            shift += len(new) - (end - start)
        for r in regions[ri:]:
            out.append(_shifted(r, shift))
        pieces.append(text[pos:])
        self.text = "".join(pieces)
        self.regions = out
