"""X-Ray tracing for the handlers, with the X-Ray SDK loaded on the first invocation.

Lambda traces every invocation itself (`Tracing: Active`: the init, invoke and overhead
segments). powertools' Tracer adds a subsegment per handler call and per AWS call, but building
one imports the X-Ray SDK and patches every library it knows (requests, httplib, sqlite3, and
botocore, which it imports even in a function that has not) - about as long as importing boto3.
So the Tracer is built when the first event arrives, and it patches botocore only: the one
library newsdesk calls out with. `make bench` measures both the import and the first call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from aws_lambda_powertools import Tracer

P = ParamSpec("P")
R = TypeVar("R")


class DeferredTracer:
    """A powertools Tracer with the same decorators, built on the first traced call."""

    def __init__(self, patch_modules: Sequence[str] = ("botocore",)) -> None:
        self._patch_modules = tuple(patch_modules)
        self._tracer: Tracer | None = None

    @property
    def tracer(self) -> Tracer:
        """The powertools Tracer (imports the X-Ray SDK and patches on first access)."""
        if self._tracer is None:
            self._tracer = Tracer(patch_modules=self._patch_modules)
        return self._tracer

    def capture_lambda_handler(self, handler: Callable[P, R]) -> Callable[P, R]:
        """Tracer.capture_lambda_handler, applied when the handler first runs."""
        return self._deferred(handler, lambda tracer: tracer.capture_lambda_handler(handler))

    def capture_method(self, method: Callable[P, R]) -> Callable[P, R]:
        """Tracer.capture_method, applied when the method first runs."""
        return self._deferred(method, lambda tracer: tracer.capture_method(method))

    def _deferred(
        self, function: Callable[P, R], decorate: Callable[[Tracer], Callable[..., Any]]
    ) -> Callable[P, R]:
        traced: list[Callable[..., Any]] = []

        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if not traced:
                traced.append(decorate(self.tracer))
            result: R = traced[0](*args, **kwargs)
            return result

        return call
