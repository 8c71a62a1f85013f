"""``mitroo-client``: the reference client on the command line.

One subcommand per operation, named as in the WSDL (``getMunicipalities``) with options named as
the XSD fields (``--regionCode``); they are generated from ``MitrooClient``'s typed methods, so
the CLI grows with the library. A repeated field (``tuple[str, ...]``) is an option given once per
item (``--document PASSPORT --document CRIMINAL_RECORD``). Connection settings and credentials come
from the environment (``MITROO_CLIENT_*``) or an INI file (``--config``, section
``[mitroo-client]``), never from the command line. Exit codes: 0 success, 3 not found, 4 not
authorized / inactive / quota, 5 invalid input, 6 signature failure, 7 unavailable or unreachable,
8 authentication failed, 9 ambiguous, 10 not eligible, 11 refused by the application's state
(conflict, criminal record pending, documents missing, deadline passed), 1 anything else, 2 usage.
"""
from __future__ import annotations

import configparser
import dataclasses
import datetime as dt
import inspect
import json
import os
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from consumer_client.client import MitrooClient
from consumer_client.core import ClientCore, local_ip
from consumer_client.envelope import SERVICES, InputError, envelope, fresh_audit_record
from consumer_client.errors import MitrooClientError
from consumer_client.evidence import verify_evidence
from consumer_client.models import camel
from consumer_client.signature import load_certificates

SETTINGS = ("url", "username", "password", "unit", "user_id", "user_ip", "certificates", "ca_bundle", "client_cert",
            "client_key")


def _settings(config: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if config:
        parser = configparser.ConfigParser()
        if not parser.read(config, encoding="utf-8"):
            raise click.UsageError(f"cannot read the config file {config}")
        values.update({k: v for k, v in parser["mitroo-client"].items()} if "mitroo-client" in parser else {})
    for name in SETTINGS:
        if os.environ.get(f"MITROO_CLIENT_{name.upper()}"):
            values[name] = os.environ[f"MITROO_CLIENT_{name.upper()}"]
    return values


def _require(values: dict[str, str], *names: str) -> None:
    missing = [f"MITROO_CLIENT_{name.upper()}" for name in names if not values.get(name)]
    if missing:
        raise click.UsageError(f"set {', '.join(missing)} (or the same keys, lower case, in --config)")


def _client_cert(values: dict[str, str]) -> tuple[str, str] | None:
    """Mutual TLS: MITROO_CLIENT_CLIENT_CERT and MITROO_CLIENT_CLIENT_KEY (PEM files), both or neither."""
    if not values.get("client_cert") and not values.get("client_key"):
        return None
    _require(values, "client_cert", "client_key")
    return values["client_cert"], values["client_key"]


def _pinned(values: dict[str, str]) -> list[Any]:
    _require(values, "certificates")
    return [cert for path in values["certificates"].split(",") for cert in load_certificates(Path(path.strip()).read_bytes())]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def _render(data: Any) -> str:
    plain = _plain(data)
    if isinstance(plain, list) and plain and all(isinstance(row, dict) for row in plain):
        flat = all(not isinstance(v, (dict, list)) for row in plain for v in row.values())
        if flat:
            return tabulate([list(row.values()) for row in plain], headers=list(plain[0]), tablefmt="simple")
    if isinstance(plain, list):
        return "\n".join(_render(item) if isinstance(item, (dict, list)) else str(item) for item in plain) or "(none)"
    if isinstance(plain, dict):
        return json.dumps(plain, ensure_ascii=False, indent=2)
    return str(plain)


def _emit(reply: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"callSequenceId": reply.call_sequence_id,
                               "callSequenceDate": _plain(reply.call_sequence_date),
                               "auditTransactionId": reply.audit_transaction_id,
                               "data": _plain(reply.data)}, ensure_ascii=False, indent=2))
    else:
        click.echo(_render(reply.data))
        click.echo(f"callSequenceId {reply.call_sequence_id}", err=True)


def _fail(error: MitrooClientError, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"error": type(error).__name__, "code": getattr(error, "code", None),
                               "description": getattr(error, "description", str(error)),
                               "callSequenceId": getattr(error, "call_sequence_id", None)}, ensure_ascii=False))
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


_CLICK_TYPES = {str: str, int: int, bool: bool, dt.date: click.DateTime(["%Y-%m-%d"])}


