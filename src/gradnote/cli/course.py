"""`gradnote course`: serve the course site (built by MkDocs from docs/) on 127.0.0.1 for offline reading.

The site is built on demand with ``mkdocs build`` when it is missing and MkDocs is installed (extra
``[docs]``); the server is the standard library's http.server, and the pages need nothing from the internet.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import webbrowser
from pathlib import Path

from .optional import require

SITE = Path("build") / "site"


def find_project(start=None) -> Path:
    """The folder holding mkdocs.yml: `start` (default: the working directory) or one of its parents."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    raise ValueError(f"no mkdocs.yml in {here} or its parents; run it from a gradnote checkout")


def build_site(project: Path) -> Path:
    """Run ``mkdocs build --strict`` in `project` and return the built site's folder."""
    require("mkdocs", extra="docs", who="gradnote course (the site is not built yet)")
    print("gradnote course: building the site (mkdocs build --strict) ...", file=sys.stderr)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project)
    if done.returncode != 0:
        raise ValueError(f"mkdocs build failed (exit status {done.returncode}); see the messages above")
    return project / SITE


def site_folder(project: Path, rebuild: bool = False) -> Path:
    """The built site, building it first when it is missing (or when rebuild is asked for)."""
    site = project / SITE
    if rebuild or not (site / "index.html").is_file():
        site = build_site(project)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # one line per request would drown the console
        pass


def make_server(site: Path, port: int = 8001) -> http.server.ThreadingHTTPServer:
    """An HTTP server for the files under `site` on 127.0.0.1:port (0 picks a free port)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(port: int = 8001, rebuild: bool = False, open_browser: bool = True, project=None) -> None:
    """Serve the course until Ctrl-C."""
    site = site_folder(find_project(project), rebuild)
    server = make_server(site, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"gradnote course: serving {site} on {url} (Ctrl-C stops)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("gradnote course: stopped", file=sys.stderr)
    finally:
        server.server_close()
