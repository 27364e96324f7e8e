"""The built HTML book, opened in a real browser: Chromium from the system's packages, driven
headless by Playwright (no browser download).

`check(html_dir)` opens every page and reports what a reader would hit: console errors and
script exceptions, requests that need the network, images that do not load, internal links
to missing pages or anchors, Colab buttons that point at no committed notebook, code cut off
at the column's edge, papermill's injected parameters cell, and (with axe-core, the npm
package, run in the page) accessibility violations of serious or critical impact.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM_VARIABLE = "IMGCLF_CHROMIUM"
AXE_VARIABLE = "IMGCLF_AXE"
#: Where `make browser` installs axe-core (npm), relative to the repository.
AXE_INSTALLED = Path(".venv/axe/node_modules/axe-core/axe.min.js")
#: The impacts axe-core rates that fail the check (it also rates "moderate" and "minor").
AXE_FAILS = ("serious", "critical")
# Code blocks wider than their box: the text a reader cannot see without scrolling.
CUT_OFF = """els => els.filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.split('\\n').sort((a, b) => b.length - a.length)[0])"""
# preload: false, or axe fetches the style sheets again, which file:// pages may not do.
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations'], preload: false}))
    .violations.map(v => [v.id, v.impact, v.nodes.length, v.help])"""
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
COLAB = re.compile(r"^https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/[^/]+/(.+)$")
# Links in the page that take the reader elsewhere, not requests the page makes itself.
OUTSIDE = ("http:", "https:", "mailto:", "javascript:", "data:")
REDIRECT = re.compile(r'<meta\s+http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"', re.I)


class BrowserUnavailableError(OSError):
    """No Chromium (or no Playwright) on this machine."""


@dataclass
class SiteReport:
    """What the browser saw: counts, and each problem as one line."""

    pages: int = 0
    images: int = 0
    internal_links: int = 0
    colab_targets: list[str] = field(default_factory=list)
    # page -> the numbers of its figures' captions in order ("Fig. 1", "Fig. 2", ...)
    figures: dict[str, list[str]] = field(default_factory=dict)
    # accessibility rule -> [impact, pages it was violated on] (every impact axe rates)
    accessibility: dict[str, list] = field(default_factory=dict)
    axe: bool = False  # whether axe-core ran
    objectives: list[str] = field(default_factory=list)  # pages that state their objectives
    glossary_links: int = 0  # links to a term of the glossary (checked as internal links)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        checked = (f"axe-core: {len(self.accessibility)} rules violated, none serious or "
                   f"critical" if not any(i in AXE_FAILS for i, _ in self.accessibility.values())
                   else "axe-core: serious or critical violations") if self.axe \
            else "no accessibility check (no axe-core)"
        return (f"{self.pages} pages, {self.images} images, "
                f"{sum(map(len, self.figures.values()))} numbered figures, "
                f"{self.internal_links} internal "
                f"links, {len(self.colab_targets)} Colab buttons "
                f"({len(set(self.colab_targets))} notebooks); {checked}; "
                f"{len(self.problems)} problems")