def _operation_command(method_name: str, method: Callable[..., Any]) -> click.Command:
    hints = typing.get_type_hints(method)
    parameters = [p for p in inspect.signature(method).parameters.values() if p.kind is p.KEYWORD_ONLY]

    def run(config: str | None, as_json: bool, save_evidence: str | None, **options: Any) -> None:
        values = _settings(config)
        _require(values, "url", "username", "password", "unit", "user_id")
        arguments = {}
        for parameter in parameters:
            value = options.get(camel(parameter.name).lower())
            if isinstance(value, dt.datetime) and hints[parameter.name] is not dt.datetime:
                value = value.date()
            if value is not None and value != ():
                arguments[parameter.name] = value
        try:
            client = MitrooClient(values["url"], values["username"], values["password"], unit=values["unit"],
                                  user_id=values["user_id"], user_ip=values.get("user_ip"),
                                  provider_certificates=_pinned(values), keep_evidence=save_evidence or False,
                                  ca_bundle=values.get("ca_bundle"), client_cert=_client_cert(values))
            _emit(getattr(client, method_name)(**arguments), as_json)
        except MitrooClientError as error:
            _fail(error, as_json)

    options: list[click.Parameter] = [
        click.Option(["--config"], type=click.Path(exists=True, dir_okay=False), help="INI file with [mitroo-client]."),
        click.Option(["--json", "as_json"], is_flag=True, help="JSON output."),
        click.Option(["--save-evidence"], type=click.Path(file_okay=False), help="Keep the signed answer in DIR."),
    ]
    for parameter in parameters:
        hint = hints[parameter.name]
        base = next((t for t in typing.get_args(hint) if t is not type(None)), hint)
        required = parameter.default is inspect.Parameter.empty
        repeated = typing.get_origin(hint) is tuple  # tuple[str, ...]: the option is given once per item
        options.append(click.Option([f"--{camel(parameter.name)}"], type=_CLICK_TYPES.get(base, str),
                                    required=required, default=None if required else parameter.default,
                                    multiple=repeated, help="repeatable: once per item" if repeated else None,
                                    show_default=not (required or repeated) and parameter.default is not None))
    summary = (inspect.getdoc(method) or "").splitlines()[0] if inspect.getdoc(method) else ""
    return click.Command(camel(method_name), params=options, callback=run, help=summary)


@click.group()
def main() -> None:
    """Reference client of the Mitroo Politon interoperability provider."""


def operation_methods() -> dict[str, Callable[..., Any]]:
    """Every typed operation method: the public functions of MitrooClient's service mixins."""
    return {
        name: member
        for cls in MitrooClient.__mro__
        if cls not in (MitrooClient, ClientCore, object)
        for name, member in vars(cls).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


for _name, _method in operation_methods().items():
    main.add_command(_operation_command(_name, _method))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--config", type=click.Path(exists=True, dir_okay=False))
def verify(file: str, config: str | None) -> None:
    """Re-verify a kept signed answer (evidence) against the pinned certificates, offline."""
    try:
        evidence = verify_evidence(file, _pinned(_settings(config)))
    except MitrooClientError as error:
        _fail(error, False)
    click.echo(f"signature valid: callSequenceId {evidence.call_sequence_id}, signed at {evidence.signed_at.isoformat()}"
               + (f", answer {evidence.error_code}" if evidence.error_code else ""))


@main.command("envelope")
@click.argument("service", type=click.Choice(SERVICES))
@click.argument("operation")
@click.option("--protocol", required=True, help="auditProtocol: your case or protocol number.")
@click.option("--input", "input_xml", default="", metavar="XML|-",
              help="The children of <operation>InputRecord, with the svc: and c: prefixes; - reads standard input.")
@click.option("--config", type=click.Path(exists=True, dir_okay=False))
def print_envelope(service: str, operation: str, protocol: str, input_xml: str, config: str | None) -> None:
    """Print a ready-to-send request with a fresh auditTransactionId and date (send it once, within minutes)."""
    values = _settings(config)
    _require(values, "url", "username", "password", "unit", "user_id")
    audit = fresh_audit_record(unit=values["unit"], protocol=protocol, user_id=values["user_id"],
                               user_ip=values.get("user_ip") or local_ip(values["url"]))
    try:
        request = envelope(service, operation, username=values["username"], password=values["password"], audit=audit,
                           input_xml=sys.stdin.read() if input_xml == "-" else input_xml)
    except InputError as error:
        raise click.UsageError(f"--input: {error}") from None
    click.echo(request, nl=False)
    click.echo(f"send it: curl -sS -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: \"{operation}\"' "
               f"--data-binary @- {values['url'].rstrip('/')}/ws/{service}", err=True)


@main.command()
@click.option("--config", type=click.Path(exists=True, dir_okay=False))
def wsdl(config: str | None) -> None:
    """List the services and operations of a live provider (from its WSDLs)."""
    import requests
    from zeep import Client

    values = _settings(config)
    _require(values, "url")
    try:
        services = requests.get(values["url"].rstrip("/") + "/", timeout=10).json()["services"]
        for name, url in services.items():
            operations = sorted(
                operation
                for service in Client(f"{url}?wsdl").wsdl.services.values()
                for port in service.ports.values()
                for operation in port.binding._operations
            )
            click.echo(f"{name}  {url}?wsdl")
            for operation in operations:
                click.echo(f"    {operation}")
    except (OSError, ValueError, KeyError) as exc:
        click.echo(f"error: cannot list the services at {values['url']}: {exc}", err=True)
        sys.exit(7)
