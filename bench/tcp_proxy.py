"""A tiny TCP forwarder put between the app and PostgreSQL by `bench/load.py --scenario pg-frozen`.

    python bench/tcp_proxy.py LISTEN_PORT TARGET_PORT

The bench freezes it with SIGSTOP and thaws it with SIGCONT: connections stay open and new ones
are accepted by the kernel, but no byte moves, which is what a hung database looks like to the
app (unlike a stopped one, which refuses connections at once). Standard library only.
"""

from __future__ import annotations

import asyncio
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main(listen: int, target: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
