"""A thin client of the ZIS API: one method per endpoint, the right credential for each.

Bundle upload takes basic auth only; links and connections take the ZIS OAuth bearer token only; the
rest take either (the bearer token is preferred when both are configured, as it is the narrower one).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from ._http import ApiClient
from .config import ZendeskSettings
from .errors import ApiError, ConfigurationError, InvalidInputError
from .models import Bundle, BundleSummary, Connections, JobSpec, Link, PageMeta

__all__ = ["ZendeskClient", "job_spec_qualified_name"]

PAGE_SIZE = 100
ZIS = "api/services/zis"


def job_spec_qualified_name(integration: str, name: str) -> str:
    """`zis:{integration}:job_spec:{name}`; a name that is already qualified is returned unchanged."""
    return name if name.startswith("zis:") else f"zis:{integration}:job_spec:{name}"


def _segment(value: str) -> str:
    return quote(value, safe="")


class ZendeskClient(ApiClient[ZendeskSettings]):
    vendor = "Zendesk ZIS"

    # --- credentials --------------------------------------------------------------------------

    def _basic(self, purpose: str) -> str:
        user, token = self._settings.basic_credentials(purpose)
        return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode("ascii")

    def _bearer(self, purpose: str) -> str:
        return "Bearer " + self._settings.require_oauth_token(purpose)

    def _either(self, purpose: str) -> str:
        if self._settings.oauth_token:
            return self._bearer(purpose)
        try:
            return self._basic(purpose)
        except ConfigurationError:
            raise ConfigurationError(
                f"{purpose} needs either a ZIS OAuth token (stack config `zendesk:oauthToken` or "
                "ZENDESK_OAUTH_TOKEN) or an e-mail and API token (`zendesk:email`/ZENDESK_EMAIL and "
                "`zendesk:apiToken`/ZENDESK_API_TOKEN)"
            ) from None

    # --- pagination ---------------------------------------------------------------------------

    def _pages(self, path: str, auth_header: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a cursor-paginated list, following `meta.after` while `has_more`."""
        query: dict[str, Any] = dict(params or {})
        query["page[size]"] = PAGE_SIZE
        seen: set[str] = set()
        while True:
            response = self.request("GET", path, auth_header=auth_header, params=query)
            body = self.decode(response, "GET", path)
            if not isinstance(body, dict):
                raise self.malformed(response, "GET", path, "expected a JSON object")
            yield body
            meta = PageMeta.model_validate(body.get("meta") or {})
            if not meta.has_more or not meta.after:
                return
            if meta.after in seen:
                raise self.malformed(response, "GET", path, f"the cursor {meta.after!r} came back twice")
            seen.add(meta.after)
            query["page[after]"] = meta.after

    # --- bundles ------------------------------------------------------------------------------

    def upload_bundle(self, integration: str, body: Mapping[str, Any]) -> None:
        """Create or replace the bundle named `body["name"]`; the API answers 200 `null`, no uuid."""
        self.request(
            "POST",
            f"{ZIS}/registry/{_segment(integration)}/bundles",
            auth_header=self._basic("Uploading a ZIS bundle"),
            json=dict(body),
            idempotent=True,  # an upload is an upsert by (integration, name)
        )

    def list_bundles(self, integration: str) -> list[BundleSummary]:
        path = f"{ZIS}/registry/{_segment(integration)}/bundles"
        auth = self._either("Listing ZIS bundles")
        return [
            BundleSummary.model_validate(item) for page in self._pages(path, auth) for item in page.get("bundles") or []
        ]

    def find_bundle_uuid(self, integration: str, name: str) -> str | None:
        """The uuid of the bundle called `name`, searching every page (the upload does not return it)."""
        path = f"{ZIS}/registry/{_segment(integration)}/bundles"
        auth = self._either("Listing ZIS bundles")
        for page in self._pages(path, auth):
            for item in page.get("bundles") or []:
                if item.get("name") == name:
                    return str(item["uuid"])
        return None

    def get_bundle(self, integration: str, uuid: str) -> Bundle:
        path = f"{ZIS}/registry/{_segment(integration)}/bundles/{_segment(uuid)}"
        response = self.request("GET", path, auth_header=self._either("Reading a ZIS bundle"))
        body = self.decode(response, "GET", path)
        if isinstance(body, dict) and isinstance(body.get("bundle"), dict):
            body = body["bundle"]  # tolerate a wrapped answer
        return Bundle.model_validate(body)

    def delete_bundle(self, integration: str, uuid: str) -> None:
        path = f"{ZIS}/registry/{_segment(integration)}/bundles/{_segment(uuid)}"
        self.request("DELETE", path, auth_header=self._either("Deleting a ZIS bundle"))

    # --- job specs ----------------------------------------------------------------------------

    def list_job_specs(self, integration: str) -> list[JobSpec]:
        path = f"{ZIS}/registry/{_segment(integration)}/job_specs"
        auth = self._either("Listing ZIS job specs")
        return [
            JobSpec.model_validate(item) for page in self._pages(path, auth) for item in page.get("job_specs") or []
        ]

    def install_job_spec(self, qualified_name: str) -> None:
        """Install `zis:{integration}:job_spec:{name}`. Installing one already installed is success."""
        try:
            self.request(
                "POST",
                f"{ZIS}/registry/job_specs/install",
                auth_header=self._either("Installing a ZIS job spec"),
                params={"job_spec_name": qualified_name},
                idempotent=True,
            )
        except ApiError as exc:
            if exc.status == 409:  # [open] some accounts answer 409 when it is installed already
                return
            raise

    def uninstall_job_spec(self, qualified_name: str) -> None:
        self.request(
            "DELETE",
            f"{ZIS}/registry/job_specs/install",
            auth_header=self._either("Uninstalling a ZIS job spec"),
            params={"job_spec_name": qualified_name},
        )

    # --- links --------------------------------------------------------------------------------

    def find_links(
        self,
        integration: str,
        link_type: str,
        *,
        max_pages: float = math.inf,
        left_object_name: str | None = None,
        right_object_name: str | None = None,
    ) -> list[Link] | None:
        """Links of a type matching one or both names (a trailing `*` is a prefix wildcard).

        None when there are more than `max_pages` pages (the caller looks up otherwise).
        """
        links: list[Link] = []
        pages = self.link_pages(
            integration, link_type, left_object_name=left_object_name, right_object_name=right_object_name
        )
        for number, page in enumerate(pages, start=1):
            if number > max_pages:
                return None
            links.extend(page)
        return links

    def link_pages(
        self,
        integration: str,
        link_type: str,
        *,
        left_object_name: str | None = None,
        right_object_name: str | None = None,
    ) -> Iterator[list[Link]]:
        """The links of a search, one page (up to 100) at a time, for callers that report progress or stop early."""
        if left_object_name is None and right_object_name is None:
            raise ValueError("a link search needs left_object_name or right_object_name")
        params: dict[str, Any] = {"link_type": link_type}
        if left_object_name is not None:
            params["left_object_name"] = left_object_name
        if right_object_name is not None:
            params["right_object_name"] = right_object_name
        path = f"{ZIS}/links/{_segment(integration)}"
        auth = self._bearer("Reading ZIS links")
        for page in self._pages(path, auth, params):
            yield [Link.model_validate(item) for item in page.get("links") or []]

    def links_page(
        self, integration: str, link_type: str, left_object_name: str, after: str | None = None
    ) -> tuple[list[Link], str | None]:
        """One page (of 100) of the links of a type whose left name matches; and the cursor of the next page,
        None after the last. For callers that read a long listing only as far as they need."""
        params: dict[str, Any] = {"link_type": link_type, "left_object_name": left_object_name, "page[size]": PAGE_SIZE}
        if after is not None:
            params["page[after]"] = after
        path = f"{ZIS}/links/{_segment(integration)}"
        response = self.request("GET", path, auth_header=self._bearer("Reading ZIS links"), params=params)
        body = self.decode(response, "GET", path)
        if not isinstance(body, dict):
            raise self.malformed(response, "GET", path, "expected a JSON object")
        links = [Link.model_validate(item) for item in body.get("links") or []]
        meta = PageMeta.model_validate(body.get("meta") or {})
        if not meta.has_more or not meta.after:
            return links, None
        if meta.after == after:
            raise self.malformed(response, "GET", path, f"the cursor {meta.after!r} came back twice")
        return links, meta.after

    def create_link(self, integration: str, body: Mapping[str, Any]) -> Link:
        path = f"{ZIS}/links/{_segment(integration)}"
        response = self.request("POST", path, auth_header=self._bearer("Creating a ZIS link"), json=dict(body))
        return self._link_from(response, "POST", path)

    def patch_link(
        self, integration: str, link_type: str, left_object_name: str, right_object_name: str, body: Mapping[str, Any]
    ) -> Link:
        """Merge metadata into a link: keys left out stay, keys sent as None are removed."""
        path = f"{ZIS}/links/{_segment(integration)}"
        response = self.request(
            "PATCH",
            path,
            auth_header=self._bearer("Updating a ZIS link"),
            params=_identity(link_type, left_object_name, right_object_name),
            json=dict(body),
            idempotent=True,  # the same merge applied twice gives the same link
        )
        return self._link_from(response, "PATCH", path)

    def delete_link(self, integration: str, link_type: str, left_object_name: str, right_object_name: str) -> None:
        self.request(
            "DELETE",
            f"{ZIS}/links/{_segment(integration)}",
            auth_header=self._bearer("Deleting a ZIS link"),
            params=_identity(link_type, left_object_name, right_object_name),
        )

    def _link_from(self, response: httpx.Response, method: str, path: str) -> Link:
        body = self.decode(response, method, path)
        if isinstance(body, dict) and isinstance(body.get("link"), dict):
            return Link.model_validate(body["link"])
        raise self.malformed(response, method, path, 'expected {"link": {...}}')

    # --- connections --------------------------------------------------------------------------

    def list_connections(self, integration: str) -> Connections:
        """Every connection of every kind, all pages merged."""
        path = f"{ZIS}/integrations/{_segment(integration)}/connections/all"
        auth = self._bearer("Reading ZIS connections")
        merged: dict[str, list[Any]] = {"api_key": [], "basic_auth": [], "bearer_token": [], "oauth": []}
        for page in self._pages(path, auth):
            for kind, items in merged.items():
                items.extend(page.get(kind) or [])
        return Connections.model_validate(merged)


def _identity(link_type: str, left_object_name: str, right_object_name: str) -> dict[str, str]:
    for name in (left_object_name, right_object_name):
        if name.endswith("*"):
            raise InvalidInputError(f"a link's object name cannot end in a wildcard: {name!r}")
    return {"link_type": link_type, "left_object_name": left_object_name, "right_object_name": right_object_name}
