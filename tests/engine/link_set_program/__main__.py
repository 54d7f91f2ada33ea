"""One zis.LinkSet whose size and edits come from the stack config (tests/engine/test_link_set_stack.py).

- `links`: how many links; `touch`/`touchCount`: the first `touchCount` links carry `rev = touch`;
- `name`: the set's resource name (default `links`), `alias`: true to give it `aliases=[links]`;
- `twin`: true to declare the first link again as a zis.Link (a duplicate the preview must refuse).
"""

import pulumi

import zis_pulumi as zis

config = pulumi.Config()
LINKS = config.get_int("links") or 0
TOUCH = config.get_int("touch") or 0
TOUCH_COUNT = config.get_int("touchCount") or 0
NAME = config.get("name") or "links"
ALIASES = [pulumi.Alias(name="links")] if config.get_bool("alias") else []

link_set = zis.LinkSet(
    NAME,
    integration="engine_sync",
    link_type="ticket_to_issue",
    links=[
        {
            "left_object": {"name": f"zendesk:ticket{i}", "metadata": {"ticket_id": i}},
            "right_object": {"name": f"jira:ENG-{i}", "metadata": {"rev": TOUCH if i < TOUCH_COUNT else 0}},
        }
        for i in range(LINKS)
    ],
    opts=pulumi.ResourceOptions(aliases=ALIASES),
)
if config.get_bool("twin"):
    zis.Link(
        "twin",
        integration="engine_sync",
        link_type="ticket_to_issue",
        left_object={"name": "zendesk:ticket0"},
        right_object={"name": "jira:ENG-0"},
    )
pulumi.export("count", link_set.count)
pulumi.export("link_ids", link_set.link_ids)
