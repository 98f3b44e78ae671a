"""gradnote playground: watch a network learn in the browser, trained by gradnote itself.

    gradnote playground [--port 8000] [--no-browser]      (needs the extra: pip install 'gradnote[playground]')

The page (plain HTML and JavaScript in static/, drawn on canvases, nothing fetched from the internet)
talks to a small Starlette server over a WebSocket; the server trains a gradnote network per browser
tab and streams pictures of it. The pieces, each usable without the web stack:

    datasets   the 2-D problems and input features
    settings   every control, validated in one place
    session    one tab's network, optimiser and snapshots
    codegen    the PyTorch-style and Keras-style scripts for a setting ("Show me the code")
    server     the web app (imports starlette; loaded only when the command runs)
"""

from __future__ import annotations


def main(port: int = 8000, open_browser: bool = True) -> None:
    """Run the playground server (the ``gradnote playground`` command)."""
    from ..cli.optional import require

    for module in ("starlette", "uvicorn", "websockets"):
        require(module, "playground", "gradnote playground")
    from .server import serve

    serve(port, open_browser=open_browser)
