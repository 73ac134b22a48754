"""Stand-in for the `aiofiles` package, for benchmarking the seed engine only.

PyPI is unreachable here, so the seed's `import aiofiles` is served by this
shim. It implements only what the seed uses: `aiofiles.open(path, mode)` as an
async context manager whose file has async `write` and `read`.

Two modes (environment variable AIOFILES_SHIM_MODE):

- ``thread`` (default): like the real aiofiles, every call (open, write, read,
  close) is handed to the event loop's default thread-pool executor with
  ``loop.run_in_executor``, which is where the real library spends its time.
- ``direct``: calls the plain file object inline. This is a lower bound on
  the seed's cost (faster than the real library), used to show that the
  comparison does not depend on the executor hop.
"""
import asyncio
import builtins
import functools
import os

MODE = os.environ.get("AIOFILES_SHIM_MODE", "thread")
if MODE not in ("thread", "direct"):
    raise ValueError(f"AIOFILES_SHIM_MODE must be thread or direct, not {MODE!r}")


async def _call(fn, *args):
    if MODE == "direct":
        return fn(*args)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args))


class AsyncFile:
    """The async view of an open file: the methods the seed awaits."""

    def __init__(self, f):
        self._f = f

    async def write(self, data):
        return await _call(self._f.write, data)

    async def read(self, size=-1):
        return await _call(self._f.read, size)

    async def close(self):
        return await _call(self._f.close)


class _Opener:
    def __init__(self, args, kwargs):
        self._args, self._kwargs = args, kwargs
        self._file = None

    async def __aenter__(self):
        f = await _call(functools.partial(builtins.open, *self._args, **self._kwargs))
        self._file = AsyncFile(f)
        return self._file

    async def __aexit__(self, exc_type, exc, tb):
        await self._file.close()
        return False


def open(*args, **kwargs):  # noqa: A001 - mirrors aiofiles.open
    """Return an async context manager opening a file like builtins.open."""
    return _Opener(args, kwargs)
