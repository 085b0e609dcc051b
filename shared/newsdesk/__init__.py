"""newsdesk: article files in S3 become structured article records (the Lambda layer package)."""

__version__ = "0.1.0"
