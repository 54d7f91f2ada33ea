"""The exported program's source: identifiers and literals that `ruff format` leaves as they are, whatever the
account's names and values hold."""

from __future__ import annotations

import keyword
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zis_pulumi._export.code import MAX_IDENTIFIER, Names, call, identifier, literal

AWKWARD_VALUES: dict[str, Any] = {
    "plain": "text",
    "double": 'say "hi"',
    "single": "it's",
    "both": 'it\'s "quoted"',
    "backslash": "C:\\path\\n",
    "newline": "line one\nline two\ttabbed\r",
    "unicode": "Grüße — 日本語 🎉",
    "control": "bell\x07 nul\x00 del\x7f nbsp\xa0 line-sep\u2028",
    "jsonpath": "$.input.ticket_event['ticket']",
    "template": "{{ifempty(parameters.clientId, common.clientId)}}",
    "numbers": [0, -1, 1.5, 1e-07, 12345678901234567890, True, False, None],
    "empty": [{}, [], ""],
    "nested": {"a": {"b": [{"c": "d"}]}},
    "long": "x" * 300,
    "key with spaces and 'quotes'": 1,
}


def test_literals_evaluate_to_the_value_they_were_made_from() -> None:
    source = literal(AWKWARD_VALUES)
    assert eval(source) == AWKWARD_VALUES


def test_generated_source_is_ruff_format_clean(tmp_path: Path) -> None:
    names = Names()
    source = "\n".join(
        [
            "import zis_pulumi as zis",
            "",
            call("zis.Thing", [names.take("awkward values")], {"values": AWKWARD_VALUES, "missing": None}),
            "",
            call("zis.Thing", [names.take("short")], {"flag": True}),
            "",
        ]
    )
    path = tmp_path / "program.py"
    path.write_text(source)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--check", "--diff", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme_sync", "acme_sync"),
        ("example bundle", "example_bundle"),
        ("acme-crm2", "acme_crm2"),
        ("zendesk:ticket1", "zendesk_ticket1"),
        ("2fast", "r_2fast"),
        ("class", "class_"),
        ("match", "match_"),
        ("pulumi", "pulumi_"),
        ("config", "config_"),
        ("Grüße", "gr_e"),
        ("***", "resource"),
    ],
)
def test_identifiers_are_valid_and_readable(text: str, expected: str) -> None:
    assert identifier(text) == expected
    assert expected.isidentifier() and not keyword.iskeyword(expected)


def test_long_identifiers_are_cut_and_stay_distinct() -> None:
    first = identifier("acme_sync_ticket_to_issue_" + "zendesk:ticket1_" * 10)
    second = identifier("acme_sync_ticket_to_issue_" + "zendesk:ticket1_" * 11)
    assert len(first) <= MAX_IDENTIFIER and len(second) <= MAX_IDENTIFIER
    assert first != second and first.isidentifier()


def test_names_are_handed_out_once() -> None:
    names = Names()
    assert [names.take(t) for t in ("acme-crm", "acme_crm", "acme crm", "other")] == [
        "acme_crm",
        "acme_crm_2",
        "acme_crm_3",
        "other",
    ]
