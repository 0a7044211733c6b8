"""The workshop table on a 1366 px screen, in headless Chromium: the page keeps a margin (it touched the
window's edge), each short list shows its whole choice (« matie », « par a » were cut), and the headers
break between words (« Températur e »)."""

import pytest

from test_browser_journeys import browser, live, login  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

MEASURE = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const row = document.querySelector('#rows tr');
  const selects = [...row.querySelectorAll('select')].filter(s => !s.name.endsWith('current_route')).map(s => {
    const cs = getComputedStyle(s); ctx.font = cs.font;
    const text = s.options[s.selectedIndex].text;
    return {name: s.name, text, need: ctx.measureText(text).width,
            room: s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)};
  });
  const headers = [...document.querySelectorAll('table.workshop th')].map(th => {
    const cs = getComputedStyle(th); ctx.font = cs.font;
    const longest = Math.max(...th.textContent.split(/\\s+/).map(w => ctx.measureText(w).width));
    return {text: th.textContent, longest, room: th.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)};
  });
  return {left: document.querySelector('main h1').getBoundingClientRect().left, selects, headers};
}"""


def test_the_workshop_reads_whole_on_a_laptop(browser, live):  # noqa: F811
    base, world = live
    page = login(browser, base, "facilitator_t@example.org")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(base + "/animation/atelier/")
    page.wait_for_load_state("networkidle")
    got = page.evaluate(MEASURE)
    page.context.close()
    assert got["left"] >= 8, got["left"]
    cut = [s for s in got["selects"] if s["need"] > s["room"] + 0.5]
    assert not cut, cut
    broken = [h for h in got["headers"] if h["longest"] > h["room"] + 0.5]
    assert not broken, broken
