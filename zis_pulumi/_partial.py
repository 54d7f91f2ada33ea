"""Tell the engine what a failed create or update left behind, so its state says exactly what exists.

A provider reports a partial failure by failing the gRPC call with an `ErrorResourceInitFailed` detail that
carries the resource's id and its outputs as they are now; the engine then records those outputs (status
"partial failure") instead of forgetting a create or keeping the old outputs of an update. The Python
dynamic-provider server (`pulumi.dynamic.__main__`, SDK 3.259 to 3.272) has no way for a provider to say
this: it turns every exception into a bare error. `raise_partial_failure` does what that server would do:
it finds the gRPC call being served on this thread and attaches the detail to it (as trailing metadata,
`grpc-status-details-bin`, which the server sends with the error status whatever it says), then raises.

Where no call can be found (the provider is driven directly, as in the unit tests) the error is raised
all the same, carrying the outputs as `PartialFailure.outputs`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any, NoReturn

from .errors import ZisPulumiError

__all__ = ["PartialFailure", "raise_partial_failure"]

_SERVED_METHODS = frozenset({"Create", "Update"})
_UNKNOWN = 2  # grpc.StatusCode.UNKNOWN: what the SDK's server answers for any exception
_INIT_FAILED_TYPE = "type.googleapis.com/pulumirpc.ErrorResourceInitFailed"


class PartialFailure(ZisPulumiError):
    """Part of a create or update was done; `outputs` describe what exists now, `cause` what went wrong."""

    def __init__(self, message: str, resource_id: str, outputs: Mapping[str, Any], reported: bool) -> None:
        self.resource_id = resource_id
        self.outputs = dict(outputs)
        self.reported = reported
        """Whether the engine was handed the outputs (False outside a provider process)."""
        super().__init__(message)


def _serving_context() -> Any | None:
    """The grpc.ServicerContext of the Create/Update call this thread is serving, if any."""
    try:
        import grpc
    except ImportError:  # pragma: no cover - the SDK depends on grpcio
        return None
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in _SERVED_METHODS:
            context = frame.f_locals.get("context")
            if isinstance(context, grpc.ServicerContext):
                return context
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _length_delimited(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _status_bytes(message: str, detail: bytes) -> bytes:
    """A serialized `google.rpc.Status{code, message, details: [Any(detail)]}` (no googleapis dependency)."""
    packed = _length_delimited(1, _INIT_FAILED_TYPE.encode()) + _length_delimited(2, detail)
    code = _varint(1 << 3 | 0) + _varint(_UNKNOWN)
    return code + _length_delimited(2, message.encode()) + _length_delimited(3, packed)


def _struct(properties: Mapping[str, Any]) -> Any:
    from pulumi.runtime import rpc

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(properties), {}))
    finally:
        loop.close()


def raise_partial_failure(
    cause: BaseException,
    resource_id: str,
    outputs: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> NoReturn:
    """Raise `PartialFailure` from `cause`, first handing `outputs` and `inputs` to the engine if it is listening.

    `outputs` and `inputs` must hold `__provider` as the engine passed it in, as every state entry does.
    """
    message = f"{cause} (the state records what was done; run `pulumi up` again to finish)"
    context = _serving_context()
    reported = False
    if context is not None:
        from pulumi.runtime.proto import provider_pb2

        detail = provider_pb2.ErrorResourceInitFailed(
            id=resource_id, properties=_struct(outputs), reasons=[message], inputs=_struct(inputs)
        )
        status = _status_bytes(message, detail.SerializeToString())
        context.set_trailing_metadata((("grpc-status-details-bin", status),))
        context.set_code(_grpc_unknown())
        context.set_details(message)
        reported = True
    raise PartialFailure(message, resource_id, outputs, reported) from cause


def _grpc_unknown() -> Any:
    import grpc

    return grpc.StatusCode.UNKNOWN
