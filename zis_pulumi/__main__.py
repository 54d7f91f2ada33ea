"""`python -m zis_pulumi`: the same as the `zis-pulumi` command."""

from ._cli import main

raise SystemExit(main())
