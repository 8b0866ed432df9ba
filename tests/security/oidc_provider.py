"""The test realm: a real OpenID provider process (``oidc/provider.mjs``) and an in-process key.

The provider signs with the realm's key, generated here, so that tests can also mint tokens
that carry a genuine realm signature but must still be refused (Keycloak's ID and refresh
tokens are such JWTs), next to tokens signed with foreign keys.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import padding, rsa

HERE = Path(__file__).resolve().parent / "oidc"
REALM = "bpmnflow"
AUDIENCE = "camunda-rest-api"
ADMIN_GROUP = "camunda-admin"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int(value: int) -> str:
    return b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class RsaKey:
    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_jwk(self) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                "n": _int(numbers.n), "e": _int(numbers.e)}

    def private_jwk(self) -> dict[str, Any]:
        priv = self.private.private_numbers()
        return {**self.public_jwk(), "d": _int(priv.d), "p": _int(priv.p),
                "q": _int(priv.q), "dp": _int(priv.dmp1), "dq": _int(priv.dmq1),
                "qi": _int(priv.iqmp)}

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())


def mint(claims: dict[str, Any], key: RsaKey | None, *, alg: str = "RS256",
         kid: str | None = None, header: dict[str, Any] | None = None,
         hmac_secret: bytes | None = None) -> str:
    """A JWT: RS256 with ``key``, HS256 with ``hmac_secret``, or unsigned (``alg: none``)."""
    head = {"alg": alg, "typ": "JWT", "kid": kid or (key.kid if key else "none"),
            **(header or {})}
    signing_input = f"{b64(orjson.dumps(head))}.{b64(orjson.dumps(claims))}".encode()
    if alg == "none":
        signature = b""
    elif hmac_secret is not None:
        mac = hmac.HMAC(hmac_secret, hashes.SHA256())
        mac.update(signing_input)
        signature = mac.finalize()
    else:
        assert key is not None
        signature = key.sign(signing_input)
    return f"{signing_input.decode()}.{b64(signature)}"


def keycloak_claims(issuer: str, user: str, *, typ: str = "Bearer", lifetime: int = 300,
                    roles: list[str] | None = None, groups: list[str] | None = None,
                    **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"exp": now + lifetime, "iat": now, "jti": str(uuid.uuid4()), "iss": issuer,
              "aud": AUDIENCE, "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, user)), "typ": typ,
              "azp": "erp-portal", "sid": str(uuid.uuid4()), "acr": "1",
              "realm_access": {"roles": ["offline_access", *(roles or [])]},
              "scope": "openid profile email", "preferred_username": user}
    if groups is not None:
        claims["groups"] = groups
    claims.update(extra)
    return claims


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def provider_unavailable() -> str | None:
    """Why the provider cannot run here; in CI with npm present that is a failure."""
    node = shutil.which("node")
    if node and (HERE / "node_modules" / "oidc-provider").is_dir():
        return None
    reason = ("the OpenID provider needs node and `npm ci --prefix tests/security/oidc` "
              "(.ci/run installs it)")
    if os.environ.get("CI") and shutil.which("npm"):
        pytest.fail(f"CI must not skip the OpenID provider tests: {reason}")
    return reason


class OidcProvider:
    """``oidc/provider.mjs`` on 127.0.0.1: a Keycloak-like realm with users and clients."""

    CLIENTS = [
        {"client_id": "erp-portal", "client_secret": "portal-secret"},
        {"client_id": "payroll-worker", "client_secret": "worker-secret",
         "roles": ["payroll-workers"]},
        {"client_id": "ops-robot", "client_secret": "robot-secret",
         "roles": [ADMIN_GROUP]},
    ]
    USERS = {
        "anna.admin": {"password": "anna-pw", "roles": [ADMIN_GROUP],
                       "given_name": "Anna", "family_name": "Admin"},
        "gregor.group": {"password": "gregor-pw", "groups": [f"/{ADMIN_GROUP}"]},
        "dora.direct": {"password": "dora-pw", "roles": ["payroll-clerk"]},
        "nina.nested": {"password": "nina-pw", "groups": ["/finance/controllers"]},
        "otto.nobody": {"password": "otto-pw"},
    }

    def __init__(self, key: RsaKey) -> None:
        self.key = key
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/realms/{REALM}"
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> OidcProvider:
        env = {**os.environ, "PORT": str(self.port), "REALM": REALM, "AUDIENCE": AUDIENCE,
               "JWKS": json.dumps({"keys": [self.key.private_jwk()]}),
               "CLIENTS": json.dumps(self.CLIENTS), "USERS": json.dumps(self.USERS)}
        self._process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs")], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"OpenID provider did not start: {line}")
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None

    def _token(self, data: dict[str, str]) -> str:
        response = httpx.post(f"{self.issuer}/token", data=data, timeout=10)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def password_token(self, user: str, client: str = "erp-portal") -> str:
        secret = next(c["client_secret"] for c in self.CLIENTS if c["client_id"] == client)
        return self._token({"grant_type": "password", "client_id": client,
                            "client_secret": secret, "username": user,
                            "password": self.USERS[user]["password"],
                            "scope": "openid"})

    def client_token(self, client: str) -> str:
        secret = next(c["client_secret"] for c in self.CLIENTS if c["client_id"] == client)
        return self._token({"grant_type": "client_credentials", "client_id": client,
                            "client_secret": secret})
