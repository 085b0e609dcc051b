"""The Lambda environment as one typed model; the only module that reads os.environ."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field


class Settings(BaseModel):
    table_name: str = Field(default="newsdesk-articles")
    bucket_name: str = Field(default="newsdesk-articles")
    incoming_prefix: str = Field(default="incoming/")
    max_file_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    cors_origin: str = Field(default="*")
    api_cache_seconds: int = Field(default=60, ge=0)
    region: str = Field(default="us-east-1")
    # Signs API list cursors; the template sets it per stack. The default only suits local runs.
    cursor_secret: str = Field(default="newsdesk-local-cursor-secret", min_length=1)

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
            "cursor_secret": "CURSOR_SECRET",
        }
        values = {field: env[var] for field, var in mapping.items() if env.get(var)}
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once on first use (never at import time)."""
    return Settings.from_environ()
