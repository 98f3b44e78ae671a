"""The playground's web app (Starlette + uvicorn): the page, and one WebSocket per browser tab.

Each WebSocket owns one Session, so tabs never share a network. Messages from the page:
``{"type": "configure", "settings": {...}}``, ``play``, ``pause``, ``step``, ``reset``, ``code``.
Messages to the page: ``data`` (points), ``frame`` (a snapshot: at least 10 a second while playing),
``settings`` (accepted), ``error`` (a refused control, with its ``field``) and ``code`` (the scripts).

Training runs in a worker thread in slices that leave a frame every PERIOD seconds, so the event loop stays free for the
page's messages; a pause is seen between two batches. Shutting the server down sets ``stopping``,
which every training loop checks between batches, and waits for the loops to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import webbrowser
from importlib import resources

from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .codegen import keras_script, pytorch_script
from .session import Session
from .settings import SettingsError

PERIOD = 1 / 15  # seconds from one frame to the next while playing: training fills what the snapshot leaves


def _static_dir() -> str:
    return str(resources.files(__package__) / "static")


class Connection:
    """One tab: its Session, the loop that trains while playing, and the socket it reports to."""

    def __init__(self, ws: WebSocket, stopping: threading.Event, connections: set):
        self.ws, self.stopping, self.connections = ws, stopping, connections
        self.session = Session()
        self.wake = asyncio.Event()
        self.send_lock = asyncio.Lock()
        self.frame_cost = 0.0

    async def send(self, message: dict) -> None:
        async with self.send_lock:  # the trainer and the message handler both send
            await self.ws.send_json(message)

    def _halted(self) -> bool:
        return not self.session.playing or self.stopping.is_set()

    def _slice(self, share: int) -> dict:
        self.session.train_for(max(PERIOD / share - self.frame_cost, 0.005), should_stop=self._halted)
        middle = time.perf_counter()
        frame = self.session.frame()
        self.frame_cost = time.perf_counter() - middle
        return frame

    async def train_loop(self) -> None:
        while not self.stopping.is_set():
            if not self.session.playing:
                self.wake.clear()
                await self.wake.wait()
                continue
            # the sessions take turns on the engine: each playing tab trains a share of the slice
            share = max(1, sum(c.session.playing for c in self.connections))
            await self.send(await asyncio.to_thread(self._slice, share))

    async def handle(self, message: dict) -> None:
        kind = message.get("type") if isinstance(message, dict) else None
        s = self.session
        if kind == "configure":
            try:
                rebuilt = await asyncio.to_thread(s.configure, message.get("settings"))
            except SettingsError as e:
                await self.send({"type": "error", "field": e.field, "message": str(e)})
                return
            await self.send({"type": "settings", "settings": s.settings.to_dict(), "rebuilt": rebuilt})
            if rebuilt:
                await self.send(await asyncio.to_thread(s.data))
                await self.send(await asyncio.to_thread(s.frame))
        elif kind in ("play", "pause"):
            s.playing = kind == "play"
            self.wake.set()
            if not s.playing:  # the last slice ends at its next batch; this frame shows where it stopped
                await self.send(await asyncio.to_thread(s.frame))
        elif kind == "step":
            s.playing = False
            await asyncio.to_thread(s.step_epoch)
            await self.send(await asyncio.to_thread(s.frame))
        elif kind == "reset":
            await asyncio.to_thread(s.reset)
            await self.send(await asyncio.to_thread(s.frame) | {"reset": True})
        elif kind == "code":
            await self.send({"type": "code", "pytorch": pytorch_script(s.settings), "keras": keras_script(s.settings)})
        else:
            await self.send({"type": "error", "field": "", "message": f"unknown message {message!r}"})


def create_app() -> Starlette:
    """The Starlette app; ``app.state.connections`` holds the open tabs (tests look at it)."""
    stopping = threading.Event()
    connections: set[Connection] = set()
    loops: set[asyncio.Task] = set()

    async def page(request):
        return FileResponse(f"{_static_dir()}/index.html")

    async def playground_socket(ws: WebSocket):
        await ws.accept()
        conn = Connection(ws, stopping, connections)
        connections.add(conn)
        task = asyncio.create_task(conn.train_loop())
        loops.add(task)
        try:
            await conn.send(await asyncio.to_thread(conn.session.data))
            await conn.send(await asyncio.to_thread(conn.session.frame))
            while True:
                await conn.handle(await ws.receive_json())
        except (WebSocketDisconnect, RuntimeError):  # the tab closed, or the server is shutting down
            pass
        finally:
            conn.session.playing = False
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task
            loops.discard(task)
            connections.discard(conn)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        stopping.set()  # every loop sees it between two batches
        for conn in list(connections):
            conn.wake.set()
        for task in list(loops):
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)

    app = Starlette(routes=[Route("/", page), WebSocketRoute("/ws", playground_socket),
                            Mount("/static", StaticFiles(directory=_static_dir()), name="static")],
                    lifespan=lifespan)
    app.state.connections, app.state.loops, app.state.stopping = connections, loops, stopping
    return app


def bind(port: int, host: str = "127.0.0.1") -> socket.socket:
    """A listening socket on host:port (0: any free port); a busy port raises OSError naming it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port} ({e.strerror}); choose another with --port") from None
    return sock


def serve(port: int = 8000, open_browser: bool = True, log_level: str = "warning") -> None:
    """Serve the playground on 127.0.0.1:port until Ctrl-C; opens the page in the browser unless told not to."""
    import uvicorn

    sock = bind(port)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level=log_level, ws="auto",
                                           timeout_graceful_shutdown=3))
    print(f"gradnote playground: {url}  (Ctrl-C to stop)", flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server.run(sockets=[sock])
