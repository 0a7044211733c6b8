"""The deployer's look: name, logo and one brand colour, turned into accessible CSS variables.

A region or an intercommunality sets ``BOUCLE_PRIMARY_COLOR`` to its own colour; whatever
it picks, text and buttons keep a WCAG AA contrast (4.5:1): the colour is darkened until
links on the white page pass, and button text is white or near-black, whichever reads best.
"""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
AA = 4.5


def parse_hex(value: str) -> tuple[int, int, int]:
    if not HEX.match(value or ""):
        raise ValueError(f"{value!r}: expected a colour as #rrggbb")
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def _hex(rgb) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _darken(rgb, factor: float):
    return tuple(c * factor for c in rgb)


WHITE, INK = (255, 255, 255), (29, 42, 36)


def palette(colour: str) -> dict[str, str]:
    """CSS custom properties (Pico's and ours) for one brand colour, every pair AA-readable."""
    base = parse_hex(colour)
    text = base
    while contrast(text, WHITE) < AA:  # links and outlines on the white page
        text = _darken(text, 0.92)
    text = tuple(round(c) for c in text)
    on_primary = _hex(WHITE) if contrast(base, WHITE) >= contrast(base, INK) else _hex(INK)
    background = base if max(contrast(base, WHITE), contrast(base, INK)) >= AA else text
    if background is text:
        on_primary = _hex(WHITE)
    hover = _darken(background, 0.85)
    return {
        "--pico-primary": _hex(text),
        "--pico-primary-background": _hex(background),
        "--pico-primary-border": _hex(background),
        "--pico-primary-underline": _hex(text) + "80",
        "--pico-primary-hover": _hex(_darken(text, 0.8)),
        "--pico-primary-hover-background": _hex(hover),
        "--pico-primary-hover-border": _hex(hover),
        "--pico-primary-hover-underline": _hex(_darken(text, 0.8)),
        "--pico-primary-focus": _hex(text) + "55",
        "--pico-primary-inverse": on_primary,
        "--boucle-brand": _hex(background),
        "--boucle-on-brand": on_primary,
    }


def css(colour: str) -> str:
    # Pico sets its colours on this selector; the same one (later in the page) wins over it.
    return ":root:not([data-theme=dark]),[data-theme=light]{" + ";".join(f"{k}:{v}" for k, v in palette(colour).items()) + "}"
