"""scripts/serve and scripts/test choose their Python in scripts/_python.sh: MITROO_PYTHON if it is
a supported version, else the newest supported python3.X on the PATH, else python3; anything else
is refused with the versions that work. Run here against a PATH of fake interpreters (shell scripts
that print a version, or fail as a pyenv shim does for a version it does not have)."""
from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest

import provider

pytestmark = pytest.mark.slow  # the shell scripts in processes

ROOT = Path(__file__).parents[2]
BROKEN = "echo 'pyenv: python3.13: command not found' >&2; exit 127"


def fake_pythons(directory: Path, **versions: str) -> Path:
    """A directory of executables: name (python3_12 for python3.12) → the version it reports, or BROKEN."""
    directory.mkdir()
    for name, version in versions.items():
        path = directory / name.replace("_", ".")
        path.write_text("#!/bin/sh\n" + (version if version == BROKEN else f"echo {version}") + "\n")
        path.chmod(0o755)
    return directory


def pick(path: Path, mitroo_python: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(path)} | ({"MITROO_PYTHON": mitroo_python} if mitroo_python else {})
    return subprocess.run(["/bin/bash", "-c", "source scripts/_python.sh && pick_python"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)


def test_the_newest_supported_python_on_the_path_is_chosen(tmp_path: Path) -> None:
    bin_dir = fake_pythons(tmp_path / "bin", python3_11="3.11", python3_12="3.12", python3_13="3.13", python3="3.11")
    chosen = pick(bin_dir)
    assert (chosen.returncode, chosen.stdout.strip(), chosen.stderr) == (0, "python3.13", "")


def test_a_name_that_does_not_run_is_passed_over(tmp_path: Path) -> None:
    bin_dir = fake_pythons(tmp_path / "bin", python3_13=BROKEN, python3_12="3.12", python3="3.11")
    assert pick(bin_dir).stdout.strip() == "python3.12"


def test_python3_is_used_when_it_is_a_supported_version(tmp_path: Path) -> None:
    bin_dir = fake_pythons(tmp_path / "bin", python3_10="3.10", python3="3.12")
    assert pick(bin_dir).stdout.strip() == "python3"


def test_mitroo_python_wins_over_a_newer_one(tmp_path: Path) -> None:
    bin_dir = fake_pythons(tmp_path / "bin", python3_13="3.13")
    own = fake_pythons(tmp_path / "own", python="3.11") / "python"
    assert pick(bin_dir, str(own)).stdout.strip() == str(own)


def test_no_supported_python_is_refused_with_the_versions_that_work(tmp_path: Path) -> None:
    bin_dir = fake_pythons(tmp_path / "bin", python3_13=BROKEN, python3="3.10", python3_14="3.14")
    refused = pick(bin_dir)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "no supported Python on the PATH (found: python3 (3.10))" in refused.stderr
    assert "runs on Python 3.13, 3.12, 3.11" in refused.stderr
    assert "MITROO_PYTHON" in refused.stderr


def test_an_unsupported_mitroo_python_is_refused(tmp_path: Path) -> None:
    bin_dir = fake_pythons(tmp_path / "bin", python3_13="3.13")
    own = fake_pythons(tmp_path / "own", python="3.14") / "python"
    refused = pick(bin_dir, str(own))
    assert refused.returncode == 1 and refused.stdout == ""
    assert f"MITROO_PYTHON={own} is Python 3.14; mitroo-provider runs on Python 3.13, 3.12, 3.11." in refused.stderr


def test_a_mitroo_python_that_does_not_run_is_refused_with_what_it_said(tmp_path: Path) -> None:
    bin_dir = fake_pythons(tmp_path / "bin", python3_13="3.13", python3_12="3.12")
    refused = pick(bin_dir, "python3.12-missing")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "MITROO_PYTHON=python3.12-missing does not run; mitroo-provider runs on Python 3.13, 3.12, 3.11." in refused.stderr
    assert "python3.12-missing: command not found" in refused.stderr
    shim = fake_pythons(tmp_path / "shim", python3_13=BROKEN)  # as pyenv's shim for a version not selected
    refused = pick(shim, "python3.13")
    assert "MITROO_PYTHON=python3.13 does not run" in refused.stderr
    assert "pyenv: python3.13: command not found" in refused.stderr


def test_the_scripts_the_package_and_setup_cfg_name_the_same_versions() -> None:
    shell = subprocess.run(["/bin/bash", "-c", "source scripts/_python.sh && echo $SUPPORTED_PYTHONS"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    package = ["%d.%d" % version for version in provider.SUPPORTED_PYTHONS]
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg", encoding="utf-8")
    classifiers = [line.rsplit(":: ", 1)[1] for line in setup["metadata"]["classifiers"].split("\n")
                   if line.startswith("Programming Language :: Python :: 3.")]
    requires = setup["options"]["python_requires"]
    assert sorted(shell) == sorted(package) == sorted(classifiers)
    (oldest_major, oldest_minor), (newest_major, newest_minor) = min(provider.SUPPORTED_PYTHONS), max(provider.SUPPORTED_PYTHONS)
    assert requires == f">={oldest_major}.{oldest_minor},<{newest_major}.{newest_minor + 1}"
