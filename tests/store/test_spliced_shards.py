"""A commit changes an images shard in its bytes: the very bytes parsing and encoding give."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from ecsimg.store import files, journal, tables
from ecsimg.store.files import ShardStorage, spliced
from ecsimg.store.journal import _updated
from ecsimg.store.tinystore import TinyRepository
from tests.store.index_checks import index_disagreements, spans_disagreements, unspanned_shards
from tests.store.test_indexes import _fill, _image, _rename

NAME = "images"


def _doc(rng: random.Random, n: int) -> dict[str, Any]:
    return {"ImageName": f"名前-{n}-{'x' * rng.randrange(30)}", "Size": rng.randrange(1, 500),
            "Tags": [[f"k{i}", "値\n\"q\""] for i in range(rng.randrange(3))],
            "Public": rng.random() < 0.5, "Nested": {"a": [1, 2.5, None]} if n % 2 else {}}


def _encoded(docs: dict[str, Any]) -> tuple[bytes, dict[str, list[int]]]:
    storage = ShardStorage("")
    return storage.encode({NAME: docs}), storage.spans


def _expected(docs: dict[str, Any], changes: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    data = _updated(Path("shard.json"), {NAME: dict(docs)}, {NAME: changes})
    return _encoded(data[NAME])


@pytest.mark.parametrize("seed", range(40))
def test_splicing_gives_the_bytes_and_spans_of_parsing_and_encoding(seed: int) -> None:
    rng = random.Random(seed)
    docs = {f"cn-hangzhou/m-{n:05d}{'é' * (n % 3)}": _doc(rng, n)
            for n in range(rng.randrange(0, 40))}
    raw, spans = _encoded(docs)
    keys = list(docs)
    changes: dict[str, Any] = {}
    for _ in range(rng.randrange(1, 6)):
        what = rng.random()
        if keys and what < 0.4:
            changes[rng.choice(keys)] = _doc(rng, rng.randrange(1000))  # changed: to the end
        elif keys and what < 0.7:
            changes[rng.choice(keys)] = None  # removed
        elif what < 0.85:
            changes[f"cn-beijing/m-new{rng.randrange(1000)}"] = _doc(rng, 7)  # added
        else:
            changes["cn-beijing/m-absent"] = None  # removed, though not there
    assert spliced(raw, spans, NAME, changes) == _expected(docs, changes)


def test_every_document_removed_leaves_the_empty_table() -> None:
    rng = random.Random(1)
    docs = {f"k{n}": _doc(rng, n) for n in range(3)}
    raw, spans = _encoded(docs)
    assert spliced(raw, spans, NAME, dict.fromkeys(docs)) == (b'{"images":{}}', {})
    assert spliced(b'{"images":{}}', {}, NAME, {"k": {"a": 1}}) == _expected({}, {"k": {"a": 1}})


def _forged(raw: bytes, spans: dict[str, list[int]]) -> list[tuple[bytes, Any]]:
    first, second = list(spans)[:2]
    moved = {**spans, second: [spans[second][0] + 1, spans[second][1]]}
    renamed = {("k9" if key == first else key): span for key, span in spans.items()}
    return [
        (raw, {**spans, first: [spans[first][0], spans[first][1] - 1]}),  # ends early
        (raw, moved),  # begins late
        (raw, {key: span for key, span in spans.items() if key != second}),  # one unnamed
        (raw, renamed),  # another key at that place
        (raw, {**spans, first: "0-9"}),  # not a span
        (raw, {**spans, first: [0.5, 9]}),
        (raw, [1, 2]),  # not spans at all
        (raw[:-2] + b"} }", spans),  # more than the documents
        (raw.replace(b",", b" ,", 1), spans),  # a byte between two documents
        (orjson.dumps(orjson.loads(raw), option=orjson.OPT_INDENT_2), spans),  # laid out by hand
        (b'{"other":' + raw[len(b'{"images":'):], spans),  # another table
    ]


def test_a_layout_other_than_the_spans_say_is_not_spliced() -> None:
    rng = random.Random(2)
    raw, spans = _encoded({f"k{n}": _doc(rng, n) for n in range(4)})
    assert spliced(raw, spans, NAME, {"k1": None}) is not None
    for forged_raw, forged_spans in _forged(raw, spans):
        assert spliced(forged_raw, forged_spans, NAME, {"k1": None}) is None


def test_a_commit_splices_the_images_shard_and_leaves_it_as_a_full_encoding_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)
    parsed: list[str] = []
    read = ShardStorage.read

    def counted(self: ShardStorage) -> Any:
        parsed.append(self.path.parent.name)
        return read(self)

    monkeypatch.setattr(ShardStorage, "read", counted)
    _rename(repo, 4, "renamed")
    with repo.transaction() as tx:  # a change, an addition and a removal in one shard
        tx.put(tables.IMAGES, dataclasses.replace(_image(5), image_name="again"))
        tx.put(tables.IMAGES, _image(900))
        tx.delete(tables.IMAGES, "cn-hangzhou/m-00000000000000000002")
    assert "images" not in parsed
    for path in (root / "images").glob("*.json"):
        raw = path.read_bytes()
        assert raw == _encoded(orjson.loads(raw)[NAME])[0], path
    assert unspanned_shards(root) == set()
    assert spans_disagreements(root) == []
    assert index_disagreements(root) == []
    with TinyRepository(root).read() as view:
        renamed = view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000004")
        assert renamed is not None and renamed.image_name == "renamed"
        assert view.get(tables.IMAGES, "cn-hangzhou/m-00000000000000000002") is None
        assert view.get(tables.IMAGES, _image(900).key) == _image(900)


def test_a_shard_whose_spans_describe_another_file_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cat"
    repo = _fill(root)
    shard = tables.IMAGES.shard_of("cn-hangzhou/m-00000000000000000004")
    spans_path = root / "image_spans" / f"{shard}.json"
    described = orjson.loads(spans_path.read_bytes())
    described["stamp"][1] += 1  # as if the shard were edited after its spans were written
    spans_path.write_bytes(orjson.dumps(described))
    calls: list[bool] = []
    splice = files.spliced

    def watched(*args: Any) -> Any:
        calls.append(True)
        return splice(*args)

    monkeypatch.setattr(journal, "spliced", watched)
    _rename(repo, 4, "renamed")
    assert calls == []  # not trusted: the shard was parsed and encoded again
    assert spans_disagreements(root) == []
    assert index_disagreements(root) == []
