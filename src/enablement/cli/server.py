"""`enablement serve` and `enablement keys`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from enablement.access.keys import Role
from enablement.cli.common import columns, database_option, printable, say, service
from enablement.errors import AuthenticationError

ROLES = click.Choice([role.name for role in Role])


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ENABLEMENT_HOST")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
    envvar="ENABLEMENT_PORT",
)  # fmt: skip
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(min=1),
    help="uvicorn worker processes.",
)  # fmt: skip
def serve(host: str, port: int, workers: int) -> None:
    """Serve the REST API (and, later, the sidebar and dashboard) with uvicorn.

    Share links are built on ENABLEMENT_PUBLIC_URL (default: http://HOST:PORT); set it to
    the address buyers reach, e.g. https://enablement.example.com. Example:

        enablement serve --port 8000 --workers 2
    """
    import uvicorn

    if workers > 1:  # one model thread per worker process: they share the cores
        os.environ.setdefault("ENABLEMENT_TORCH_THREADS", "1")
    # Links are built on the public URL, never on a request's Host header; the workers inherit it.
    os.environ.setdefault("ENABLEMENT_PUBLIC_URL", serve_address(host, port))
    uvicorn.run(
        "enablement.api.main:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )


def serve_address(host: str, port: int) -> str:
    """The URL of `host:port`; a wildcard host (listen everywhere) is reached on loopback."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@click.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command("create")
@click.argument("name")
@click.option("--role", type=ROLES, required=True, help="rep, crm, marketer or admin.")
@click.option(
    "--rotate",
    is_flag=True,
    help="Replace the active key of this name: it is revoked as the new one is made.",
)
@click.option("--json", "as_json", is_flag=True, help="Print {id, name, role, key} as JSON.")
@click.option(
    "--save", type=click.Path(path_type=Path), help="Also write the key to this file (0600)."
)
@database_option
def create(
    name: str, role: str, rotate: bool, as_json: bool, save: Path | None, database_url: str | None
) -> None:
    """Create a key; it is printed once and stored only as a hash.

    A name belongs to one active key (it is the user the key's events are recorded under):
    creating a second is an error unless --rotate replaces the first. Example:

        enablement keys create crm-sidebar --role rep --json
        enablement keys create crm-sidebar --role rep --rotate
    """
    with service(database_url) as svc:
        new = svc.keys.create(name, Role.parse(role), rotate=rotate)
    if save is not None:
        _write_secret(save, new.key)
    if as_json:
        click.echo(json.dumps(new.to_dict()))
        return
    for old in new.replaced:
        say(f"Revoked key {old} ({printable(new.name)})")
    say(f"Created key {new.id} ({printable(new.name)}, {new.role.name}); it is shown only once:")
    click.echo(new.key)


@keys.command("local")
@click.option(
    "--save",
    type=click.Path(path_type=Path),
    default=Path("data/local-admin.key"),
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help='Print {"path", "created"} as JSON.')
@database_option
def local(save: Path, as_json: bool, database_url: str | None) -> None:
    """Make sure a working admin key for local use is saved at --save (0600); print its path.

    Used by `make run`; a key that no longer verifies (a new database) is replaced. Example:

        enablement keys local --save data/local-admin.key
    """
    with service(database_url) as svc:
        created = not (save.is_file() and svc.keys.verify(save.read_text().strip()) is not None)
        if created:  # the saved key is gone or from another database: a lost secret, replace it
            new = svc.keys.create("local-dev", Role.admin, rotate=True)
            _write_secret(save, new.key)
    click.echo(json.dumps({"path": str(save), "created": created}) if as_json else str(save))


def _write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret + "\n")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help='Print {"items": [...]} as JSON.')
@database_option
def list_keys(as_json: bool, database_url: str | None) -> None:
    """List keys, oldest first (never the keys themselves): id, name, role, when each was
    created and revoked, all times in UTC. Example:

        enablement keys list --json
    """
    with service(database_url) as svc:
        rows = svc.keys.list()
    if as_json:
        click.echo(json.dumps({"items": rows}, indent=2))
        return
    header = ("ID", "NAME", "ROLE", "CREATED", "REVOKED")
    cells = [
        (
            row["id"],
            row["name"],
            row["role"],
            _minute(row["created_at"]),
            _minute(row["revoked_at"]),
        )
        for row in rows
    ]
    say(columns(header, cells))


def _minute(stamp: str | None) -> str:
    """An ISO 8601 time as `YYYY-MM-DD HH:MM` (UTC), or "-"."""
    return stamp[:16].replace("T", " ") if stamp else "-"


@keys.command("revoke")
@click.argument("key_id")
@click.option("--json", "as_json", is_flag=True, help='Print {"id", "revoked"} as JSON.')
@database_option
def revoke(key_id: str, as_json: bool, database_url: str | None) -> None:
    """Revoke a key by id; running servers stop accepting it within seconds. Example:

    enablement keys revoke 3f2a9c01b7de4411
    """
    with service(database_url) as svc:
        svc.keys.revoke(key_id)
    click.echo(json.dumps({"id": key_id, "revoked": True}) if as_json else f"Revoked {key_id}")


@click.command("mcp")
@click.option("--key", envvar="ENABLEMENT_API_KEY", help="An API key (rep or above).")
@database_option
def mcp_command(key: str | None, database_url: str | None) -> None:
    """Serve the MCP tools (recommend_content, search_content, get_asset) over stdio.

    For assistants that launch tools as a subprocess. Example:

        ENABLEMENT_API_KEY=enb_... enablement mcp
    """
    from enablement.mcp_server import build_mcp

    with service(database_url) as svc:
        principal = svc.keys.verify(key.strip()) if key else None
        if principal is None:
            raise AuthenticationError(
                "Set ENABLEMENT_API_KEY (or --key) to a valid API key; make one with "
                "`enablement keys create NAME --role rep`."
            )
        build_mcp(svc).run("stdio")
