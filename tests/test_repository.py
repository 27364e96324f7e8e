"""The one place that names the repository (_config.yml) and the places derived from it."""

from __future__ import annotations

import shutil
import subprocess
import tomllib

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
                      .replace("branch: main", "branch: v2026.1")
                      .replace("baseurl: https://imgclf.github.io/imgclf/",
                               "baseurl: https://someone.github.io/imgclf-fork/"))
    found = repository.disagreements(copy)
    assert any(line.startswith("imgclf/__init__.py:") for line in found)
    assert any(line.startswith("notebooks/05-resnet.md:") for line in found)
    changed = repository.apply(copy)
    assert copy / "pyproject.toml" in changed and copy / "README.md" in changed
    assert repository.disagreements(copy) == []
    chapter = (copy / "notebooks" / "05-resnet.md").read_text()
    # The release tag stays; the fork's URL replaces ours.
    assert f'"imgclf @ git+https://github.com/someone/imgclf-fork@v{imgclf.__version__}"' \
        in chapter
    readme = (copy / "README.md").read_text()
    assert ("https://colab.research.google.com/github/someone/imgclf-fork/blob/v2026.1/"
            "colab/05-resnet.ipynb") in readme
    assert "github.com/imgclf/imgclf" not in readme
    project = tomllib.loads((copy / "pyproject.toml").read_text())["project"]
    assert project["urls"] == {
        "Homepage": "https://github.com/someone/imgclf-fork",
        "Documentation": "https://someone.github.io/imgclf-fork/",
        "Issues": "https://github.com/someone/imgclf-fork/issues"}
    assert repository.apply(copy) == []  # applied twice: nothing more to do


OTHERS = ("[Keras's issue](https://github.com/keras-team/keras/issues/20585), "
          "[its trainer](https://github.com/keras-team/keras/blob/master/keras/src/trainers/"
          "trainer.py), [d2l's chapter](https://github.com/d2l-ai/d2l-en/blob/master/"
          "chapter_convolutional-modern/resnet.md) and "
          "[Colab's](https://colab.research.google.com/github/d2l-ai/d2l-en/blob/master/x.ipynb)")


def test_links_to_other_repositories_survive_apply_and_a_fork(copy):
    """Only the course's own links are derived: a keras-team/keras or d2l link in a chapter or
    the README stays as written, before and after a fork's new _config.yml."""
    for name in ("README.md", "notebooks/05-resnet.md"):
        path = copy / name
        path.write_text(path.read_text() + f"\n{OTHERS}\n")
    assert repository.disagreements(copy) == []
    assert repository.apply(copy) == []
    config = copy / repository.CONFIG
    config.write_text(config.read_text().replace("url: https://github.com/imgclf/imgclf",
                                                 "url: https://github.com/someone/imgclf-fork"))
    repository.apply(copy)
    assert repository.disagreements(copy) == []
    for name in ("README.md", "notebooks/05-resnet.md"):
        text = (copy / name).read_text()
        assert OTHERS in text
        assert "github.com/imgclf/imgclf" not in text


@pytest.mark.parametrize("section, message", [
    ("repository:\n  url: https://gitlab.com/a/b\n  branch: main\n", "must be https://github.com"),
    ("repository:\n  url: https://github.com/a/b\n", "must name a branch or tag"),
    ("repository:\n  url: https://github.com/a/b\n  branch: main\n", "repository.release must"),
    ("repository:\n  url: https://github.com/a/b\n  branch: main\n  release: v1\n",
     "repository.release must"),
    ("repository:\n  url: https://github.com/a/b\n  branch: main\n  release: v1.0.0\n",
     "html.baseurl must be"),
    ("title: x\n", "repository.url must be"),
])
def test_bad_repository_section(tmp_path, section, message):
    (tmp_path / repository.CONFIG).write_text(section)
    with pytest.raises(ValueError, match=message):
        repository.configured(tmp_path)


def test_install_cells_pin_the_release_of_the_package_version():
    """Every install cell installs the tag v + imgclf.__version__, which _config.yml names."""
    pin = repository.configured(REPO).pin
    assert pin == f"v{imgclf.__version__}" == f"v{repository.package_version(REPO)}"
    for source in sorted((REPO / "notebooks").glob("[0-9][0-9]-*.md")):
        assert f'git+{imgclf.REPOSITORY}@{pin}"' in source.read_text(), \
            f"{source.name} pins another release than {pin}: run make sync"


def test_a_released_package_does_not_change_without_a_new_version():
    """Once vX.Y.Z is tagged, the install cells that pin it install the tagged package: a
    change to the package needs a new __version__ (where the tag is at hand)."""
    pin = repository.configured(REPO).pin
    changed = repository.package_changed_since(REPO, pin)
    if changed is None:
        pytest.skip(f"{pin} is not tagged here (not yet released, or a clone without tags)")
    assert not changed, f"the package differs from the release {pin} that the install cells " \
                        f"pin: raise __version__ in imgclf/__init__.py and run make sync"


@pytest.fixture
def repo(copy):
    """The scratch tree as a git repository with one commit."""
    (copy / "imgclf" / "models.py").write_text("x = 1\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "first"]):
        git(copy, *args)
    return copy


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c",
                           "user.email=t@t.invalid", *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_release_tags_a_clean_tree_once_and_then_guards_the_package(repo):
    pin = repository.configured(repo).pin
    assert repository.package_changed_since(repo, pin) is None  # not yet released
    assert repository.release(repo) == pin
    assert git(repo, "tag", "--list") == pin
    assert repository.package_changed_since(repo, pin) is False
    with pytest.raises(RuntimeError, match="tagged already: raise __version__"):
        repository.release(repo)
    (repo / "notebooks" / "05-resnet.md").write_text("# 5, edited\n")
    assert repository.package_changed_since(repo, pin) is False  # the tooling and chapters
    (repo / "imgclf" / "models.py").write_text("x = 2\n")
    assert repository.package_changed_since(repo, pin) is True
    with pytest.raises(RuntimeError, match="uncommitted changes"):
        repository.release(repo)


def test_a_new_version_moves_every_pin_in_one_apply(repo):
    init = repo / "imgclf" / "__init__.py"
    version = repository.package_version(repo)
    major, minor, patch = map(int, version.split("."))
    new = f"{major}.{minor + 1}.0"
    init.write_text(init.read_text().replace(f'"{version}"', f'"{new}"'))
    found = repository.disagreements(repo)
    assert any(f"repository.release is v{version} (expected: v{new}" in line for line in found)
    repository.apply(repo)
    assert repository.disagreements(repo) == []
    assert repository.configured(repo).pin == f"v{new}"
    assert f'imgclf @ git+{imgclf.REPOSITORY}@v{new}"' in \
        (repo / "notebooks" / "05-resnet.md").read_text()


def test_release_refuses_pins_that_disagree(repo):
    chapter = repo / "notebooks" / "05-resnet.md"
    chapter.write_text(chapter.read_text().replace(f"@v{imgclf.__version__}\"", "@v0.0.1\""))
    git(repo, "commit", "-q", "-am", "a stale pin")
    with pytest.raises(RuntimeError, match="disagree with the release"):
        repository.release(repo)
    assert git(repo, "tag", "--list") == ""
