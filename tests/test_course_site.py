"""The course site's sources and `gradnote course` (the site itself is built by `mkdocs build --strict` in CI)."""

import re
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

import gradnote as gn
from gradnote.cli import course, main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_every_lesson_exists_in_korean_and_english_and_is_in_the_nav():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    korean = sorted(p.name.removesuffix(".ko.md") for p in (DOCS / "course").glob("[0-9][0-9]-*.ko.md"))
    english = sorted(p.name.removesuffix(".en.md") for p in (DOCS / "course").glob("[0-9][0-9]-*.en.md"))
    assert korean == english and len(korean) == 17
    for name in korean:
        assert f"- course/{name}.md" in config, name
        for lang in ("ko", "en"):
            page = (DOCS / "course" / f"{name}.{lang}.md").read_text(encoding="utf-8")
            # every page runs its code at build time and shows it
            assert 'exec="on" source="block"' in page, (name, lang)


def test_the_korean_and_english_page_run_the_same_code_blocks():
    fence = re.compile(r'```python (exec=[^\n]*)\n(--8<-- "[^"]+")')
    for ko in (DOCS / "course").glob("[0-9][0-9]-*.ko.md"):
        en = ko.with_name(ko.name.replace(".ko.md", ".en.md"))
        assert fence.findall(ko.read_text(encoding="utf-8")) == fence.findall(en.read_text(encoding="utf-8")), ko.name


def test_korean_is_the_default_language_and_nothing_is_fetched():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"locale: ko\n\s+default: true", config)
    assert "font: false" in config                     # no Google Fonts
    assert "languages: [python]" in config             # no pyodide assets (their CSS imports from a CDN)
    for path in DOCS.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"https?://", text) and not re.search(r"!\[[^\]]*\]\(https?://", text), path


def test_api_reference_covers_every_layer_with_torch_and_keras_spellings():
    for group in ("autograd", "functional", "nn", "optim", "data", "train", "keras", "cli"):
        page = (DOCS / "api" / f"{group}.md").read_text(encoding="utf-8")
        assert "::: gradnote." in page, group
        header = next(line for line in page.splitlines() if line.startswith("| gradnote"))
        assert "PyTorch" in header and "Keras" in header, group


def test_api_tables_name_gradnote_objects_that_exist():
    import gradnote.functional as F
    import gradnote.nn as nn
    import gradnote.optim as optim

    names = {"gn": gn, "F": F, "nn": nn, "optim": optim, "data": gn.data}
    for page in (DOCS / "api").glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if not line.startswith("| `"):
                continue
            first = line.split("|")[1]
            for dotted in re.findall(r"`((?:gn|F|nn|optim|data)\.[A-Za-z_][\w.]*)", first):
                obj = names[dotted.split(".")[0]]
                for part in dotted.split(".")[1:]:
                    obj = getattr(obj, part)           # AttributeError names a spelling the page invents


def test_find_project_walks_up_to_mkdocs_yml(tmp_path):
    assert course.find_project(DOCS / "course") == ROOT
    with pytest.raises(ValueError, match="no mkdocs.yml"):
        course.find_project(tmp_path)


def test_serves_a_built_site(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    site = tmp_path / course.SITE
    site.mkdir(parents=True)
    (site / "index.html").write_text("<h1>강의</h1>", encoding="utf-8")
    assert course.site_folder(tmp_path) == site          # already built: no build
    server = course.make_server(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=10) as reply:
            assert reply.status == 200 and "강의" in reply.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


def test_without_mkdocs_the_command_names_the_docs_extra(tmp_path, monkeypatch, capsys):
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "mkdocs", None)     # as if the docs extra were not installed
    assert main(["course", "--no-browser"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gradnote[docs]" in err[0] and "mkdocs" in err[0]


def test_a_failed_build_is_one_line(tmp_path, monkeypatch, capsys):
    pytest.importorskip("mkdocs", reason="the docs extra is not installed")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nnav:\n  - missing.md\nstrict: true\n")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["course", "--no-browser"]) == 2
    assert "mkdocs build failed" in capsys.readouterr().err


def test_the_korean_readme_is_linked_and_has_the_same_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    korean = (ROOT / "README.ko.md").read_text(encoding="utf-8")
    assert "(README.ko.md)" in "\n".join(readme.splitlines()[:5])
    setup = lambda text: [line for line in text.splitlines() if line.startswith("pip install") and "&&" in line][:2]
    assert setup(korean) == setup(readme) and len(setup(readme)) == 2
    for text in (readme, korean):
        shot = re.search(r"!\[[^\]]*\]\((docs/[\w.-]+\.png)\)", text)
        assert shot and (ROOT / shot.group(1)).stat().st_size < 200_000
