"""The one place that names the repository (_config.yml) and the places derived from it."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO

import imgclf
from imgclf.course import repository

pytestmark = pytest.mark.backend_independent


def test_every_place_agrees_with_config():
    assert repository.disagreements(REPO) == []
    named = repository.configured(REPO)
    assert imgclf.REPOSITORY == named.url


@pytest.fixture
def copy(tmp_path):
    """The files that name the repository, in a scratch tree."""
    for path in [REPO / repository.CONFIG, *repository.derived_files(REPO)]:
        target = tmp_path / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return tmp_path


def test_a_fork_changes_one_place_and_apply_does_the_rest(copy):
    config = copy / repository.CONFIG
    config.write_text(config.read_text().replace("url: https://github.com/imgclf/imgclf",
                                                 "url: https://github.com/someone/imgclf-fork")
                      .replace("branch: main", "branch: v2026.1"))
    found = repository.disagreements(copy)
    assert any(line.startswith("imgclf/__init__.py:") for line in found)
    assert any(line.startswith("notebooks/05-resnet.md:") for line in found)
    changed = repository.apply(copy)
    assert copy / "pyproject.toml" in changed and copy / "README.md" in changed
    assert repository.disagreements(copy) == []
    chapter = (copy / "notebooks" / "05-resnet.md").read_text()
    assert '"imgclf @ git+https://github.com/someone/imgclf-fork@v2026.1"' in chapter
    readme = (copy / "README.md").read_text()
    assert ("https://colab.research.google.com/github/someone/imgclf-fork/blob/v2026.1/"
            "colab/05-resnet.ipynb") in readme
    assert "github.com/imgclf/imgclf" not in readme
    assert repository.apply(copy) == []  # applied twice: nothing more to do


@pytest.mark.parametrize("section, message", [
    ("repository:\n  url: https://gitlab.com/a/b\n  branch: main\n", "must be https://github.com"),
    ("repository:\n  url: https://github.com/a/b\n", "must name a branch or tag"),
    ("repository:\n  url: https://github.com/a/b\n  branch: main\n", "html.baseurl must be"),
    ("title: x\n", "repository.url must be"),
])
def test_bad_repository_section(tmp_path, section, message):
    (tmp_path / repository.CONFIG).write_text(section)
    with pytest.raises(ValueError, match=message):
        repository.configured(tmp_path)
