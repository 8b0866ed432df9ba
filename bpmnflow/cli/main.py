"""``bpmnflow serve``: the embedded default, one process serving REST on a SQLite file."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bpmnflow import config as config_module

if TYPE_CHECKING:
    from bpmnflow.services.engine import Engine

log = logging.getLogger("bpmnflow")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bpmnflow", description="BPMN engine with the "
                                     "Camunda 7 REST API")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the engine and its REST API")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080)")
    serve.add_argument("--data-dir", help="folder for the SQLite file (default ./bpmnflow-data)")
    serve.add_argument("--database-url",
                       help="e.g. postgresql://user@127.0.0.1:5432/db instead of SQLite")
    serve.add_argument("--config", help="a TOML configuration file")
    serve.add_argument("--history-level", choices=config_module.HISTORY_LEVELS)
    serve.add_argument("--no-job-executor", action="store_true",
                       help="do not run jobs on this node (another node runs them)")
    serve.add_argument("--oidc-issuer", help="accept bearer tokens of this OpenID issuer, "
                       "e.g. https://keycloak.example/realms/erp")
    serve.add_argument("--oidc-audience", help="required audience of bearer tokens")
    serve.add_argument("--oidc-jwks-url", help="the issuer's JWKS (default: from discovery)")
    serve.add_argument("--admin-group", help="administrator permission set "
                       "(default camunda-admin)")
    serve.add_argument("--grants-file", help="TOML file of permission sets and grants")
    serve.add_argument("--no-authentication", action="store_true",
                       help="DANGER: open every endpoint to anyone, as an administrator")
    serve.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                       help="import MODULE to register delegate handlers (repeatable)")
    return parser


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bpmnflow.api.app import create_app
    from bpmnflow.delegates.setup import configure_extensions
    from bpmnflow.services.engine import Engine

    cfg = config_module.load(args.config, overrides={
        ("server", "host"): args.host, ("server", "port"): args.port,
        (None, "data_dir"): args.data_dir, (None, "database_url"): args.database_url,
        ("engine", "history_level"): args.history_level,
        ("engine", "job_executor"): False if args.no_job_executor else None,
        ("security", "oidc_issuer"): args.oidc_issuer,
        ("security", "oidc_audience"): args.oidc_audience,
        ("security", "oidc_jwks_url"): args.oidc_jwks_url,
        ("security", "admin_group"): args.admin_group,
        ("security", "grants_file"): args.grants_file,
        ("security", "authentication"): False if args.no_authentication else None,
    })
    if args.plugin:
        cfg = config_module.replace(cfg, plugins=(*cfg.plugins, *args.plugin))
    plugins = configure_extensions(cfg)
    if plugins:
        log.info("plugins loaded: %s", ", ".join(plugins))
    engine = Engine(cfg)
    _secure(engine)
    if cfg.engine.job_executor:
        engine.start_job_executor()
    app = create_app(engine)
    where = cfg.database_url and _redact(cfg.database_url) or engine.db.url.removeprefix(
        "sqlite:///")
    log.info("bpmnflow listening on http://%s:%d/engine-rest, data in %s",
             cfg.server.host, cfg.server.port, where)
    try:
        uvicorn.run(app, host=cfg.server.host, port=cfg.server.port, log_level="warning",
                    timeout_graceful_shutdown=10)
    finally:
        engine.close()
    return 0


def _secure(engine: Engine) -> None:
    """First start: an administrator; every start: the grants file; and loud warnings."""
    import os

    from bpmnflow.security import ensure_admin, load_grants

    security = engine.config.security
    if not security.authentication:
        log.warning("AUTHENTICATION IS SWITCHED OFF: anyone who reaches this server may do "
                    "everything, as an administrator. Never run it like this outside a "
                    "trusted sandbox.")
    created = ensure_admin(engine, os.environ)
    if created is not None:
        user_id, generated = created
        if generated is not None:
            # printed once, never stored: only its hash is in the database
            print(f"bpmnflow: created administrator '{user_id}' with password: {generated}",
                  flush=True)
        else:
            log.info("created administrator %r (password from BPMNFLOW_ADMIN_PASSWORD)",
                     user_id)
    if security.grants_file:
        count = load_grants(engine, security.grants_file)
        log.info("applied %d permission sets from %s", count, security.grants_file)
    if security.oidc_issuer:
        log.info("accepting bearer tokens of %s", security.oidc_issuer)


def _redact(url: str) -> str:
    """Never print a password that came with the database URL."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
