"""An offset-preserving normalised view of a document's text.

The parser works on Simplified, half-width text without pinyin glosses; every character
of that view remembers where it came from, so each extracted passage can be cited by
its offsets in the original text.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

_PINYIN_VOWELS = "aeiouüāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A pinyin gloss glued after a character by some web pages: 關(guān)于 -> 關于.
_GLOSS = re.compile(
    r"(?<=[\u3400-\u9fff])\((?:[bcdfghjklmnpqrstwxyz]{0,2}h?[" + _PINYIN_VOWELS + r"]{1,3}(?:ng|n|r)?)\)"
)
_SPACES = {0x00A0, 0x2002, 0x2003, 0x2009, 0x200A, 0x202F, 0x3000, 0x2007, 0x2008, 0x2004, 0x2005, 0x2006}
_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


# full-width ASCII to ASCII, the other spaces to a space: one character for one
_WIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, **{code: " " for code in _SPACES}}


def to_simplified(text: str) -> str:
    """Traditional to Simplified, one character for one (OpenCC, with a per-character fallback)."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)


def normalized_view(original: str) -> tuple[str, bool]:
    """The normalised text alone (without the offsets of NormalizedText, cheaper), and whether its
    offsets differ from the original's (a pinyin gloss was left out)."""
    folded = original.translate(_WIDTH)
    if any(any(ch in _TONED for ch in gloss.group()) for gloss in _GLOSS.finditer(folded)):
        return NormalizedText.of(original).text, True
    return "\n".join(to_simplified(line) for line in folded.split("\n")), False


def normalize_label(text: str) -> str:
    """The form used to compare labels: Simplified, half-width, no glosses, no spaces."""
    return NormalizedText.of(text).text.replace(" ", "")


@dataclass
class NormalizedText:
    original: str
    text: str
    origin: list[int]  # origin[i] = offset in `original` of text[i]
    script: str        # "Hant" when the original was mostly Traditional, else "Hans"

    @classmethod
    def of(cls, original: str) -> "NormalizedText":
        folded = original.translate(_WIDTH)
        kept: list[str] = []
        origin: list[int] = []
        position = 0
        for gloss in _GLOSS.finditer(folded):
            if not any(ch in _TONED for ch in gloss.group()):
                continue  # toneless letters in brackets are more likely an abbreviation
            kept.append(folded[position:gloss.start()])
            origin.extend(range(position, gloss.start()))
            position = gloss.end()
        kept.append(folded[position:])
        origin.extend(range(position, len(folded)))
        stripped = "".join(kept)
        simplified = "\n".join(to_simplified(line) for line in stripped.split("\n"))
        return cls(original, simplified, origin, _script(stripped, simplified))

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original text of the normalised span [start, end)."""
        if end <= start:
            point = self.origin[start] if start < len(self.origin) else len(self.original)
            return point, point
        return self.origin[start], self.origin[end - 1] + 1

    def normalized_offset(self, offset: int) -> int:
        """Where the original text's offset falls in the normalised text (a gloss's characters fall
        where the gloss stood)."""
        return bisect_left(self.origin, offset)

    def original_text(self, start: int, end: int) -> str:
        a, b = self.original_span(start, end)
        return self.original[a:b]


def _script(before: str, after: str) -> str:
    if before == after:
        return "Hans"
    changed = sum(1 for a, b in zip(before, after) if a != b)  # only Han characters change
    return "Hant" if changed / len(_CJK.findall(before)) > 0.05 else "Hans"
