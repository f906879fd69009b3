"""What is inside the container: a tar stream of a manifest, rows in batches, files.

Members, in this order::

    manifest.json                      kind, time, schema (applied migrations), audit head
    rows/000001/<app.model>.jsonl.gz   one batch of at most ROWS_PER_MEMBER rows: the first
                                       line names the columns, every further line is a row
    files/<storage name>               the encrypted files of the data folder, as stored
    summary.json                       rows per model and number of files, written last

Values are written as the database returns them and read back through each field's
``to_python``: binary as base64, times in ISO 8601 with microseconds (the audit chain
hashes them), JSON fields as they are. Batches keep memory bounded at both ends.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePosixPath
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.db import models
from django.utils.duration import duration_string

from hafen.privacy.backup.container import Corrupt

ROWS_PER_MEMBER = 1000
MANIFEST = "manifest.json"
SUMMARY = "summary.json"
ROWS_PREFIX = "rows/"
FILES_PREFIX = "files/"


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.local_concrete_fields)


def _encode(value: Any, is_json: bool) -> Any:
    if value is None or is_json or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_string(value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"No backup encoding for {type(value).__name__}.")


def _decode(column: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(column, models.JSONField):
        return value
    return column.to_python(value)


def encode_row(row: tuple[Any, ...], json_flags: list[bool]) -> list[Any]:
    return [_encode(value, is_json) for value, is_json in zip(row, json_flags, strict=True)]


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def add_json(tar: tarfile.TarFile, name: str, value: dict[str, Any]) -> None:
    _add(tar, name, json.dumps(value, sort_keys=True).encode("utf-8"))


def add_rows(
    tar: tarfile.TarFile, model: type[models.Model], counter: list[int], chunk: int = 2000
) -> int:
    """Write every row of ``model`` in batches; ``counter`` numbers the members. Returns rows."""
    cols = columns(model)
    names = [column.attname for column in cols]
    json_flags = [isinstance(column, models.JSONField) for column in cols]
    rows = model._base_manager.order_by("pk").values_list(*names).iterator(chunk_size=chunk)
    total = 0
    batch: list[str] = []

    def flush() -> None:
        counter[0] += 1
        lines = [json.dumps(names), *batch]
        data = gzip.compress("\n".join(lines).encode("utf-8"), compresslevel=6)
        _add(tar, f"{ROWS_PREFIX}{counter[0]:06d}/{model._meta.label_lower}.jsonl.gz", data)
        batch.clear()

    for row in rows:
        batch.append(json.dumps(encode_row(row, json_flags), ensure_ascii=False))
        total += 1
        if len(batch) == ROWS_PER_MEMBER:
            flush()
    if batch:
        flush()
    return total


@dataclass
class RowBatch:
    model: type[models.Model]
    instances: list[models.Model]


@dataclass
class Member:
    """One item read from the archive: a manifest, a batch of rows or a file."""

    kind: str  # manifest | rows | file | summary
    json: dict[str, Any] = field(default_factory=dict)
    rows: RowBatch | None = None
    name: str = ""
    stream: IO[bytes] | None = None
    size: int = 0


def _model(label: str) -> type[models.Model]:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        raise Corrupt(
            f"The backup holds rows of {label}, which this installation does not know. "
            "Nothing was changed."
        ) from None


def _rows(member_name: str, data: bytes) -> RowBatch:
    label = member_name.rsplit("/", 1)[-1].removesuffix(".jsonl.gz")
    model = _model(label)
    try:
        lines = gzip.decompress(data).decode("utf-8").split("\n")
        names = json.loads(lines[0])
        by_attname = {column.attname: column for column in columns(model)}
        cols = [by_attname[name] for name in names]
        instances = []
        for line in lines[1:]:
            values = json.loads(line)
            instances.append(
                model(
                    **{
                        column.attname: _decode(column, value)
                        for column, value in zip(cols, values, strict=True)
                    }
                )
            )
    except KeyError as error:
        raise Corrupt(
            f"The backup's rows of {label} have a column {error} that this installation "
            "does not have. Nothing was changed."
        ) from None
    except Exception as error:  # any damage is reported the same way
        raise Corrupt(
            f"The backup's rows of {label} cannot be read ({type(error).__name__}). "
            "Nothing was changed."
        ) from None
    return RowBatch(model, instances)


def members(source: IO[bytes]) -> Iterator[Member]:
    """The archive's members in order; a file member's stream is valid until the next one."""
    try:
        tar = tarfile.open(fileobj=source, mode="r|")  # noqa: SIM115 - closed below
    except tarfile.TarError:
        raise Corrupt("The backup's content is not readable. Nothing was changed.") from None
    with tar:
        try:
            for info in tar:
                if not info.isfile():
                    raise Corrupt("The backup holds an unexpected entry. Nothing was changed.")
                handle = tar.extractfile(info)
                assert handle is not None
                if info.name in (MANIFEST, SUMMARY):
                    kind = "manifest" if info.name == MANIFEST else "summary"
                    try:
                        value = json.loads(handle.read())
                    except ValueError:
                        raise Corrupt("The backup's manifest is not readable.") from None
                    yield Member(kind, json=value)
                elif info.name.startswith(ROWS_PREFIX):
                    yield Member("rows", rows=_rows(info.name, handle.read()))
                elif info.name.startswith(FILES_PREFIX):
                    name = info.name.removeprefix(FILES_PREFIX)
                    parts = PurePosixPath(name).parts
                    if not parts or name.startswith("/") or ".." in parts or "\\" in name:
                        raise Corrupt(
                            f"The backup holds a file named {name!r}, outside the data folder. "
                            "Nothing was changed."
                        )
                    yield Member("file", name=name, stream=handle, size=info.size)
                else:
                    raise Corrupt("The backup holds an unexpected entry. Nothing was changed.")
        except tarfile.TarError:
            raise Corrupt("The backup's content is not readable. Nothing was changed.") from None
