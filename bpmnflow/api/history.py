"""Placeholder until the router lands."""

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
