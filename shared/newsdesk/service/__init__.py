"""Use cases: what the handlers call (ingest an S3 event, read articles). Talks to storage."""
