"""Tidies the text Qt writes into an SVG so that other programs draw it as the app does.

Qt splits a line where the script changes ("Pascanu bound, " then "λ₁γ = 0.9") into separate
<text> elements at absolute x positions measured with its own font. A viewer that picks another
font for "Sans Serif" (not a CSS family name) leaves gaps or overlaps between the pieces. Here the
pieces of one line become one element, and each font family gets the real family and the generic
sans-serif as fallbacks.
"""

from __future__ import annotations

import html
import re

from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF

# One <text> element as QSvgGenerator writes it: attributes (x first, then y), then its text.
TEXT_ELEMENT = re.compile(
    r'<text (?P<before>[^>]*?)x="(?P<x>[-\d.e]+)" y="(?P<y>[-\d.e]+)"(?P<after>[^>]*)>'
    r'(?P<text>[^<]*)</text>')
FONT_FAMILY = re.compile(r'font-family="([^"]*)"')
FONT_SIZE = re.compile(r'font-size="([\d.]+)"')
FONT_WEIGHT = re.compile(r'font-weight="(\d+)"')
JOIN_TOLERANCE = 1.0  # pixels between where a piece ends and the next begins


def tidy_svg_text(svg: bytes, dpi: float) -> bytes:
    """`svg` as QSvgGenerator wrote it at `dpi` (font sizes in pixels), with its text tidied."""
    text = svg.decode("utf-8")
    text = _join_pieces(text, dpi)
    text = FONT_FAMILY.sub(_with_fallbacks, text)
    return text.encode("utf-8")


def _with_fallbacks(match: re.Match) -> str:
    family = match.group(1)
    if "sans-serif" in family:
        return match.group(0)
    resolved = QFontInfo(QFont(html.unescape(family))).family()
    names = [family] + ([html.escape(resolved)] if resolved and resolved != family else [])
    return f'font-family="{", ".join(names)}, sans-serif"'


def _piece_width(match: re.Match, dpi: float) -> float:
    """The width Qt gave this piece: its text measured in its own font at its pixel size."""
    attributes = match.group("before") + match.group("after")
    font = QFont(html.unescape(_first(FONT_FAMILY, attributes, "Sans Serif")))
    font.setPointSizeF(float(_first(FONT_SIZE, attributes, "12")) * 72 / dpi)
    font.setWeight(QFont.Weight(int(_first(FONT_WEIGHT, attributes, "400"))))
    return QFontMetricsF(font).horizontalAdvance(html.unescape(match.group("text")))


def _first(pattern: re.Pattern, attributes: str, default: str) -> str:
    found = pattern.search(attributes)
    return found.group(1) if found else default


def _continues(previous: re.Match, following: re.Match, between: str, dpi: float) -> bool:
    """True if `following` is the rest of `previous`'s line: same style and baseline, nothing
    between them, starting where `previous` ends."""
    if between.strip() or previous.group("y") != following.group("y"):
        return False
    if (previous.group("before"), previous.group("after")) != \
            (following.group("before"), following.group("after")):
        return False
    end = float(previous.group("x")) + _piece_width(previous, dpi)
    return abs(float(following.group("x")) - end) <= JOIN_TOLERANCE


def _join_pieces(svg: str, dpi: float) -> str:
    out: list[str] = []
    position = 0
    matches = list(TEXT_ELEMENT.finditer(svg))
    index = 0
    while index < len(matches):
        first = matches[index]
        pieces = [first.group("text")]
        last = first
        while index + 1 < len(matches) and _continues(
                last, matches[index + 1], svg[last.end():matches[index + 1].start()], dpi):
            index += 1
            last = matches[index]
            pieces.append(last.group("text"))
        out.append(svg[position:first.start()])
        out.append(f'<text {first.group("before")}x="{first.group("x")}" y="{first.group("y")}"'
                   f'{first.group("after")}>{"".join(pieces)}</text>')
        position = last.end()
        index += 1
    out.append(svg[position:])
    return "".join(out)
