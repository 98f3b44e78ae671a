"""Fetch a file once into a cache folder, check its digest, and never leave half a file behind.

    path = download("https://.../train-images-idx3-ubyte.gz", sha256="440fcabf...", cache_dir="~/data")

The body is streamed to a temporary file in the cache folder and renamed into place only after
its checksum matches, so an interrupted download or a wrong file never takes the final name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def default_cache_dir() -> Path:
    """``$GRADNOTE_DATA`` if set, else ``~/.cache/gradnote``."""
    return Path(os.environ.get("GRADNOTE_DATA") or Path.home() / ".cache" / "gradnote").expanduser()


def file_digest(path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_sha256sums(path) -> dict[str, str]:
    """Parse a ``sha256sum`` output file (``<hex>  <name>`` per line) into {name: hex}."""
    sums = {}
    for line in Path(path).read_text().splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) == 2:
            sums[parts[1].lstrip("*").strip()] = parts[0].lower()
    return sums


def verify(path, sha256: str | None = None, md5: str | None = None) -> None:
    """Raise ValueError naming the file if its digest differs from the one given (None = not checked)."""
    for algorithm, want in (("sha256", sha256), ("md5", md5)):
        if want is not None:
            got = file_digest(path, algorithm)
            if got != want.lower():
                raise ValueError(f"{path}: {algorithm} checksum mismatch: expected {want.lower()}, got {got} "
                                 "(the file is corrupt, truncated or not the expected one)")


def download(url: str, sha256: str | None = None, cache_dir=None, filename: str | None = None,
             md5: str | None = None, timeout: float = 60.0) -> Path:
    """Download ``url`` into ``cache_dir`` (default ``default_cache_dir()``) and return the file's path.

    A cached file whose digest matches is reused without a request. The download goes to a
    temporary file that is checked against ``sha256`` (and/or ``md5``, for sources that only
    publish MD5) and then renamed atomically; on a mismatch it is deleted and ValueError raised.
    Any URL urllib understands works, including ``file://``.
    """
    import urllib.error
    import urllib.parse
    import urllib.request

    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    name = filename or Path(urllib.parse.urlparse(url).path).name
    if not name:
        raise ValueError(f"download: cannot tell a file name from {url!r}; pass filename=")
    dest = cache / name
    if dest.exists():
        try:
            verify(dest, sha256, md5)
            return dest
        except ValueError:
            pass  # a stale or damaged copy: fetch it again
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=f".{name}.", suffix=".part")
    try:
        hashes = {k: hashlib.new(k) for k, want in (("sha256", sha256), ("md5", md5)) if want}
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    out.write(chunk)
                    for h in hashes.values():
                        h.update(chunk)
        except (urllib.error.URLError, OSError) as e:
            raise OSError(f"download: could not fetch {url} ({getattr(e, 'reason', e)}); "
                          "without a network, pass the path of a folder that holds the files") from e
        for algorithm, h in hashes.items():
            want = (sha256 if algorithm == "sha256" else md5).lower()
            if h.hexdigest() != want:
                raise ValueError(f"download: {algorithm} checksum mismatch for {url}: expected {want}, "
                                 f"got {h.hexdigest()}; the file was discarded")
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return dest
