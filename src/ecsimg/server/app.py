"""The endpoint as a plain ASGI application; each request runs on a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ecsimg.server.endpoint import Endpoint
from ecsimg.server.replies import JSON_TYPE, Reply
from ecsimg.server.wire import Incoming

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY_BYTES = 8 * 1024 * 1024
TOO_LARGE = Reply(413, JSON_TYPE, b'{"Code":"RequestEntityTooLarge",'
                                   b'"Message":"The request body is larger than 8 MiB."}')


class EcsApp:
    """Reads the request, hands it to the endpoint on a thread, writes the reply.

    The service call blocks (file lock, fsync), so it runs in a thread pool and the event loop
    keeps accepting and reading other requests meanwhile.
    """

    def __init__(self, endpoint: Endpoint, workers: int = 8) -> None:
        self._endpoint = endpoint
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ecsimg-serve")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                await _send(send, TOO_LARGE)
                return
        request = Incoming(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b""),
            headers=tuple((k.decode("latin-1").lower(), v.decode("latin-1"))
                          for k, v in scope.get("headers", [])),
            body=bytes(body),
        )
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(self._pool, self._endpoint.handle, request)
        await _send(send, reply)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Requests in flight have finished by now: the server waits for them first.
                self._pool.shutdown(wait=True)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _send(send: Send, reply: Reply) -> None:
    await send({
        "type": "http.response.start",
        "status": reply.status,
        "headers": [(b"content-type", reply.content_type.encode("latin-1")),
                    (b"content-length", str(len(reply.body)).encode("ascii"))],
    })
    await send({"type": "http.response.body", "body": reply.body})
