"""The `enablement` command: one subcommand per verb, each a thin call into the service."""

from __future__ import annotations

import sys
from typing import Any

import click
from pydantic import ValidationError

from enablement import __version__
from enablement.cli import (
    audit,
    catalog,
    embed,
    evaluate,
    experiments,
    learn,
    rankers,
    recommend,
    server,
    tags,
)
from enablement.cli.common import printable
from enablement.errors import EnablementError


class _Group(click.Group):
    """Turns our errors into one line on stderr and exit status 1, and a command line click
    refuses (an option out of its range, an unknown choice) into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise  # `enablement keys` alone: click prints the group's help
        except click.UsageError as exc:
            where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
            click.echo(f"Error: {printable(exc.format_message())}{where}", err=True)
            sys.exit(exc.exit_code)
        except EnablementError as exc:
            click.echo(f"Error: {printable(exc.message)}", err=True)
            sys.exit(1)
        except OSError as exc:  # a path the OS refuses (too long, not a folder, no permission)
            where = f": {exc.filename}" if exc.filename is not None else ""
            click.echo(f"Error: {printable(exc.strerror or str(exc))}{printable(where)}", err=True)
            sys.exit(1)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            click.echo(f"Error: invalid setting {where}: {printable(first['msg'])}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="enablement")
def cli() -> None:
    """Index a sales content library and recommend what to send next.

    Settings come from ENABLEMENT_* environment variables (see the README).
    """


for command in (
    catalog.ingest,
    catalog.index,
    catalog.remove,
    catalog.audit_log,
    recommend.recommend,
    recommend.search,
    evaluate.eval_command,
    evaluate.train_ranker_command,
    evaluate.train_answers_command,
    evaluate.train_encoder_command,
    server.serve,
    server.keys,
    embed.embed_token,
    server.mcp_command,
    audit.report,
    audit.simulate_command,
    experiments.experiments,
    rankers.rankers,
    learn.learn_command,
    tags.tags,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="enablement")
