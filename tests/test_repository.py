"""The one place that names the repository (_config.yml) and the places derived from it."""

from __future__ import annotations

import re
import shutil
import subprocess

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
    # Without git history here, the pinned commit stays; the fork's URL replaces ours.
    assert re.search(r'"imgclf @ git\+https://github.com/someone/imgclf-fork@[0-9a-f]{40}"',
                     chapter)
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


def test_install_cells_pin_the_last_commit_of_the_package():
    """A notebook installs the package of its own commit: make sync pins the last commit that
    changed it. Fails after a package change is committed without `make sync`."""
    pin = repository.package_commit(REPO)
    if pin is None:
        pytest.skip("no git history here (a copy or a shallow clone): the pin cannot be checked")
    assert repository.configured(REPO).install.endswith(f"@{pin}")
    for source in sorted((REPO / "notebooks").glob("[0-9][0-9]-*.md")):
        assert f'git+{imgclf.REPOSITORY}@{pin}"' in source.read_text(), \
            f"{source.name} pins another commit than {pin[:12]}: run make sync"


def test_the_pin_follows_the_package_not_the_tooling(tmp_path):
    def git(*args):
        return subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c",
                               "user.email=t@t.invalid", *args], capture_output=True,
                              text=True, check=True).stdout.strip()

    def commit(path, text):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
        git("add", "-A")
        git("commit", "-q", "-m", path)
        return git("rev-parse", "HEAD")

    assert repository.package_commit(tmp_path) is None  # not a git repository
    git("init", "-q")
    package = commit("imgclf/models.py", "x = 1\n")
    commit("imgclf/course/book.py", "y = 1\n")
    commit("notebooks/05-resnet.md", "# 5\n")
    assert repository.package_commit(tmp_path) == package
    assert repository.package_commit(tmp_path) != commit("pyproject.toml", "[project]\n")
