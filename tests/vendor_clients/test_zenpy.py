"""zenpy (facetoe/zenpy, a third-party Python client of the Zendesk API) driving the ZIS registry calls it has,
`zenpy.zis.registry`: create an integration, upload a bundle, install and uninstall a job spec, against the
emulator with the credentials it prints.

zenpy builds its URLs as https://{subdomain}.{domain}; it reads two variables that point it anywhere else
(zenpy/lib/api.py `BaseApi._build_url`): ZENPY_FORCE_SCHEME (here `http`) and ZENPY_FORCE_NETLOC (the emulator's
HOST:PORT). A subdomain must still be given, though it is not used then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
import requests
from zenpy import Zenpy
from zenpy.lib.exception import APIException

from tests.conftest import EmulatorAdmin
from tests.emulator.helpers import seed_bundle
from zis_pulumi.emulator import EmulatorServer

INTEGRATION = "example"  # the integration of the vendor's example bundle
JOB_SPEC = "my_job_Spec"  # its job spec


@pytest.fixture
def zenpy_env(emulator: EmulatorServer, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = emulator.env()
    base = urlsplit(env["ZENDESK_BASE_URL"])
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", base.scheme)
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", base.netloc)
    return env


@pytest.fixture
def new_zenpy(zenpy_env: dict[str, str]) -> Iterator[Callable[..., Zenpy]]:
    """Makes zenpy clients pointed at the emulator (any subdomain will do); closes their sessions afterwards."""
    sessions: list[requests.Session] = []

    def make(**credentials: str) -> Zenpy:
        session = requests.Session()
        sessions.append(session)
        return Zenpy(subdomain="emulator", session=session, **credentials)

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def zenpy(new_zenpy: Callable[..., Zenpy], zenpy_env: dict[str, str]) -> Zenpy:
    """zenpy with the admin's e-mail and API token, as the registry's bundle upload needs."""
    return new_zenpy(email=zenpy_env["ZENDESK_EMAIL"], token=zenpy_env["ZENDESK_API_TOKEN"])


def job_spec(admin: EmulatorAdmin) -> dict[str, object]:
    [record] = [js for js in admin.state()["zis"]["job_specs"].values() if js["name"] == JOB_SPEC]
    return record  # type: ignore[no-any-return]


def test_create_upload_install_uninstall(zenpy: Zenpy, admin: EmulatorAdmin) -> None:
    admin.settings(bundle_upload_body="empty")  # see test_zenpy_cannot_read_the_documented_null_upload_answer

    integration = zenpy.zis.registry.create_integration(INTEGRATION, "example integration")
    zenpy.zis.registry.upload_bundle(INTEGRATION, seed_bundle())
    uploaded = job_spec(admin)
    zenpy.zis.registry.install(INTEGRATION, JOB_SPEC)
    installed = job_spec(admin)
    zenpy.zis.registry.uninstall(INTEGRATION, JOB_SPEC)
    uninstalled = job_spec(admin)

    assert integration.description == "example integration"
    assert integration.zendesk_oauth_client["identifier"] == f"zis_{INTEGRATION}"
    state = admin.state()["zis"]
    assert state["integrations"][INTEGRATION]["oauth_client_id"] == integration.zendesk_oauth_client["id"]
    assert [b["name"] for b in state["bundles"].values()] == ["example bundle"]
    assert (uploaded["installed"], installed["installed"], uninstalled["installed"]) == (False, True, False)
    assert admin.requests()["by_endpoint"] == {
        "POST /api/services/zis/registry/{integration}": 1,
        "POST /api/services/zis/registry/{integration}/bundles": 1,
        "POST /api/services/zis/registry/job_specs/install": 1,
        "DELETE /api/services/zis/registry/job_specs/install": 1,
    }


def test_install_and_uninstall_with_the_zis_oauth_token(
    zenpy: Zenpy, new_zenpy: Callable[..., Zenpy], zenpy_env: dict[str, str], admin: EmulatorAdmin
) -> None:
    admin.settings(bundle_upload_body="empty")
    bearer = new_zenpy(oauth_token=zenpy_env["ZENDESK_OAUTH_TOKEN"])
    zenpy.zis.registry.upload_bundle(INTEGRATION, seed_bundle())

    bearer.zis.registry.install(INTEGRATION, JOB_SPEC)
    installed = job_spec(admin)["installed"]
    bearer.zis.registry.uninstall(INTEGRATION, JOB_SPEC)

    assert (installed, job_spec(admin)["installed"]) == (True, False)


def test_vendor_errors_reach_zenpy_as_api_exceptions(zenpy: Zenpy, admin: EmulatorAdmin) -> None:
    admin.settings(bundle_upload_body="empty")
    zenpy.zis.registry.create_integration(INTEGRATION, "first")

    with pytest.raises(APIException, match="already registered"):
        zenpy.zis.registry.create_integration(INTEGRATION, "again")
    with pytest.raises(APIException, match="one or more requested job specs is invalid"):
        zenpy.zis.registry.install(INTEGRATION, "not_uploaded")
    with pytest.raises(APIException, match="1010"):
        # zenpy's docstring asks for "JSON string with the bundle", but it JSON-encodes the payload itself:
        # a string arrives as a JSON string, which ZIS refuses. Pass the bundle as a dict.
        zenpy.zis.registry.upload_bundle(INTEGRATION, '{"name": "as a string"}')


def test_a_wrong_api_token_is_refused(
    new_zenpy: Callable[..., Zenpy], zenpy_env: dict[str, str], admin: EmulatorAdmin
) -> None:
    wrong = new_zenpy(email=zenpy_env["ZENDESK_EMAIL"], token="x" * 40)

    with pytest.raises(APIException, match="1001"):
        wrong.zis.registry.create_integration(INTEGRATION, "d")
    assert admin.state()["zis"]["integrations"] == {}


def test_zenpy_cannot_read_the_documented_null_upload_answer(zenpy: Zenpy, admin: EmulatorAdmin) -> None:
    """The reference page's upload answer is the JSON `null`; zenpy 2.0.57 calls len() on it (CountResponseHandler)
    and raises TypeError, though the upload was done. The emulator's `bundle_upload_body: empty` is for zenpy."""
    with pytest.raises(TypeError):
        zenpy.zis.registry.upload_bundle(INTEGRATION, seed_bundle())

    assert [b["name"] for b in admin.state()["zis"]["bundles"].values()] == ["example bundle"]
