"""The package as it is installed: what it ships, what it imports, the Python it is written for, and the former
module that code written before the package still imports."""

import ast
import importlib.util
import os
import sysconfig
import unittest

import token_vault
import token_vault_client
from support import AgainstTheVault

PACKAGE = os.path.dirname(os.path.abspath(token_vault.__file__))
SOURCES = sorted(os.path.join(PACKAGE, name) for name in os.listdir(PACKAGE) if name.endswith(".py")) + [os.path.abspath(token_vault_client.__file__)]


def _in_the_standard_library(name: str) -> bool:
    """Whether a module comes with Python itself (sys.stdlib_module_names says so from 3.10 on only)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    origin = os.path.realpath(spec.origin)
    return origin.startswith(stdlib + os.sep) and "site-packages" not in origin.split(os.sep)


class TheModule(unittest.TestCase):
    def test_is_written_in_python_3_9(self):
        for path in SOURCES:
            with open(path, encoding="utf-8") as source:
                ast.parse(source.read(), filename=path, feature_version=(3, 9))

    def test_imports_only_the_standard_library(self):
        imported = set()
        for path in SOURCES:
            with open(path, encoding="utf-8") as source:
                tree = ast.parse(source.read())
            imported |= {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module}
        self.assertEqual(sorted(name for name in imported if not _in_the_standard_library(name) and name != "token_vault"), [])

    def test_says_it_is_typed(self):
        self.assertTrue(os.path.isfile(os.path.join(PACKAGE, "py.typed")))

    def test_exports_the_names_a_strategy_imports(self):
        self.assertEqual(
            sorted(token_vault.__all__),
            sorted(["TokenVault", "AsyncTokenVault", "Token", "InvalidReport", "Event", "EventStream", "AsyncEventStream", "VaultError", "__version__"]),
        )
        for name in token_vault.__all__:
            self.assertTrue(hasattr(token_vault, name), name)


class TheFormerModule(AgainstTheVault):
    def test_keeps_its_names_and_signatures_working(self):
        self.control("/login", replica=0, account="YA0901")
        url = self.env["VAULT_URL"]
        # Options by position, and the wait as token's second argument, as before.
        sut = token_vault_client.TokenVaultClient(url, self.env["VAULT_READER_KEY"], 60, 10)
        token = sut.token("YA0901", 5)
        self.assertIs(token_vault_client.Token, token_vault.Token)
        self.assertIs(token_vault_client.VaultError, token_vault.VaultError)
        self.assertIs(token_vault_client.InvalidReport, token_vault.InvalidReport)
        self.assertIsInstance(sut, token_vault.TokenVault)
        self.assertEqual((token.client_id, token.access_token), ("YA0901", self.served("YA0901")))
        self.assertEqual(repr(sut), f"TokenVaultClient({url!r})")
        self.assertEqual(self.raised(lambda: sut.token("YA0902", 1)).error, "token_not_found")
        self.assertEqual(token_vault_client.__all__, ["TokenVaultClient", "Token", "InvalidReport", "VaultError"])
