"""Each parameter's type is declared once, in its action's table; handlers read it as that."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ecsimg import service
from ecsimg.domain.errors import ApiError
from ecsimg.service.machinery.params import Param, Request, match

SERVICE = Path(service.__file__).parent
_ACCESSORS = {"int": int, "int_or": int, "float": float, "bool": bool}


def _typed_reads() -> list[tuple[str, str, type]]:
    """Every ``req.int("Name")``-like read with a literal name: (where, name, kind)."""
    reads = []
    for path in sorted(SERVICE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _ACCESSORS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "req" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                where = f"{path.relative_to(SERVICE)}:{node.lineno}"
                reads.append((where, node.args[0].value, _ACCESSORS[node.func.attr]))
    return reads


def test_every_typed_read_names_a_parameter_some_action_declares_with_that_type() -> None:
    reads = _typed_reads()
    assert len(reads) > 30
    actions = [*service.ACTIONS.values(), *service.OWN_ACTIONS.values()]
    wrong = []
    for where, name, kind in reads:
        declared = {p.kind for a in actions if (p := match(a.params, name)) is not None}
        if kind not in declared:
            wrong.append(f"{where} reads {name} as {kind.__name__}; declared {declared}")
    assert not wrong, "\n".join(wrong)


def test_a_value_not_of_the_declared_type_is_refused_before_the_handler_reads_it() -> None:
    spec = (Param("Force", bool), Param("PageSize", int), Param("DataDisk.N.Size", int))
    for name, value in (("Force", "maybe"), ("PageSize", "ten"), ("DataDisk.2.Size", "40G")):
        with pytest.raises(ApiError) as refused:
            Request("DeleteImage", spec, {name: value})
        assert refused.value.code == "InvalidParameter" and name in refused.value.message


def test_reading_a_parameter_as_another_type_than_declared_is_a_programming_error() -> None:
    req = Request("DeleteImage", (Param("Force", bool), Param("ImageId")), {"Force": "true"})
    assert req.bool("Force") is True
    with pytest.raises(TypeError, match="Force is declared bool, read as int"):
        req.int("Force")
    with pytest.raises(TypeError, match="ImageId is declared str, read as bool"):
        req.bool("ImageId")
