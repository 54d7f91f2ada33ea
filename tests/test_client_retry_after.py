"""How the clients read `Retry-After`, in the forms the emulator never sends (it always answers 429s with delta
seconds and 5xx faults without the header): an HTTP date, a value past the retry budget, a value that is not one,
and a 503 that carries one. `respx` stands in for the server here and only here.

Sources: Retry-After is delta-seconds or an HTTP-date (RFC 9110, section 10.2.3); Zendesk answers rate-limited
requests with 429 and Retry-After in seconds (https://developer.zendesk.com/api-reference/introduction/rate-limits/);
Make does not document the header (docs/api-behaviour.md), so a Make 429 that carries one is honoured like any other.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import httpx
import pytest
import respx

from tests.support.sleeps import Sleeps
from zis_pulumi._http import RetryPolicy
from zis_pulumi._make import MakeClient
from zis_pulumi._zendesk import ZendeskClient
from zis_pulumi.config import MakeSettings, ZendeskSettings
from zis_pulumi.errors import ApiError, RateLimitedError

BASE = "https://acme.zendesk.com"
JOB_SPECS = "/api/services/zis/registry/acme_sync/job_specs"
LINKS = "/api/services/zis/links/acme_sync"
RATE_LIMITED = {"errors": [{"code": "TooManyRequests", "title": "Too many requests"}]}
NO_JOB_SPECS = {"job_specs": [], "meta": {"after": None, "before": None, "has_more": False}}


@pytest.fixture
def zendesk(sleeps: Sleeps) -> Iterator[ZendeskClient]:
    settings = ZendeskSettings(base_url=BASE, email="admin@acme.com", api_token="api-token", oauth_token="oauth")
    client = ZendeskClient(settings, retry=RetryPolicy(max_attempts=4, max_total_seconds=120), sleep=sleeps)
    yield client
    client.close()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


def test_a_retry_after_given_as_an_http_date_is_waited_for(
    zendesk: ZendeskClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    route = router.get(JOB_SPECS).mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": when}),
            httpx.Response(200, json=NO_JOB_SPECS),
        ]
    )
    assert zendesk.list_job_specs("acme_sync") == []
    assert route.call_count == 2
    assert len(sleeps) == 1 and 28 <= sleeps[0] <= 30  # the date has whole seconds; some time has passed since


def test_a_retry_after_past_the_retry_budget_fails_at_once_without_waiting(
    zendesk: ZendeskClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get(JOB_SPECS).mock(
        return_value=httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "3600"})
    )
    with pytest.raises(RateLimitedError) as raised:
        zendesk.list_job_specs("acme_sync")
    assert raised.value.status == 429 and raised.value.code == "TooManyRequests"
    assert route.call_count == 1 and sleeps == []


def test_a_retry_after_that_is_no_number_or_date_falls_back_to_backoff(
    zendesk: ZendeskClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    router.get(JOB_SPECS).mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "soon"}),
            httpx.Response(200, json=NO_JOB_SPECS),
        ]
    )
    assert zendesk.list_job_specs("acme_sync") == []
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5  # the first backoff step: full jitter in [base/2, base]


def test_a_503_to_a_get_waits_for_its_retry_after(
    zendesk: ZendeskClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    router.get(JOB_SPECS).mock(
        side_effect=[
            httpx.Response(503, text="Service Unavailable", headers={"Retry-After": "7"}),
            httpx.Response(200, json=NO_JOB_SPECS),
        ]
    )
    assert zendesk.list_job_specs("acme_sync") == []
    assert sleeps == [7.0]


def test_a_503_to_a_create_is_not_repeated_even_with_a_retry_after(
    zendesk: ZendeskClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.post(LINKS).mock(return_value=httpx.Response(503, text="busy", headers={"Retry-After": "1"}))
    body = {"link_type": "t", "left_object": {"name": "a:1"}, "right_object": {"name": "b:1"}}
    with pytest.raises(ApiError) as raised:
        zendesk.create_link("acme_sync", body)
    assert raised.value.status == 503 and raised.value.method == "POST"
    assert route.call_count == 1 and sleeps == []  # a second POST could make a second link


def test_a_make_429_with_a_retry_after_is_waited_for(sleeps: Sleeps) -> None:
    settings = MakeSettings(base_url="https://eu1.make.com/api/v2", api_token="make-token")
    client = MakeClient(settings, retry=RetryPolicy(max_attempts=3), sleep=sleeps)
    limited = {"message": "Requests limit for organization exceeded", "code": "SC429"}
    with respx.mock(base_url="https://eu1.make.com/api/v2", assert_all_called=True) as router:
        router.get("/sdk/apps/acme-crm/connections").mock(
            side_effect=[
                httpx.Response(429, json=limited, headers={"Retry-After": "2"}),
                httpx.Response(200, json={"appConnections": []}),
            ]
        )
        assert client.list_connections("acme-crm") == []
    client.close()
    assert sleeps == [2.0]
