"""Where `upload`, `reindex` and `redrive` act: the local stack (default) or real AWS.

Every such command takes the same flags; `connect()` turns them into a boto3 session and
endpoint, and `describe_error()` turns the usual connection failures into one readable line.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from newsdesk_cli.resources import LocalNames

LOCAL_ENDPOINT = "http://127.0.0.1:4566"
LOCAL_REGION = "us-east-1"


class TargetError(Exception):
    """The target cannot be used (unreachable, missing bucket, missing flag); says what to do."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_argument_group(
        "target", "the local stack (`make run`) by default; --aws for your AWS account"
    )
    target.add_argument(
        "--endpoint-url",
        help=f"S3/SQS endpoint (default {LOCAL_ENDPOINT}, the local stack; ignored with --aws)",
    )
    target.add_argument(
        "--bucket", help=f"bucket name (default {LocalNames().bucket} locally; required on AWS)"
    )
    target.add_argument("--aws", action="store_true", help="use real AWS, not the local stack")
    target.add_argument("--profile", help="AWS profile (implies --aws unless --endpoint-url)")
    target.add_argument("--region", help="AWS region (default: the profile's, or us-east-1)")


@dataclass(frozen=True)
class Target:
    session: Any
    endpoint_url: str | None  # None = real AWS
    bucket: str | None

    @property
    def is_local(self) -> bool:
        return self.endpoint_url is not None

    def describe(self) -> str:
        return self.endpoint_url or f"AWS ({self.session.region_name})"

    def client(self, service: str) -> Any:
        from botocore.config import Config

        kwargs: dict[str, Any] = {}
        if self.endpoint_url:
            # Fail fast on a stack that is not running rather than retrying for a minute.
            kwargs["endpoint_url"] = self.endpoint_url
            kwargs["config"] = Config(connect_timeout=3, retries={"max_attempts": 2})
        return self.session.client(service, **kwargs)


def connect(args: argparse.Namespace, *, bucket_required: bool = True) -> Target:
    import boto3

    use_aws = bool(args.aws or (args.profile and not args.endpoint_url))
    if use_aws:
        if bucket_required and not args.bucket:
            raise TargetError("--bucket is required with --aws (the stack's BucketName output)")
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        if session.region_name is None:
            session = boto3.Session(profile_name=args.profile, region_name=LOCAL_REGION)
        return Target(session, None, args.bucket)
    if args.profile:
        session = boto3.Session(profile_name=args.profile, region_name=args.region or LOCAL_REGION)
    else:
        # moto accepts any credentials; dummy ones keep a real profile out of local work.
        session = boto3.Session(
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name=args.region or LOCAL_REGION,
        )
    return Target(session, args.endpoint_url or LOCAL_ENDPOINT, args.bucket or LocalNames().bucket)


def describe_error(exc: Exception, target: Target) -> str | None:
    """A one-line explanation for connection/credential/bucket errors; None for anything else."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        ProfileNotFound,
    )

    if isinstance(exc, EndpointConnectionError):
        hint = " Is the local stack running (`make run`)?" if target.is_local else ""
        return f"cannot reach {target.describe()}.{hint}"
    if isinstance(exc, NoCredentialsError | ProfileNotFound):
        return f"no usable AWS credentials: {exc}"
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchBucket", "404") and target.bucket:
            return f"bucket {target.bucket!r} does not exist at {target.describe()}"
        if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            return f"queue not found at {target.describe()}: {exc}"
        return f"{target.describe()} refused the request: {exc}"
    return None
