"""The Lambda environment as one typed model; the only module that reads os.environ."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field, model_validator


class Settings(BaseModel):
    table_name: str = Field(default="newsdesk-articles")
    bucket_name: str = Field(default="newsdesk-articles")
    incoming_prefix: str = Field(default="incoming/")
    max_file_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    cors_origin: str = Field(default="*")
    api_cache_seconds: int = Field(default=60, ge=0)
    region: str = Field(default="us-east-1")
    event_bus_name: str = Field(default="newsdesk")
    # Signs API list cursors: the Secrets Manager secret the stack generates (read on the first
    # request, then kept), or the value itself where there is no Secrets Manager. No default.
    cursor_secret_arn: str | None = Field(default=None, min_length=1, max_length=2048)
    cursor_secret: str | None = Field(default=None, min_length=16, max_length=4096)
    # Where clients reach the API (a custom domain, say); next-page links are built from it.
    # Unset: links are relative to the request, never built from its Host or X-Forwarded-*.
    public_base_url: str | None = Field(
        default=None, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$", max_length=200
    )
    # The search index file in the bucket (never under incoming_prefix: it must not be ingested),
    # how often the API checks it for a new version, and where local copies are kept (None: a
    # directory of this process under the system's temp dir, /tmp on Lambda).
    search_index_key: str = Field(default="search/articles.sqlite", min_length=1, max_length=512)
    search_refresh_seconds: int = Field(default=30, ge=0, le=3600)
    search_cache_dir: str | None = None

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        mapping = {
            "table_name": "TABLE_NAME",
            "bucket_name": "BUCKET_NAME",
            "incoming_prefix": "INCOMING_PREFIX",
            "max_file_bytes": "MAX_FILE_BYTES",
            "cors_origin": "CORS_ORIGIN",
            "api_cache_seconds": "API_CACHE_SECONDS",
            "region": "AWS_REGION",
            "event_bus_name": "EVENT_BUS_NAME",
            "cursor_secret": "CURSOR_SECRET",
            "cursor_secret_arn": "CURSOR_SECRET_ARN",
            "public_base_url": "PUBLIC_BASE_URL",
            "search_index_key": "SEARCH_INDEX_KEY",
            "search_refresh_seconds": "SEARCH_REFRESH_SECONDS",
            "search_cache_dir": "SEARCH_CACHE_DIR",
        }
        values = {field: env[var] for field, var in mapping.items() if env.get(var)}
        return cls.model_validate(values)

    @model_validator(mode="after")
    def _index_outside_incoming(self) -> Settings:
        if self.search_index_key.startswith(self.incoming_prefix):
            raise ValueError(
                f"SEARCH_INDEX_KEY {self.search_index_key!r} is under {self.incoming_prefix!r}: "
                "the index would be ingested as an article"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once on first use (never at import time)."""
    return Settings.from_environ()
