"""The report as a person sees it: rendered by headless Chromium, checked in the DOM and in a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium): browser rendering not checked"
)
SECTIONS = ("decision", "scenario", "assets", "congestion", "hubs", "dispatch", "costs")
PLOTS = ("heatmap", "duration", "hub-exchange", "week-0", "week-1", "costs")
WINDOW = (1280, 4000)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline with a throw-away profile."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={WINDOW[0]},{WINDOW[1]}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


class RenderedDom(HTMLParser):
    """Sections with their visible text length, and the rendered size of each plot's image."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, int] = {}
        self.rendered: dict[str, str] = {}
        self._section = ""
        self._plot = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self._section = str(attributes.get("data-section"))
            self.text[self._section] = 0
        elif tag == "figure":
            self._plot = str(attributes.get("data-plot"))
        elif tag == "img":
            self.rendered[self._plot] = str(attributes.get("data-rendered", ""))

    def handle_data(self, data: str) -> None:
        if self._section:
            self.text[self._section] += len(data.strip())


def ink_fraction(png: Path) -> float:
    """Share of pixels that are not (near) white."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return 1.0 - sum(histogram[245:]) / (grey.width * grey.height)


def test_rendered_dom_has_every_section_and_plot(solve_report: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", solve_report.as_uri()).stdout
    found = RenderedDom()
    found.feed(dom)
    assert list(found.text) == list(SECTIONS)
    for section, length in found.text.items():
        assert length > 50, f"section {section} is (nearly) empty"
    for plot in PLOTS:
        size = found.rendered.get(plot, "")
        match = re.fullmatch(r"(\d+)x(\d+)", size)
        assert match and int(match[1]) > 300 and int(match[2]) > 150, f"plot {plot} did not render: {size!r}"


def test_screenshot_is_not_blank(solve_report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", solve_report.as_uri())
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == WINDOW
        header = image.crop((0, 0, WINDOW[0], 60)).convert("RGB").getpixel((WINDOW[0] // 2, 30))
    assert header[2] > header[0] + 40, f"the blue header band is missing: {header}"  # type: ignore[index]
    assert ink_fraction(shot) > 0.15


def test_screenshot_check_catches_a_blank_page(tmp_path: Path) -> None:
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    shot = tmp_path / "blank.png"
    chromium(tmp_path, f"--screenshot={shot}", blank.as_uri())
    assert ink_fraction(shot) < 0.01
