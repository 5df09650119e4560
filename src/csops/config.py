"""Settings: environment (``CSOPS_*``) and command-line flags, validated once at start-up.

Nothing here is built at import time; the CLI builds a `Settings` and passes it in.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSOPS_", extra="ignore")

    home: Path = Field(
        default=Path("csops-workspace"),
        description="Workspace folder: SQLite database, event store, quarantine, reports, outbox.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the row store; default SQLite inside the workspace.",
    )
    currency: str = Field(default="USD", description="Workspace currency (ISO 4217).")
    future_tolerance_minutes: int = Field(
        default=15,
        ge=0,
        description="How far past now a timestamp of something that happened may lie.",
    )
    batch_rows: int = Field(
        default=200_000, ge=1_000, description="Rows per streaming batch during ingest."
    )
    duckdb_memory_limit: str = Field(
        default="1GB", description="Memory cap for DuckDB work (it spills to disk past it)."
    )

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError(f"currency must be a three-letter ISO 4217 code, got {value!r}")
        return value.upper()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is not None and "://" not in value:
            raise ValueError(
                f"database_url must be a SQLAlchemy URL such as "
                f"postgresql+psycopg://user@host/db, got {value!r}"
            )
        return value or None

    @property
    def workspace(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.workspace / 'csops.db'}"

    @property
    def events_dir(self) -> Path:
        return self.workspace / "events"

    @property
    def quarantine_dir(self) -> Path:
        return self.workspace / "quarantine"

    @property
    def future_tolerance(self) -> timedelta:
        return timedelta(minutes=self.future_tolerance_minutes)


def masked_url(url: str) -> str:
    """The URL with any password replaced by ***, for display."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