def chromium() -> str:
    """The path of a Chromium browser: $IMGCLF_CHROMIUM, else the first of CHROMIUM_NAMES."""
    found = os.environ.get(CHROMIUM_VARIABLE) or next(
        (path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
    if not found or not Path(found).is_file():
        raise BrowserUnavailableError(
            "No Chromium found (looked for $IMGCLF_CHROMIUM, then " + ", ".join(CHROMIUM_NAMES)
            + "). On Debian: sudo apt-get install chromium")
    return found


def axe_script(repo: Path | str = ".") -> Path | None:
    """axe-core's script: $IMGCLF_AXE, else where `make browser` installs it; None if absent."""
    found = Path(os.environ.get(AXE_VARIABLE) or Path(repo) / AXE_INSTALLED)
    return found if found.is_file() else None


def committed_files(repo: Path) -> set[str]:
    """The paths git tracks in `repo` (relative, with forward slashes)."""
    listed = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True,
                            text=True, check=True)
    return set(listed.stdout.splitlines())


def _anchors(page: Path, cache: dict[Path, set[str]]) -> set[str]:
    if page not in cache:
        cache[page] = set(re.findall(r'\bid="([^"]+)"', page.read_text(errors="replace")))
    return cache[page]


def _check_link(page: Path, href: str, html_dir: Path, cache) -> str | None:
    parts = urlsplit(href)
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    if html_dir not in target.parents and target != html_dir:
        return f"{page.relative_to(html_dir)}: link {href} leaves the site"
    if not target.is_file():
        return f"{page.relative_to(html_dir)}: link {href} points at a missing file"
    if parts.fragment and target.suffix == ".html" \
            and unquote(parts.fragment) not in _anchors(target, cache):
        return f"{page.relative_to(html_dir)}: link {href} points at a missing anchor"
    return None


def _images_and_figures(tab, name: str, report: SiteReport) -> None:
    """Every image loaded; every figure numbered, with its image."""
    images = tab.eval_on_selector_all(
        "img", "els => els.map(e => [e.getAttribute('src'), e.complete && e.naturalWidth > 0])")
    report.images += len(images)
    report.problems += [f"{name}: image {src} did not load" for src, loaded in images
                        if not loaded]
    figures = tab.eval_on_selector_all(
        "figure", "els => els.map(e => [(e.querySelector('.caption-number') || "
                  "{}).textContent || '', e.querySelectorAll('img').length])")
    if figures:
        report.figures[name] = [number.strip() for number, _ in figures]
    report.problems += [f"{name}: a figure without a numbered caption or an image"
                        for number, shown in figures if not number.strip() or not shown]


def _links(tab, page_path: Path, html_dir: Path, committed: set[str], anchors,
           report: SiteReport) -> None:
    """Every Colab button on a committed notebook, every internal link and anchor found."""
    name = str(page_path.relative_to(html_dir))
    for href in tab.eval_on_selector_all("a[href]", "els => els.map(e => "
                                                    "e.getAttribute('href'))"):
        colab = COLAB.match(href)
        if colab:
            report.colab_targets.append(colab.group(1))
            if colab.group(1) not in committed:
                report.problems.append(f"{name}: Colab button opens {colab.group(1)}, which "
                                       f"is not committed")
        elif not href.startswith(OUTSIDE):
            report.internal_links += 1
            problem = _check_link(page_path, href, html_dir, anchors)
            if problem:
                report.problems.append(problem)


def _reading(tab, name: str, report: SiteReport) -> None:
    """What a reader of the page sees: no code cut off, no injected parameters cell; whether
    it states its objectives, and its links to the glossary."""
    report.problems += [f"{name}: code cut off at the column's edge: {line.strip()[:80]}"
                        for line in tab.eval_on_selector_all("pre", CUT_OFF)]
    if tab.eval_on_selector_all("p > strong", "els => els.some(e => e.textContent "
                                              "=== 'Objectives.')"):
        report.objectives.append(name)
    report.glossary_links += len(tab.query_selector_all("a[href*='glossary.html#term-']"))
    if tab.query_selector(".tag_injected-parameters"):
        report.problems.append(f"{name}: papermill's injected parameters cell shows")


def _accessibility(tab, name: str, axe: Path, report: SiteReport) -> None:
    """axe-core's violations of the page: recorded, and a problem where serious or critical."""
    tab.add_script_tag(path=str(axe))
    for rule, impact, nodes, help_ in tab.evaluate(AXE_RUN):
        report.accessibility.setdefault(rule, [impact, []])[1].append(name)
        if impact in AXE_FAILS:
            report.problems.append(f"{name}: accessibility ({impact}): {help_} [{rule}, "
                                   f"{nodes} elements]")


def check(html_dir: Path | str, repo: Path | str = ".",
          screenshot: tuple[str, Path] | None = None) -> SiteReport:
    """Open every page of the built book in headless Chromium and report what failed.

    Args:
        html_dir: the built site (`_build/html`).
        repo: the git checkout whose committed notebooks the Colab buttons must point at.
        screenshot: (page relative to html_dir, PNG path) to save a full-page screenshot of.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserUnavailableError("Playwright is not installed: pip install playwright "
                                      "(it drives the system's Chromium)") from None
    html_dir = Path(html_dir).resolve()
    # Pages, not the theme's template fragments in _static.
    pages = sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)
    if not pages:
        raise FileNotFoundError(f"no HTML pages in {html_dir}: build the book first")
    committed = committed_files(Path(repo))
    axe = axe_script(repo)
    report, anchors = SiteReport(pages=len(pages), axe=axe is not None), {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        # The site must work offline: any request off the local files is refused and reported.
        context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
        for page_path in pages:
            name = str(page_path.relative_to(html_dir))
            redirect = REDIRECT.search(page_path.read_text(errors="replace"))
            if redirect:  # index.html forwards to the first page: check where it goes
                report.internal_links += 1
                problem = _check_link(page_path, redirect.group(1), html_dir, anchors)
                report.problems += [problem] if problem else []
                continue
            tab = context.new_page()
            tab.on("console", lambda message, name=name: message.type == "error"
                   and report.problems.append(f"{name}: console error: {message.text}"))
            tab.on("pageerror", lambda error, name=name:
                   report.problems.append(f"{name}: script error: {error}"))
            tab.on("requestfailed", lambda request, name=name:
                   report.problems.append(f"{name}: request failed: {request.url}"))
            tab.goto(page_path.as_uri(), wait_until="load")
            _images_and_figures(tab, name, report)
            _links(tab, page_path, html_dir, committed, anchors, report)
            _reading(tab, name, report)
            if axe is not None:
                _accessibility(tab, name, axe, report)
            if screenshot and name == screenshot[0]:
                screenshot[1].parent.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=str(screenshot[1]), full_page=False)
            tab.close()
        browser.close()
    return report
