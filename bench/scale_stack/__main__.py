"""The scale benchmark's stack: N links, as N `zis.Link` resources or as one `zis.LinkSet` (bench/scale.py).

Config: `mode` (`links` or `set`), `links` (N), `touch` and `touchCount` (the first `touchCount` links
carry `rev = touch` in their right object's metadata, so raising `touch` changes exactly those links).
The links are those of bench/sequential.py, the peer it is compared with.
"""

from typing import Any

import pulumi

import zis_pulumi as zis

config = pulumi.Config()
MODE = config.get("mode") or "set"
LINKS = config.get_int("links") or 0
TOUCH = config.get_int("touch") or 0
TOUCH_COUNT = config.get_int("touchCount") or 0


def link(i: int) -> dict[str, Any]:
    return {
        "left_object": {"name": f"zendesk:ticket{i}", "metadata": {"ticket_id": i}},
        "right_object": {
            "name": f"jira:BENCH-{i}",
            "metadata": {"key": f"BENCH-{i}", "rev": TOUCH if i < TOUCH_COUNT else 0},
        },
    }


if MODE == "set":
    zis.LinkSet("links", integration="bench_0", link_type="ticket_to_issue", links=[link(i) for i in range(LINKS)])
else:
    for i in range(LINKS):
        zis.Link(f"link-{i}", integration="bench_0", link_type="ticket_to_issue", **link(i))
