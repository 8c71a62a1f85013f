"""scripts/interop: the integration guide's examples against a live provider, stack by stack.

The provider runs over the demo dataset on a throwaway SQLite database (as the suite's rolls
provider). Each example's output is held against the audit trail (tests/examples.py). PHP, Node
and Python (zeep) are also run by the suite; Java (JAX-WS wsimport) and .NET (Mono's wsdl and mcs) only here. A
stack whose tools are missing is skipped with the Debian packages that bring them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provider.soap import contract  # noqa: E402
from tests.examples import COMMANDS, EXAMPLES, check  # noqa: E402
from tests.rolls_fixtures import running_rolls  # noqa: E402

TOOLS = {"php": ("php",), "node": ("node",), "python": (), "java": ("wsimport", "javac", "java"),
         "dotnet": ("wsdl", "mcs", "mono")}
PACKAGES = {"php": "php-cli php-soap php-xml (scripts/install-examples)", "node": "nodejs npm (scripts/install-examples)",
            "python": "", "java": "default-jdk jaxws", "dotnet": "mono-devel"}
JAXWS_CLASSPATH = "/usr/share/java/jaxws-rt.jar"  # Debian's jaxws: its manifest names the rest of the runtime
WSIMPORT_CHATTER = {"", "parsing WSDL...", "Generating code..."}


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=600, **kwargs)  # type: ignore[call-overload]


def wsimport(work: Path) -> None:
    """Generate the JAX-WS clients from the committed WSDLs; any warning or error fails."""
    (work / "src").mkdir()
    (work / "classes").mkdir()
    for service in sorted(contract.SERVICES):
        result = run(["wsimport", "-Xnocompile", "-b", str(EXAMPLES / "java" / "bindings.xml"),
                      "-p", f"gr.mitroo.{service.lower()}", "-s", str(work / "src"), "-d", str(work / "classes"),
                      str(ROOT / "wsdl" / f"{service}.wsdl")])
        said = [line for line in (result.stdout + result.stderr).splitlines() if line.strip() not in WSIMPORT_CHATTER]
        if result.returncode != 0 or said:
            raise AssertionError(f"wsimport wsdl/{service}.wsdl:\n" + "\n".join(said))
    print(f"java: wsimport read the {len(contract.SERVICES)} WSDLs of wsdl/ without a warning")


def java(work: Path) -> list[str]:
    wsimport(work)
    sources = [str(path) for path in (work / "src").rglob("*.java")] + [str(EXAMPLES / "java" / "MitrooExample.java")]
    compiled = run(["javac", "-encoding", "UTF-8", "-nowarn", "-cp", JAXWS_CLASSPATH, "-d", str(work / "classes"),
                    *sources])
    if compiled.returncode != 0:
        raise AssertionError(f"javac:\n{compiled.stdout}{compiled.stderr}")
    return ["java", "-Djavax.xml.soap.SAAJMetaFactory=com.sun.xml.messaging.saaj.soap.SAAJMetaFactoryImpl",
            "-cp", f"{work / 'classes'}:{JAXWS_CLASSPATH}", "MitrooExample"]


def dotnet(work: Path) -> list[str]:
    sources = []
    for service in sorted(contract.SERVICES):
        name = service[0].upper() + service[1:]
        generated = run(["wsdl", "-nologo", f"-namespace:Mitroo.{name}", f"-out:{work / name}.cs",
                         str(ROOT / "wsdl" / f"{service}.wsdl")])
        if generated.returncode != 0:
            raise AssertionError(f"wsdl wsdl/{service}.wsdl:\n{generated.stdout}{generated.stderr}")
        sources.append(f"{work / name}.cs")
    executable = work / "MitrooExample.exe"
    compiled = run(["mcs", "-nologo", "-r:System.Web.Services", "-r:System.Xml", f"-out:{executable}", *sources,
                    str(EXAMPLES / "dotnet" / "MitrooExample.cs")])
    if compiled.returncode != 0:
        raise AssertionError(f"mcs:\n{compiled.stdout}{compiled.stderr}")
    shutil.copy(EXAMPLES / "dotnet" / "MitrooExample.exe.config", work)
    return ["mono", str(executable)]


BUILDS = {"java": java, "dotnet": dotnet}


def main(stacks: list[str]) -> int:
    unknown = set(stacks) - set(TOOLS)
    if unknown:
        print(f"unknown stack {', '.join(sorted(unknown))}: choose among {' '.join(TOOLS)}", file=sys.stderr)
        return 2
    passed, failed, skipped = [], [], []
    with tempfile.TemporaryDirectory(prefix="mitroo-interop-") as temporary, \
            running_rolls("sqlite", Path(temporary)) as rolls:
        certificate = Path(temporary) / "provider-cert.pem"
        certificate.write_bytes(requests.get(f"{rolls.running.base_url}/certificates", timeout=10).content)
        env = {**os.environ, "MITROO_URL": rolls.running.base_url, "MITROO_CERT": str(certificate)}
        for stack in stacks or list(TOOLS):
            missing = [tool for tool in TOOLS[stack] if shutil.which(tool) is None]
            if missing:
                print(f"{stack}: skipped, {' '.join(missing)} not found (Debian: {PACKAGES[stack]})")
                skipped.append(stack)
                continue
            work = Path(temporary) / stack
            work.mkdir()
            try:
                command = BUILDS[stack](work) if stack in BUILDS else COMMANDS[stack]
                result = run(command, env=env, cwd=work)
                if result.returncode != 0:
                    raise AssertionError(f"exit {result.returncode}:\n{result.stdout}{result.stderr}")
                check(rolls.engine, result.stdout)
            except AssertionError as error:
                print(f"{stack}: FAILED {error}")
                failed.append(stack)
                continue
            print(result.stdout, end="")
            print(f"{stack}: passed, each call found in the audit trail")
            passed.append(stack)
    print(f"interop: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped"
          + (f" ({' '.join(skipped)})" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
