"""A Sphinx extension for the book (listed in _config.yml): fixes for what a browser reports.

Jupyter Book 1 gives every page sphinx-thebe's configuration script twice, and the second
copy stops with "Identifier 'THEBE_JS_URL' has already been declared"; this drops scripts a
page already has. (The theme's colour mode is set in _config.yml's html_context: `default_mode`.)

The theme's Colab button opens the page's own notebook, `notebooks/NN-topic.ipynb`: the Jupytext
pair, whose markdown is MyST. It is pointed at the chapter's Colab notebook,
`colab/NN-topic.ipynb` (`imgclf.course.colab`), instead.

The book's own style sheet (`static/imgclf.css`) wraps code and text outputs at the column's
width, where the theme would cut them off at about 75 characters.

Two of the theme's buttons fail axe-core's check that a control's accessible name contains
its visible text: the search field is labelled "Search" but shows "Search Ctrl+K", and the
colour-mode icons carry titles ("Light", "Dark") that its label "Color mode" does not. The
built pages drop the search field's label (its text names it) and the icons' titles (the
button's label names it), so a screen reader announces what a sighted reader sees. The
references page's entries carry docutils' role "doc-biblioentry", which ARIA deprecated and
a list may not hold; they become list items.
"""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).with_name("static")


def _key(script):
    # The copies differ only in an inline script's filename: None in one, "" in the other.
    return (script.filename or "", script.priority, sorted(script.attributes.items()))


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    if "script_files" not in context:
        return
    unique, seen = [], []
    for script in context["script_files"]:
        if _key(script) not in seen:
            seen.append(_key(script))
            unique.append(script)
    context["script_files"] = unique


def _colab_notebook_buttons(app, pagename, templatename, context, doctree):
    def point(entries):
        for entry in entries:
            if isinstance(entry, dict):
                url = entry.get("url")
                if isinstance(url, str) and url.startswith("https://colab.research.google.com/"):
                    entry["url"] = re.sub(r"/notebooks/([^/]+\.ipynb)$", r"/colab/\1", url)
                point(entry.get("buttons") or [])

    point(context.get("header_buttons") or [])


# (pattern, replacement) applied to every built page; see the module's docstring.
ACCESSIBLE = (
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'),
     r"\1"),
    (re.compile(r'(<i class="theme-switch [^"]*"[^>]*?) title="[^"]*"'), r"\1"),
    (re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"'), r'\1 role="listitem"'),
)


def _accessible_theme_buttons(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = original = page.read_text()
        for pattern, replacement in ACCESSIBLE:
            text = pattern.sub(replacement, text)
        if text != original:
            page.write_text(text)


def _add_style_sheet(app):
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("imgclf.css")


def setup(app):
    app.connect("builder-inited", _add_style_sheet)
    app.connect("build-finished", _accessible_theme_buttons)
    # Sphinx stops calling html-page-context handlers at the first that returns a template
    # name, so this one runs first; the repeated scripts are there from the start.
    app.connect("html-page-context", _drop_repeated_scripts, priority=100)
    # After the theme's launch buttons (priority 500) are in the page's context.
    app.connect("html-page-context", _colab_notebook_buttons, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
