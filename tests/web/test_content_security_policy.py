"""A strict Content-Security-Policy: scripts only from our own origin, no inline script or handler.

The header makes an injected ``<script>`` or ``onerror=`` inert in the browser; it only holds if no
template of ours needs inline script, so every template is checked too.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

import boucle

PACKAGE = Path(boucle.__file__).parent
TEMPLATES = sorted(PACKAGE.rglob("templates/**/*.html"))

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
HTMX_EVAL = re.compile(r"""hx-(vals|vars)\s*=\s*['"]\s*js:|hx-on""", re.I)


def test_templates_exist():
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_holds_inline_script(path):
    text = path.read_text(encoding="utf-8")
    for attrs in SCRIPT_TAG.findall(text):
        assert "src=" in attrs or 'type="application/json"' in attrs, f"inline <script{attrs}> in {path.name}"
    assert not INLINE_HANDLER.search(text), f"inline on*= handler in {path.name}: {INLINE_HANDLER.search(text)[0]}"
    assert not JS_URL.search(text), f"javascript: URL in {path.name}"
    assert not HTMX_EVAL.search(text), f"htmx attribute evaluated as JavaScript in {path.name}"


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline, self.styles, self.handlers, self._in_script = [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if tag == "script":
            self._in_script = attrs
        if tag == "style":
            self.styles.append(attrs.get("nonce"))

    def handle_data(self, data):
        if self._in_script is not None and data.strip() and "src" not in self._in_script \
                and self._in_script.get("type") != "application/json":
            self.inline.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("persona, name, args", [
    ("anonymous", "home", []), ("anonymous", "login", []), ("anonymous", "observatory:public", []),
    ("member_a", "company-home", []), ("member_a", "flow-create", []), ("member_a", "synergy-detail", ["ab"]),
    ("facilitator_t", "facilitator-home", []), ("facilitator_t", "map", []), ("facilitator_t", "workshop", []),
    ("facilitator_t", "observatory:territory", ["epci", "200093201"]),
])
def test_pages_carry_a_strict_policy_and_no_inline_script(as_persona, world, persona, name, args):
    args = [world.synergies[a].pk if a == "ab" else a for a in args]
    response = as_persona(persona).get(reverse(name, args=args))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in policy["default-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    nonce = next(v for v in policy["style-src"] if v.startswith("'nonce-"))[7:-1]
    parsed = _Scripts()
    parsed.feed(response.content.decode())
    assert parsed.inline == [] and parsed.handlers == []
    assert parsed.styles and all(n == nonce for n in parsed.styles), "every <style> carries this response's nonce"


def test_tile_server_is_allowed_only_when_configured(settings):
    from boucle.settings import _origin

    assert _origin("") == []
    assert _origin("https://data.geopf.fr/wmts?layer=PLAN.IGN&x={x}") == ["https://data.geopf.fr"]
    assert _origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == ["https://*.tile.openstreetmap.org"]
    assert not any("http" in v for v in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"])
