"""Error answers in each vendor's shape.

ZIS has three shapes depending on the endpoint group: the registry's ``{"errors":[{code, detail, status}],
"message"}``, the links' ``{"errors":[{code: "1100", detail, status}]}`` (and a bare JSON string for 401), and the
connections' ``{"errors":[{code, title}]}``. Make has one: ``{"detail", "message", "code": "SC4xx"}``, sometimes
with ``suberrors``. The reference pages show placeholders (``"status":"4XX"``, a 400 whose message reads
"Unauthorized", a 404 whose status reads "400"); the emulator fills them with the real status and a message that
matches it.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

ZIS_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Missing Resource",
    409: "Conflict",
    422: "Unprocessable Entity",
}

ZIS_BAD_REQUEST = "1010"
ZIS_UNAUTHORIZED = "1001"
ZIS_MISSING_RESOURCE = "1020"
ZIS_CONFLICT = "1030"
LINKS_ERROR = "1100"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def zis_error(status: int, code: str, detail: str, message: str | None = None) -> Response:
    body = {
        "errors": [{"code": code, "detail": detail, "status": str(status)}],
        "message": message if message is not None else ZIS_MESSAGES.get(status, "Error"),
    }
    return json_response(body, status)


def zis_bad_request(detail: str) -> Response:
    return zis_error(400, ZIS_BAD_REQUEST, detail)


def zis_missing_resource(detail: str) -> Response:
    return zis_error(404, ZIS_MISSING_RESOURCE, detail)


def zis_message(status: int, message: str) -> Response:
    """The short ``{"message": …}`` body ZIS often answers with."""
    return json_response({"message": message}, status)


def links_error(status: int, detail: str) -> Response:
    return json_response({"errors": [{"code": LINKS_ERROR, "detail": detail, "status": str(status)}]}, status)


def connections_error(status: int, code: str, title: str) -> Response:
    return json_response({"errors": [{"code": code, "title": title}]}, status)


def zendesk_not_found() -> Response:
    return json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)


def make_error(status: int, message: str, detail: str, suberrors: list[str] | None = None) -> Response:
    body: dict[str, Any] = {"detail": detail, "message": message, "code": f"SC{status}"}
    if suberrors:
        body["suberrors"] = [{"message": text} for text in suberrors]
    return json_response(body, status)


def make_bad_request(detail: str, suberrors: list[str] | None = None) -> Response:
    return make_error(400, "Bad Request", detail, suberrors if suberrors is not None else [detail])


def make_not_found(detail: str) -> Response:
    return make_error(404, "Not Found", detail)
