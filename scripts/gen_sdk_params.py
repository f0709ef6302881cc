"""Write src/ecsimg/service/machinery/sdk_params.py: every request parameter the official SDK sends.

For each action ecsimg implements, a request model of the installed ``alibabacloud-ecs20140526``
is filled with a value in every field (lists with one element, nested models filled in turn)
and handed to the client's own ``*_with_options`` method with the network call replaced by a
capture, so the table holds exactly the flat names the client puts on the wire, ``*ShrinkRequest``
forms included. List indices become ``N``. Run it again after upgrading the SDK pin.

usage: python scripts/gen_sdk_params.py [--check]
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "ecsimg" / "service" / "machinery" / "sdk_params.py"
sys.path.insert(0, str(ROOT / "src"))

_INDEX = re.compile(r"(?<=\.)[0-9]+(?=\.|$)")
_KINDS = {str: "str", int: "int", bool: "bool", float: "float"}


class _Captured(Exception):
    """Raised in place of the network call, carrying the request the client built."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__("captured")
        self.names = names


def _snake(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def _sample(hint: Any, kinds: dict[int, str]) -> Any:
    """A value of type ``hint``; scalar values are distinct so their wire names map to kinds."""
    from darabonba.model import DaraModel

    origin = typing.get_origin(hint)
    if origin in (list, typing.List):  # noqa: UP006
        return [_sample(typing.get_args(hint)[0], kinds)]
    if origin in (dict, typing.Dict):  # noqa: UP006
        return {"Key": _sample(typing.get_args(hint)[1], kinds)}
    if inspect.isclass(hint) and issubclass(hint, DaraModel):
        return _filled(hint, kinds)
    if hint is bool:
        return True
    marker = f"v{len(kinds)}x"
    kinds[len(kinds)] = _KINDS.get(hint, "str")
    return {str: marker, int: 10_000_000 + len(kinds) - 1, float: 0.5 + len(kinds) - 1}.get(
        hint, marker
    )


def _filled(model: type[Any], kinds: dict[int, str]) -> Any:
    from alibabacloud_ecs20140526 import models as main_models

    hints = typing.get_type_hints(
        model.__init__, {"main_models": main_models, "List": list, "Dict": dict, "Any": Any}
    )
    values = {
        name: _sample(hint, kinds)
        for name, hint in hints.items()
        if name not in ("return", "self")
    }
    return model(**values)


def _kind_of(value: str, kinds: dict[int, str]) -> str:
    if value in ("True", "False"):
        return "bool"
    hit = re.fullmatch(r"v([0-9]+)x", value)
    if hit:
        return kinds[int(hit.group(1))]
    if re.fullmatch(r"1[0-9]{7}", value):
        return kinds[int(value) - 10_000_000]
    if re.fullmatch(r"[0-9]+\.5", value):
        return kinds[int(float(value) - 0.5)]
    return "str"  # a JSON-encoded shrink form


def sdk_names(action: str) -> dict[str, str] | None:
    """The action's wire names (``N`` for an index) and kinds, or None if the SDK lacks it."""
    from alibabacloud_ecs20140526 import models as main_models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi import models as open_api_models
    from darabonba.runtime import RuntimeOptions

    request_model = getattr(main_models, f"{action}Request", None)
    method_name = f"{_snake(action)}_with_options"
    client = Client(open_api_models.Config(endpoint="127.0.0.1", region_id="cn-hangzhou"))
    if request_model is None or not hasattr(client, method_name):
        return None
    kinds: dict[int, str] = {}

    def capture(params: Any, request: Any, runtime: Any) -> Any:
        found: dict[str, str] = {}
        for part in (request.query, request.body):
            if isinstance(part, dict):
                found.update({k: str(v) for k, v in part.items() if v is not None})
        raise _Captured(found)

    client.call_api = capture  # type: ignore[method-assign]
    try:
        getattr(client, method_name)(_filled(request_model, kinds), RuntimeOptions())
    except _Captured as done:
        wire = done.names
    else:
        raise RuntimeError(f"{method_name} sent nothing")
    return {_INDEX.sub("N", name): _kind_of(value, kinds) for name, value in sorted(wire.items())}


def render(actions: list[str]) -> str:
    from importlib.metadata import version

    lines = [
        '"""Every request parameter the official SDK sends, per action (generated; do not edit).',
        "",
        "Written by scripts/gen_sdk_params.py from alibabacloud-ecs20140526 "
        f"{version('alibabacloud-ecs20140526')};",
        "``N`` stands for a 1-based index. Actions the SDK lacks are absent.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f'SDK_VERSION = "{version("alibabacloud-ecs20140526")}"',
        "",
        "SDK_PARAMS: dict[str, dict[str, str]] = {",
    ]
    for action in sorted(actions):
        names = sdk_names(action)
        if names is None:
            continue
        lines.append(f'    "{action}": {{')
        lines += [f'        "{name}": "{kind}",' for name, kind in names.items()]
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the file differs from what the SDK gives")
    args = parser.parse_args()
    from ecsimg.service import ACTIONS

    text = render(list(ACTIONS))
    if args.check:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date; run {Path(__file__).name}")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
