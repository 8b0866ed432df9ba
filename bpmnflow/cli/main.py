"""``bpmnflow serve``: the embedded default, one process serving REST on a SQLite file."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bpmnflow import config as config_module

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
    return parser


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bpmnflow.api.app import create_app
    from bpmnflow.services.engine import Engine

    cfg = config_module.load(args.config, overrides={
        ("server", "host"): args.host, ("server", "port"): args.port,
        (None, "data_dir"): args.data_dir, (None, "database_url"): args.database_url,
        ("engine", "history_level"): args.history_level,
        ("engine", "job_executor"): False if args.no_job_executor else None,
    })
    engine = Engine(cfg)
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
