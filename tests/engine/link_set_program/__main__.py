"""One zis.LinkSet whose size and edits come from the stack config (tests/engine/test_link_set_stack.py).

- `links`: how many links; `touch`/`touchCount`: the first `touchCount` links carry `rev = touch`.
"""

import pulumi

import zis_pulumi as zis

config = pulumi.Config()
LINKS = config.get_int("links") or 0
TOUCH = config.get_int("touch") or 0
TOUCH_COUNT = config.get_int("touchCount") or 0

link_set = zis.LinkSet(
    "links",
    integration="engine_sync",
    link_type="ticket_to_issue",
    links=[
        {
            "left_object": {"name": f"zendesk:ticket{i}", "metadata": {"ticket_id": i}},
            "right_object": {"name": f"jira:ENG-{i}", "metadata": {"rev": TOUCH if i < TOUCH_COUNT else 0}},
        }
        for i in range(LINKS)
    ],
)
pulumi.export("count", link_set.count)
pulumi.export("link_ids", link_set.link_ids)
