"""Where settings come from: stack config first, then the environment; and what a missing one says."""

from __future__ import annotations

import pytest

from zis_pulumi.config import MakeSettings, ZendeskSettings
from zis_pulumi.errors import ConfigurationError


def test_stack_config_wins_over_the_environment() -> None:
    settings = ZendeskSettings.resolve(
        {"zendesk:subdomain": "acme", "zendesk:apiToken": "from-config"},
        environ={"ZENDESK_SUBDOMAIN": "other", "ZENDESK_API_TOKEN": "from-env", "ZENDESK_EMAIL": "a@b.c"},
    )
    assert settings.base_url == "https://acme.zendesk.com"
    assert settings.api_token == "from-config"
    assert settings.email == "a@b.c"


def test_base_url_overrides_the_subdomain() -> None:
    settings = ZendeskSettings.resolve(
        {"zendesk:subdomain": "acme"}, environ={"ZENDESK_BASE_URL": "http://127.0.0.1:9/"}
    )
    assert settings.base_url == "http://127.0.0.1:9"


def test_a_missing_account_names_the_config_key_and_the_env_var() -> None:
    with pytest.raises(ConfigurationError) as raised:
        ZendeskSettings.resolve({}, environ={})
    assert "zendesk:subdomain" in str(raised.value) and "ZENDESK_SUBDOMAIN" in str(raised.value)
    with pytest.raises(ConfigurationError, match=r"make:zone.*MAKE_ZONE"):
        MakeSettings.resolve({}, environ={})


def test_a_subdomain_that_is_a_url_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="bare subdomain"):
        ZendeskSettings.resolve({"zendesk:subdomain": "https://acme.zendesk.com"}, environ={})


def test_make_zone_becomes_the_api_url() -> None:
    assert MakeSettings.resolve({"make:zone": "eu1.make.com"}, environ={}).base_url == "https://eu1.make.com/api/v2"
    assert MakeSettings.resolve({}, environ={"MAKE_ZONE": "https://us2.make.com/"}).base_url == (
        "https://us2.make.com/api/v2"
    )


def test_missing_credentials_are_named_for_the_call_that_needs_them() -> None:
    settings = ZendeskSettings.resolve({"zendesk:subdomain": "acme"}, environ={})
    with pytest.raises(ConfigurationError, match=r"Uploading.*zendesk:email.*ZENDESK_EMAIL"):
        settings.basic_credentials("Uploading a ZIS bundle")
    with pytest.raises(ConfigurationError, match=r"zendesk:oauthToken.*ZENDESK_OAUTH_TOKEN"):
        settings.require_oauth_token("Creating a ZIS link")


def test_settings_never_show_their_tokens() -> None:
    zendesk = ZendeskSettings(
        base_url="https://acme.zendesk.com", email="a@b.c", api_token="s3cr3t-1", oauth_token="s3cr3t-2"
    )
    make = MakeSettings(base_url="https://eu1.make.com/api/v2", api_token="s3cr3t-3")
    for text in (repr(zendesk), str(zendesk), repr(make)):
        assert "s3cr3t" not in text


def test_blank_values_count_as_unset() -> None:
    settings = ZendeskSettings.resolve({"zendesk:subdomain": "acme", "zendesk:apiToken": "  "}, environ={})
    assert settings.api_token is None
