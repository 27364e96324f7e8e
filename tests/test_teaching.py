"""What the chapters give an instructor: objectives, what to know before, class time measured
from the source (`imgclf.course.teaching`), and the glossary its first uses link to."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from imgclf.course import colab, teaching
from imgclf.course.execute import notebook_sources

# Text only: the same on every Keras backend.
pytestmark = pytest.mark.backend_independent
SOURCES = notebook_sources(REPO / "notebooks")
GLOSSARY = REPO / "book" / "glossary.md"


def header(source) -> str:
    text = source.read_text()
    return text[text.index("**What.**"):text.index("+++", text.index("**How long.**"))]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_header_has_objectives_prerequisites_and_its_measured_class_time(source):
    text = header(source)
    objectives = text[text.index("**Objectives.**"):text.index("**Before you start.**")]
    assert 3 <= len(re.findall(r"^- ", objectives, re.M)) <= 5
    assert " ".join(teaching.class_time(source).split()) in " ".join(text.split()), \
        f"{source.name}: its class time is {teaching.class_time(source)}"


def test_reading_time_counts_the_text_not_the_code(tmp_path):
    chapter = tmp_path / "99-test.md"
    prose = " ".join(["word"] * 450)
    chapter.write_text(f"---\njupytext: x\n---\n# Title\n\n{prose}\n\n```{{code-cell}} ipython3\n"
                       f"{'x = 1 ' * 500}\n```\n\n```{{exercise}}\n:label: ex-a\n\nQ?\n```\n")
    assert teaching.words(chapter) == 450 + 1 + 1  # the prose, the title, the question
    assert teaching.reading_minutes(chapter) == 5 and teaching.exercises(chapter) == 1


def glossary_terms() -> set[str]:
    body = GLOSSARY.read_text().split("```{glossary}")[1].split("\n```")[0]
    return {line.strip().lower() for line in body.splitlines()
            if line.strip() and not line.startswith(" ")}


def test_every_glossary_link_names_a_term_and_every_term_is_linked():
    terms = glossary_terms()
    linked = set()
    for source in SOURCES:
        for link in colab.TERM.finditer(source.read_text()):
            linked.add((link["term"] or link["text"]).strip().lower())
    assert linked - terms == set(), "links to no term"
    assert terms - linked == set(), "terms no chapter links to"
