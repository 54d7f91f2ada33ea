"""The peer to beat: a hand-written deploy script that makes the same links one request at a time with httpx.

What such scripts do (one POST per link, a PATCH per changed link, a DELETE per link, and for a
"refresh" the listing of the prefix, 100 a page), with no concurrency, no look-up before a POST and no
retry. It shares nothing with zis_pulumi but the emulator it talks to, so its time is what the API alone
costs when requests go one after another.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

INTEGRATION = "bench_0"
LINK_TYPE = "ticket_to_issue"


def link_body(i: int, touch: int, touch_count: int) -> dict[str, Any]:
    """Link i exactly as bench/scale_stack declares it."""
    return {
        "link_type": LINK_TYPE,
        "left_object": {"name": f"zendesk:ticket{i}", "metadata": {"ticket_id": i}},
        "right_object": {
            "name": f"jira:BENCH-{i}",
            "metadata": {"key": f"BENCH-{i}", "rev": touch if i < touch_count else 0},
        },
    }


def link_params(i: int) -> dict[str, str]:
    """The query that names link i, for a PATCH or DELETE."""
    return {"link_type": LINK_TYPE, "left_object_name": f"zendesk:ticket{i}", "right_object_name": f"jira:BENCH-{i}"}


class SequentialDeployer:
    def __init__(self, base_url: str, oauth_token: str) -> None:
        self.url = f"{base_url}/api/services/zis/links/{INTEGRATION}"
        self.http = httpx.Client(
            headers={"Authorization": f"Bearer {oauth_token}", "User-Agent": "sequential-deployer/1.0"},
            timeout=60,
        )

    def close(self) -> None:
        self.http.close()

    def up(self, count: int) -> None:
        for i in range(count):
            self.http.post(self.url, json=link_body(i, 0, 0)).raise_for_status()

    def refresh(self, count: int) -> int:
        """List the links by prefix, page by page; returns how many were found."""
        found, after = 0, None
        while True:
            params: dict[str, Any] = {"link_type": LINK_TYPE, "left_object_name": "zendesk:ticket*", "page[size]": 100}
            if after:
                params["page[after]"] = after
            body = self.http.get(self.url, params=params).raise_for_status().json()
            found += len(body["links"])
            if not body["meta"]["has_more"]:
                return found
            after = body["meta"]["after"]

    def update(self, touch_count: int) -> None:
        for i in range(touch_count):
            body = {"right_object": {"metadata": {"rev": 1}}}
            self.http.patch(self.url, params=link_params(i), json=body).raise_for_status()

    def destroy(self, count: int) -> None:
        for i in range(count):
            self.http.delete(self.url, params=link_params(i)).raise_for_status()


def timed(action: Callable[[], Any]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started
