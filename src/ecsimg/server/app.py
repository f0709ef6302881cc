"""The endpoint as a plain ASGI application; each request runs on a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ecsimg.server import faults as fault_kinds
from ecsimg.server.endpoint import DEFAULT_HOST_ID, Endpoint, new_request_id
from ecsimg.server.faults import Faults
from ecsimg.server.replies import JSON_TYPE, Reply, failure
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

    def __init__(self, endpoint: Endpoint, workers: int = 8, faults: Faults | None = None
                 ) -> None:
        self._endpoint = endpoint
        self._faults = faults
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
        fault = None
        if self._faults is not None:
            fault = self._faults.draw()
            if self._faults.plan.latency_ms:
                await asyncio.sleep(self._faults.plan.latency_ms / 1000)
            refused = _refusal(fault, self._faults, request.header("host"))
            if refused is not None:
                await _send(send, refused)
                return
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(self._pool, self._endpoint.handle, request)
        if fault == fault_kinds.DROP:
            await _drop(send)
            return
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


def _refusal(fault: str | None, faults: Faults, host: str | None) -> Reply | None:
    """The throttling or server-error answer of a fault drawn before the request runs."""
    if fault == fault_kinds.THROTTLE:
        wait = faults.plan.retry_after_ms
        reply = failure(fault_kinds.throttled(), new_request_id(), host or DEFAULT_HOST_ID, False)
        extra = (("x-acs-retry-after", str(wait)),) if wait > 0 else ()
        return Reply(reply.status, reply.content_type, reply.body, extra)
    if fault == fault_kinds.SERVER_ERROR:
        return failure(fault_kinds.unavailable(), new_request_id(), host or DEFAULT_HOST_ID,
                       False)
    return None


async def _drop(send: Send) -> None:
    """Close the connection with no answer, as a proxy or a network fault would."""
    # uvicorn's send is a method of the request's cycle, which holds the connection.
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"1000")]})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        return
    transport.close()
    # Let the server see the connection gone, so it sends nothing after the app returns.
    for _ in range(3):
        await asyncio.sleep(0)


async def _send(send: Send, reply: Reply) -> None:
    await send({
        "type": "http.response.start",
        "status": reply.status,
        "headers": [(b"content-type", reply.content_type.encode("latin-1")),
                    (b"content-length", str(len(reply.body)).encode("ascii")),
                    *((k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers)],
    })
    await send({"type": "http.response.body", "body": reply.body})
