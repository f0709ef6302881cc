"""A stand-in for the ECS endpoint: the service's actions over HTTP on 127.0.0.1.

It answers the official SDK's requests (RPC style, parameters in the query, action in
``x-acs-action``) from a World catalogue, and can be told to fail, so the client can be tested
end to end through the real SDK and a real socket.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ecsimg import service
from ecsimg.domain.errors import ApiError
from tests.world import World


class StandIn:
    """The ECS API of a World on a free 127.0.0.1 port, with failures on demand."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        """(action, query parameters, lower-cased headers) of every request, in order."""
        self.fail_regions: set[str] = set()
        """Regions whose every call gets a 503 ServiceUnavailable."""
        self.throttle_next = 0
        """How many of the next calls get a Throttling.User error."""
        self.retry_after_ms: int | None = None
        self.server_errors_next = 0
        self.html_next = 0
        self.lock = threading.Lock()
        self.service_lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def actions(self) -> list[str]:
        return [action for action, _, _ in self.requests]

    def __enter__(self) -> StandIn:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, action: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            if self.html_next:
                self.html_next -= 1
                return 502, {"content-type": "text/html"}, b"<html>Bad Gateway</html>"
            if self.throttle_next:
                self.throttle_next -= 1
                headers = ({"x-acs-retry-after": str(self.retry_after_ms)}
                           if self.retry_after_ms else {})
                return self._error(ApiError("Throttling.User", "Request was denied due to "
                                            "user flow control.", 400), headers)
            if self.server_errors_next or params.get("RegionId") in self.fail_regions:
                self.server_errors_next = max(0, self.server_errors_next - 1)
                return self._error(ApiError("ServiceUnavailable", "The request has failed due "
                                            "to a temporary failure of the server.", 503), {})
        try:
            with self.service_lock:
                body: dict[str, Any] = service.call(self.world.ctx(), action, params)
        except ApiError as err:
            return self._error(err, {})
        return 200, {"content-type": "application/json"}, json.dumps(body).encode()

    @staticmethod
    def _error(err: ApiError, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        body = {"RequestId": err.request_id or "0A1B2C3D-STAND-IN", "HostId": "ecs.aliyuncs.com",
                "Code": err.code, "Message": err.message, "Recommend": ""}
        return err.http_status, {"content-type": "application/json", **headers}, \
            json.dumps(body).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                action = headers.get("x-acs-action", "")
                with stand_in.lock:
                    stand_in.requests.append((action, params, headers))
                status, reply_headers, body = stand_in.answer(action, params)
                self.send_response(status)
                for name, value in reply_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
