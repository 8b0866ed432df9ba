"""Absolute ``links`` entries as Camunda writes them on create/start responses."""

from __future__ import annotations

from starlette.requests import Request


def self_link(request: Request, path: str) -> list[dict[str, str]]:
    url = request.url
    root = request.scope.get("root_path", "")
    return [{"method": "GET", "href": f"{url.scheme}://{url.netloc}{root}{path}", "rel": "self"}]
