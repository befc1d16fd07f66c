"""The build backend (PEP 517) of the token-vault Python client: it writes the wheel and the sdist with the
standard library alone.

pip builds a folder or an sdist through the backend its pyproject.toml names, first installing what the backend
requires. setuptools needs the `wheel` package to make a wheel, which many machines lack, and with build isolation
pip downloads both; a strategy's host often reaches no package index. This backend requires nothing, so
`pip install ./clients/python` works offline, isolated or not. It only packs files: the package (src/token_vault),
the former module (src/token_vault_client.py) and the metadata below.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile
from typing import Any, Dict, List, Optional

__all__ = ["build_wheel", "build_sdist", "get_requires_for_build_wheel", "get_requires_for_build_sdist"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = os.path.join(ROOT, "src")
NAME = "token-vault"
# The name in file names (PEP 427, PEP 625): lower case, runs of - _ . as one _.
FILE_NAME = "token_vault"
SUMMARY = "Reads brokers' access tokens from token-vault: cached until shortly before they expire, the morning login awaited, events followed."
REQUIRES_PYTHON = ">=3.9"
CLASSIFIERS = [
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    "Operating System :: OS Independent",
    "Typing :: Typed",
]
# What goes into the sdist besides the sources: enough to build the wheel from it.
SDIST_FILES = ["pyproject.toml", "README.md", os.path.join("backend", "token_vault_build.py")]
# A zip entry cannot be dated before 1980; SOURCE_DATE_EPOCH, when set, dates every entry (reproducible builds).
EARLIEST_ZIP_TIME = 315532800


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    version = _version()
    dist_info = f"{FILE_NAME}-{version}.dist-info"
    name = f"{FILE_NAME}-{version}-py3-none-any.whl"
    files = [(path, _read(os.path.join(SOURCES, path))) for path in _sources()]
    files += [
        (f"{dist_info}/METADATA", _metadata(version).encode()),
        (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: token_vault_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{dist_info}/top_level.txt", b"token_vault\ntoken_vault_client\n"),
    ]
    record = "".join(f"{path},sha256={_digest(data)},{len(data)}\n" for path, data in files) + f"{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode()))
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files:
            entry = zipfile.ZipInfo(path, time.gmtime(_timestamp())[:6])
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return name


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    version = _version()
    top = f"{FILE_NAME}-{version}"
    name = f"{top}.tar.gz"
    files = [(os.path.join("src", path), _read(os.path.join(SOURCES, path))) for path in _sources()]
    files += [(path, _read(os.path.join(ROOT, path))) for path in SDIST_FILES]
    files.append(("PKG-INFO", _metadata(version).encode()))
    os.makedirs(sdist_directory, exist_ok=True)
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for path, data in sorted(files):
            entry = tarfile.TarInfo(f"{top}/{path.replace(os.sep, '/')}")
            entry.size = len(data)
            entry.mtime = _timestamp()
            entry.mode = 0o644
            sdist.addfile(entry, io.BytesIO(data))
    return name


def _version() -> str:
    """The one version, in the package itself (src/token_vault/_version.py), which the vault's tests hold equal to
    the vault's own (package.json)."""
    text = _read(os.path.join(SOURCES, "token_vault", "_version.py")).decode()
    match = re.search(r'^__version__ = "([0-9]+(?:\.[0-9]+)*(?:[-.+a-z0-9]*))"$', text, re.MULTILINE)
    if match is None:
        raise RuntimeError("src/token_vault/_version.py must set __version__ = \"X.Y.Z\"")
    return match.group(1)


def _sources() -> List[str]:
    """The package's files and the former module, as paths under src/, sorted; never a compiled file."""
    found = ["token_vault_client.py"]
    for folder, folders, names in os.walk(os.path.join(SOURCES, "token_vault")):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in names:
            if name.endswith(".py") or name == "py.typed":
                found.append(os.path.relpath(os.path.join(folder, name), SOURCES).replace(os.sep, "/"))
    return sorted(found)


def _metadata(version: str) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        f"Requires-Python: {REQUIRES_PYTHON}",
        *(f"Classifier: {classifier}" for classifier in CLASSIFIERS),
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(lines) + "\n\n" + _read(os.path.join(ROOT, "README.md")).decode()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _timestamp() -> int:
    return max(EARLIEST_ZIP_TIME, int(os.environ.get("SOURCE_DATE_EPOCH", EARLIEST_ZIP_TIME)))


def _read(path: str) -> bytes:
    with open(path, "rb") as source:
        return source.read()
