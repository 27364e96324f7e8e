"""A chapter is a unit: its module (imgclf/chapters), its notebook, its line in _toc.yml."""

from __future__ import annotations

import subprocess
import tomllib
from dataclasses import fields, is_dataclass

import pytest
import yaml
from conftest import REPO

from imgclf import chapters, check, plans, profiles
from imgclf.course import expected

pytestmark = pytest.mark.backend_independent

#: What a new chapter adds, and nothing else (`make sync` writes the .ipynb pair, the Colab
#: notebook and notebooks/expected.toml from these).
NEEDED = ("imgclf/chapters/{module}.py", "notebooks/{name}.md", "_toc.yml")
WRITTEN_BY_SYNC = ("notebooks/{name}.ipynb", "colab/{name}.ipynb", "notebooks/expected.toml")
#: Code and configuration: none of it may name a chapter but the chapter's own module. (Prose
#: that links to a chapter, other chapters' text, tests' examples and the records and logs of
#: runs name chapters too; none of them is needed for a chapter to exist.)
CODE = ("imgclf/", "scripts/", "benchmarks/", "Makefile", "pyproject.toml", "_config.yml",
        ".github/", ".ci/", "requirements/")
RECORDS = ("imgclf/spread/", "benchmarks/gpu-runs/", "benchmarks/RESULTS.md")


def tracked_code() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout.split("\0")
    return [path for path in listed if path and path.startswith(CODE)
            and not path.startswith(RECORDS) and (REPO / path).is_file()]


def test_a_chapter_is_named_only_in_its_own_files():
    """A new chapter needs its module, its notebook and its line in `_toc.yml`: no other code
    or configuration names a chapter (the README's checklist, "A new chapter")."""
    texts = {path: (REPO / path).read_text(errors="replace") for path in tracked_code()}
    for module in chapters.modules():
        own = {f"imgclf/chapters/{module.__name__.rsplit('.', 1)[1]}.py"}
        naming = sorted(path for path, text in texts.items()
                        if module.NAME in text and path not in own)
        assert naming == [], f"{module.NAME} is named outside its module: {naming}"


def test_every_chapter_has_its_module_notebook_and_place_in_the_book():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    listed = [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    notebooks = sorted(path.stem for path in (REPO / "notebooks").glob("[0-9][0-9]-*.md"))
    assert list(chapters.names()) == notebooks
    for module in chapters.modules():
        name, stem = module.NAME, module.__name__.rsplit(".", 1)[1]
        for pattern in NEEDED + WRITTEN_BY_SYNC:
            assert (REPO / pattern.format(module=stem, name=name)).is_file(), pattern
        assert f"notebooks/{name}" in listed


@pytest.mark.parametrize("module", chapters.modules(), ids=lambda m: m.NAME)
def test_a_chapter_module_holds_its_plan_checks_and_expected_results(module):
    """Its plan is a typed, frozen, hashable dataclass in every profile; its self-checks are
    named after it; its expected results are TOML that `notebooks/expected.toml` carries."""
    number = module.NAME[:2]
    for profile in ("smoke", "quick", "full"):
        plan = plans.chapter(module.NAME, profiles.resolve(profile, None, 0))
        assert isinstance(plan, module.Plan) and is_dataclass(plan)
        assert plan == module.plan(profiles.resolve(profile, None, 0))
        hash(plan)
        with pytest.raises(AttributeError):
            plan.chapter = "another"  # frozen
        assert all(f.type != "dict" for f in fields(plan)), "typed values, not a dict"
        assert plan.values, "a plan without values of its own"
    assert module.ANSWERS and all(key.startswith(f"{number}-") for key in module.ANSWERS)
    assert all(key.startswith(f"{number}-") for key in module.EXPERIMENTS)
    assert set(module.ANSWERS) <= set(check.exercises())
    table = tomllib.loads(expected.generated())
    assert table[module.NAME] == tomllib.loads(module.EXPECTED)


def test_expected_toml_is_generated_from_the_chapters():
    assert (REPO / "notebooks" / expected.EXPECTED_FILE).read_text() == expected.generated(), \
        "run: python -m imgclf.course expected --write (make sync)"


def test_an_unknown_chapter_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match="name must be a chapter of the book, got '99'; "
                                         "chapters: 01-image-classification, 02-"):
        chapters.module("99")
    assert chapters.module("05") is chapters.module(chapters.names()[4])
