"""Committing to the TinyDB repository: the two-phase write and the replay of a journal."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ecsimg.domain.errors import CatalogueError
from ecsimg.store import indexes, journal, migrations
from ecsimg.store.catalogue_meta import FORMAT
from ecsimg.store.files import (
    Stamp,
    check_folder,
    describe_os_error,
    fsync_folder,
    read_stamped,
    read_start,
    spans_of,
    stamp_of,
)
from ecsimg.store.indexing import INDEXED, Indexing, image_shards
from ecsimg.store.memory import LoadedTable
from ecsimg.store.tables import ALL_TABLES, IMAGES, INDEX_TABLES, TABLES_BY_NAME, Table

if TYPE_CHECKING:
    from ecsimg.store.views import _Tx



class Committing(Indexing):
    """The commit half of TinyRepository (see ``journal`` for the protocol)."""

    root: Path
    _loaded: dict[str, LoadedTable]
    _generation: int
    _catalogue_id: str
    _meta: dict[str, Any]
    _meta_stamp: object
    _pending: dict[str, dict[str, dict[str, Any] | None]]
    _replay_error: str
    _described_cache: dict[str, tuple[Stamp, tuple[int, ...] | None]]
    """Images shard -> (stamp of its spans file, the images file stamp it describes)."""

    def _shards_on_disk(self, table: Table[Any]) -> set[str]:
        raise NotImplementedError

    def _shard_path(self, table: Table[Any], shard: str) -> Path:
        raise NotImplementedError

    # -- committing --------------------------------------------------------------------------

    def _next_meta(self, generation: int) -> dict[str, Any]:
        catalogue_id = self._catalogue_id or secrets.token_hex(8)
        listed = self._meta.get("shards")
        if listed is None:  # a catalogue written before meta.json listed its shards
            listed = {t.name: sorted(self._shards_on_disk(t))
                      for t in (*ALL_TABLES, *INDEX_TABLES)}
        meta = {"format": FORMAT, "schema": migrations.SCHEMA_VERSION,
                "catalogue_id": catalogue_id, "generation": generation,
                "shards": {k: list(v) for k, v in listed.items() if v}}
        if INDEXED in self._meta:
            meta[INDEXED] = dict(self._meta[INDEXED])
        return meta

    def _commit(self, tx: _Tx) -> None:
        if self._pending:
            raise CatalogueError(
                f"{self.root / journal.JOURNAL}: an earlier committed change cannot be applied "
                f"yet ({self._replay_error}); reading works, writing needs it applied first")
        generation = self._generation + 1
        stale = self._stale_shards()
        packed_shards = set(tx.packed)
        rewritten = {IMAGES.shard_of(key) for name, key in tx.ops if name == IMAGES.name}
        unspanned = self._unspanned(rewritten | packed_shards)
        meta = self._next_meta(generation)
        meta[INDEXED] = self._index_stamps(stale)
        journal_path = self.root / journal.JOURNAL
        try:
            relaid, respanned = self._respan(unspanned)
        except OSError as err:
            raise CatalogueError(f"{self.root}: cannot write the catalogue "
                                 f"({describe_os_error(err)}); nothing was changed") from None
        try:
            writer = journal.Writer(journal_path)
            written: list[tuple[Path, Path]] = list(respanned)
            try:
                writer.start(generation)
                # Shard by shard, each batch written to the journal and its files prepared
                # before the next is made: a commit of 100,000 images holds one shard's
                # operations at a time. The batches touch disjoint files.
                for ops in self._batches(tx, stale, relaid):
                    writer.add(ops)
                    written += journal.prepare(self.root, ops, meta, sync=False,
                                               write_meta=False)
                written += journal.prepare(self.root, [], meta, sync=False)
                journal_tmp = writer.finish()
                # Every file durable before the commit point, synced together: a full
                # disk fails here, with nothing visible.
                journal.sync_temps(written, journal_tmp)
                os.replace(journal_tmp, journal_path)  # the commit point
            except BaseException:
                writer.discard()
                journal.discard(written)
                raise
        except OSError as err:
            raise CatalogueError(f"{self.root}: cannot write the catalogue "
                                 f"({describe_os_error(err)}); nothing was changed") from None
        try:
            fsync_folder(self.root)  # makes the rename durable
            journal.install_all(written)
            journal_path.unlink()
        except OSError:
            # Committed: the journal is in place and the next writer finishes it; readers
            # meanwhile apply it in memory. The caller's write stands.
            journal.discard(written)
        self._meta = meta
        self._catalogue_id = meta["catalogue_id"]
        for (name, key), obj in tx.objects.items():
            loaded = self._loaded.get(name)
            if loaded is None or not self._in_memory(loaded, key):
                continue
            if obj is None:
                loaded.remove(key)
            else:
                loaded.set(key, obj)
        images = self._loaded.get(IMAGES.name)
        if images is not None:
            for shard in packed_shards:  # read again when asked: they were not kept
                for key in list(images.shard_keys.get(shard, ())):
                    images.remove(key)
                images.known.discard(shard)
                images.stamps.pop(shard, None)
                images.complete = False
        for name, loaded in self._loaded.items():
            table = TABLES_BY_NAME[name]
            for shard in {table.shard_of(key) for (n, key) in tx.ops if n == name}:
                if not (loaded.complete or shard in loaded.known):
                    continue
                stamp = stamp_of(self._shard_path(table, shard))
                if stamp is None:
                    loaded.stamps.pop(shard, None)
                else:
                    loaded.stamps[shard] = stamp
        self._meta_stamp = (stamp_of(self.root / journal.META), generation, False)
        self._generation = generation

    def _batches(self, tx: _Tx, stale: set[str],
                 relaid: dict[str, dict[str, Any]]) -> Iterator[journal.Ops]:
        """The commit's operations, a batch for each images shard (its index repair, its
        images and their index entries: repairs first, so that this commit's own changes
        win over a repair of the same image; a shard ``relaid`` is written again whole,
        before this commit's own images), then one of the other tables. ``tx.packed`` is
        emptied as it goes."""
        by_shard: dict[str, journal.Ops] = {}
        others: journal.Ops = []
        for (name, key), doc in tx.ops.items():
            if name == IMAGES.name:
                by_shard.setdefault(IMAGES.shard_of(key), []).append([name, key, doc])
            else:
                others.append([name, key, doc])
        for shard in sorted(stale | set(by_shard) | set(tx.packed) | set(relaid)):
            ops = self._repair_ops(shard) if shard in stale else []
            own = [[IMAGES.name, key, doc] for key, doc in relaid.get(shard, {}).items()]
            own += by_shard.pop(shard, [])
            own += [[IMAGES.name, key, orjson.loads(raw)]
                    for key, raw in tx.packed.pop(shard, {}).items()]
            yield ops + own + indexes.derived_ops(own)
        yield others

    def _unspanned(self, rewritten: set[str]) -> set[str]:
        """Images shards, other than ``rewritten``, whose spans file does not describe the
        file in place (a copied catalogue, a restored backup, spans lost in a crash)."""
        unspanned: set[str] = set()
        check_folder(self.root / indexes.SPANS)
        images = os.path.join(self.root, IMAGES.name)
        for shard in image_shards():
            if shard in rewritten:
                continue
            stamp = stamp_of(os.path.join(images, f"{shard}.json"))
            if stamp is not None and self._described(shard) != stamp:
                unspanned.add(shard)
        return unspanned

    def _described(self, shard: str) -> tuple[int, ...] | None:
        """The stamp of the images file that shard's spans file describes, read from its
        first bytes (again only when the spans file changed: every commit asks for every
        shard); None without a readable one."""
        path = os.path.join(self.root, indexes.SPANS, f"{shard}.json")
        try:
            spans_stamp = stamp_of(path)
        except CatalogueError:
            return None
        known = self._described_cache.get(shard)
        if known is not None and spans_stamp is not None and known[0] == spans_stamp:
            return known[1]
        try:
            described = indexes.spans_stamp(read_start(Path(path), indexes.SPANS_HEAD_BYTES))
        except (OSError, ValueError):
            return None
        if spans_stamp is not None:
            self._described_cache[shard] = (spans_stamp, described)
        return described

    def _respan(self, unspanned: set[str]) -> tuple[dict[str, dict[str, Any]],
                                                     list[tuple[Path, Path]]]:
        """For the ``unspanned`` shards: (the documents of those whose file is not laid out
        as ecsimg writes it, edited by hand: they are written again, which gives them spans;
        spans files of the others, written to temporary files)."""
        relaid: dict[str, dict[str, Any]] = {}
        written: list[tuple[Path, Path]] = []
        try:
            for shard in sorted(unspanned):
                path = self._shard_path(IMAGES, shard)
                data, stamp = read_stamped(path)
                spans = spans_of(data)
                if spans is None:
                    relaid[shard] = self._read_shard(IMAGES, shard)
                else:
                    written.append(journal.spans_file(self.root, path.name, list(stamp), spans))
        except BaseException:
            journal.discard(written)
            raise
        return relaid, written

    @staticmethod
    def _in_memory(loaded: LoadedTable, key: str) -> bool:
        return loaded.complete or loaded.table.shard_of(key) in loaded.known

    def _replay(self, batches: Iterator[journal.Ops], generation: int,
                meta: dict[str, Any]) -> bool:
        """Finish a commit whose process died (or failed) after its commit point, a batch of
        the journal at a time (each writes its own shards); False if it cannot be written
        now (read-only, no permission, disk full): it is then read through in memory, and a
        commit is refused until it is applied."""
        self._meta = meta
        self._catalogue_id = str(meta.get("catalogue_id", "")) or self._catalogue_id
        new_meta = self._next_meta(max(generation, int(meta["generation"])))
        written: list[tuple[Path, Path]] = []
        try:
            try:
                for ops in batches:
                    written += journal.prepare(self.root, ops, new_meta, sync=False,
                                               write_meta=False)
                written += journal.prepare(self.root, [], new_meta, sync=False)
                journal.sync_temps(written)
            except BaseException:
                journal.discard(written)
                raise
            journal.install_all(written)
            (self.root / journal.JOURNAL).unlink()
        except OSError as err:
            self._replay_error = describe_os_error(err)
            return False
        return True
