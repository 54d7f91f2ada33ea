"""Counts of API requests, for tests and the benchmark. Admin requests are never counted.

Requests are keyed by method and route template (``GET /api/services/zis/registry/{integration}/bundles``), and by
status; a response the emulator dropped on purpose counts under the status ``lost``. The log keeps the last
``LOG_SIZE`` requests (method, path, query, status, milliseconds) and nothing from their headers.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

LOG_SIZE = 5000
UNMATCHED_ROUTE = "<unmatched>"


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: str
    route: str
    status: int | str
    ms: float


class RequestLog:
    def __init__(self) -> None:
        self.total = 0
        self.by_endpoint: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.recent: deque[RequestRecord] = deque(maxlen=LOG_SIZE)

    def record(self, record: RequestRecord) -> None:
        self.total += 1
        self.by_endpoint[f"{record.method} {record.route}"] += 1
        self.by_status[str(record.status)] += 1
        self.recent.append(record)

    def clear(self) -> None:
        self.total = 0
        self.by_endpoint.clear()
        self.by_status.clear()
        self.recent.clear()

    def snapshot(self, include_log: bool) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "total": self.total,
            "by_endpoint": dict(sorted(self.by_endpoint.items())),
            "by_status": dict(sorted(self.by_status.items())),
        }
        if include_log:
            summary["log"] = [asdict(record) for record in self.recent]
        return summary
