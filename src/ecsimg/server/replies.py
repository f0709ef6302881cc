"""Response bodies as the real endpoint writes them: JSON by default, XML for ``Format=XML``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import orjson

from ecsimg.domain.errors import ApiError

JSON_TYPE = "application/json;charset=utf-8"
XML_TYPE = "text/xml;charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
RECOMMEND = "https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}"


@dataclass(frozen=True)
class Reply:
    """Status, content type and body of one response."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    """Headers beyond the content type and length (``x-acs-retry-after``)."""


def wants_xml(format_param: str | None) -> bool:
    return (format_param or "").strip().upper() == "XML"


def success(action: str, body: dict[str, Any], xml: bool) -> Reply:
    if xml:
        return Reply(200, XML_TYPE, _xml_document(f"{action}Response", body))
    return Reply(200, JSON_TYPE, orjson.dumps(body))


def error_body(err: ApiError, request_id: str, host_id: str) -> dict[str, str]:
    """``{"RequestId", "HostId", "Code", "Message", "Recommend"}``, as the endpoint sends."""
    return {
        "RequestId": request_id,
        "HostId": host_id,
        "Code": err.code,
        "Message": err.message,
        "Recommend": RECOMMEND.format(code=err.code, request_id=request_id),
    }


def failure(err: ApiError, request_id: str, host_id: str, xml: bool) -> Reply:
    body = error_body(err, request_id, host_id)
    status = err.http_status if 400 <= err.http_status <= 599 else 400
    if xml:
        return Reply(status, XML_TYPE, _xml_document("Error", body))
    return Reply(status, JSON_TYPE, orjson.dumps(body))


def _xml_document(root: str, body: dict[str, Any]) -> bytes:
    parts = [XML_DECLARATION, f"<{root}>"]
    _xml_members(body, parts)
    parts.append(f"</{root}>")
    return "".join(parts).encode("utf-8")


def _xml_members(members: dict[str, Any], parts: list[str]) -> None:
    for name, value in members.items():
        # A list repeats its element: {"Images": {"Image": [a, b]}} is
        # <Images><Image>a</Image><Image>b</Image></Images>.
        for item in value if isinstance(value, list) else [value]:
            _xml_element(name, item, parts)


def _xml_element(name: str, value: Any, parts: list[str]) -> None:
    parts.append(f"<{name}>")
    if isinstance(value, dict):
        _xml_members(value, parts)
    elif isinstance(value, list):
        for item in value:
            _xml_element(name, item, parts)
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif value is not None:
        parts.append(escape(str(value)))
    parts.append(f"</{name}>")
