"""Parquet, row group by row group (a .parquet.gz is unpacked to a temporary file first)."""

from __future__ import annotations

import gzip
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from csops.ingest.readers.base import LINE, READ_ERROR, FileRefused, RawBatch, check_header


class ParquetReader:
    format = "parquet"

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.path = path
        self.batch_rows = batch_rows
        self._file: pq.ParquetFile | None = None
        self._tmp: Path | None = None

    def _parquet(self) -> pq.ParquetFile:
        if self._file is None:
            source = self.path
            try:
                if self.path.suffix == ".gz":
                    handle, name = tempfile.mkstemp(suffix=".parquet")
                    self._tmp = Path(name)
                    with gzip.open(self.path, "rb") as src, open(handle, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    source = self._tmp
                self._file = pq.ParquetFile(source)
            except (pa.ArrowInvalid, OSError, EOFError) as exc:
                raise FileRefused(f"{self.path.name}: not a readable Parquet file ({exc})") from exc
        return self._file

    def columns(self) -> list[str]:
        return check_header(self.path, list(self._parquet().schema_arrow.names))

    def estimated_rows(self) -> int | None:
        return int(self._parquet().metadata.num_rows)

    def batches(self) -> Iterator[RawBatch]:
        names = self.columns()
        start = 1
        try:
            for batch in self._parquet().iter_batches(batch_size=self.batch_rows):
                n = batch.num_rows
                table = pa.Table.from_batches([batch]).rename_columns(names)
                table = table.append_column(LINE, pa.array(np.arange(start, start + n)))
                table = table.append_column(READ_ERROR, pa.nulls(n, pa.string()))
                start += n
                yield RawBatch(table)
        except (pa.ArrowInvalid, OSError) as exc:
            raise FileRefused(
                f"{self.path.name}: Parquet read failed after row {start - 1} ({exc})"
            ) from exc
        finally:
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)
