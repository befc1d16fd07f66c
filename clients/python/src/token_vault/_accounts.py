"""Accounts as the vault names them, and the paths that read them."""

import re
import urllib.parse
from typing import Optional

BROKER = re.compile(r"[A-Za-z]+")


def account_name(account: str, broker: Optional[str] = None) -> str:
    """An account as the vault writes it: the id in upper case (ASCII letters only, as the vault compares ids),
    after its broker in lower case when one is named (`zerodha:AB1234`), bare otherwise (the vault's default
    broker's, `YA0002`)."""
    if not isinstance(account, str) or not account.strip():
        raise ValueError("the account must be a non-empty string, such as YA0002 or zerodha:AB1234")
    named, colon, account_id = account.strip().rpartition(":")
    if colon and broker is not None:
        raise ValueError("name the broker once: token('AB1234', broker='zerodha') or token('zerodha:AB1234')")
    if colon:
        broker = named
    else:
        account_id = account.strip()
    upper = re.sub(r"[a-z]+", lambda letters: letters.group(0).upper(), account_id)
    if broker is None:
        return upper
    if not isinstance(broker, str) or not BROKER.fullmatch(broker):
        raise ValueError("the broker must be a broker's name, such as zerodha")
    return f"{broker.lower()}:{upper}"


def token_path(name: str) -> str:
    """GET /v1/tokens/{id}, or /v1/tokens/{broker}/{id} for an account that names its broker."""
    broker, colon, account_id = name.rpartition(":")
    if colon:
        return f"/v1/tokens/{urllib.parse.quote(broker, safe='')}/{urllib.parse.quote(account_id, safe='')}"
    return f"/v1/tokens/{urllib.parse.quote(name, safe='')}"


def report_path(name: str) -> str:
    """POST /v1/tokens/{account}/report-invalid: the vault reads `broker:id` there too."""
    return f"/v1/tokens/{urllib.parse.quote(name, safe='')}/report-invalid"
