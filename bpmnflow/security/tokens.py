"""OpenID Connect bearer tokens (Keycloak access tokens): verified here, or refused.

A token is accepted only when all of this holds, checked in this order:

* it is at most ``MAX_TOKEN`` characters of three base64url parts;
* its header names an algorithm on the configured allow-list (RS256 by default) and a ``kid``;
  the algorithm is never taken on the token's word beyond that list, and the key's type must
  fit it (an RSA key for RS/PS, an EC key for ES), so ``none`` and HS256-signed-with-the-public-
  key are refused;
* the signature verifies with the realm's key of that ``kid``; keys come from the JWKS (found
  through OIDC discovery unless a JWKS URL is configured), are cached, and an unknown ``kid``
  refetches them at most once per ``REFETCH_INTERVAL`` seconds, so key rotation works and a
  stream of forged ``kid``s cannot hammer the identity provider;
* ``iss`` equals the configured issuer exactly; ``exp`` has not passed and ``nbf``/``iat`` are
  not in the future (both with the configured leeway); ``aud`` contains the configured audience
  when one is set; ``azp`` is allowed when an allow-list is set;
* ``typ`` is ``Bearer``: Keycloak's ID tokens (``ID``) and refresh tokens (``Refresh``) are JWTs
  signed with the same keys and must not open the API.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from bpmnflow.config import SecurityConfig

MAX_TOKEN = 12_000
REFETCH_INTERVAL = 10.0

_HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}

Fetch = Callable[[str], Any]  # url -> parsed JSON


class TokenError(Exception):
    """Why a token was refused (logged, never sent to the caller)."""


def _b64(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("malformed base64") from None


def _json(part: str) -> dict[str, Any]:
    try:
        value = orjson.loads(_b64(part))
    except orjson.JSONDecodeError:
        raise TokenError("malformed JSON") from None
    if not isinstance(value, dict):
        raise TokenError("not a JSON object")
    return value


def _int(jwk: dict[str, Any], name: str) -> int:
    raw = jwk.get(name)
    if not isinstance(raw, str):
        raise TokenError(f"JWK without {name}")
    return int.from_bytes(_b64(raw), "big")


def public_key(jwk: dict[str, Any]) -> Any:
    """An RSA or EC public key from a JWK; anything else (``oct``, private parts) is ignored."""
    if jwk.get("kty") == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk, "e"), _int(jwk, "n")).public_key()
    if jwk.get("kty") == "EC" and jwk.get("crv") in _CURVES:
        curve = _CURVES[jwk["crv"]]()
        return ec.EllipticCurvePublicNumbers(_int(jwk, "x"), _int(jwk, "y"),
                                             curve).public_key()
    return None


def _verify_signature(alg: str, key: Any, data: bytes, signature: bytes) -> None:
    digest = _HASHES.get(alg[2:])
    if digest is None:
        raise TokenError(f"unsupported algorithm {alg}")
    try:
        if alg.startswith("RS") and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), digest())
        elif alg.startswith("PS") and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PSS(padding.MGF1(digest()),
                                                    padding.PSS.DIGEST_LENGTH), digest())
        elif alg.startswith("ES") and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(signature) // 2
            der = encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                       int.from_bytes(signature[half:], "big"))
            key.verify(der, data, ec.ECDSA(digest()))
        else:
            raise TokenError(f"key type does not fit algorithm {alg}")
    except InvalidSignature:
        raise TokenError("bad signature") from None


def _http_json(url: str) -> Any:
    response = httpx.get(url, timeout=5.0, follow_redirects=False)
    response.raise_for_status()
    return response.json()


class TokenVerifier:
    """Verifies access tokens of one issuer; thread-safe, keys cached between requests."""

    def __init__(self, config: SecurityConfig, fetch: Fetch = _http_json,
                 clock: Callable[[], float] = time.time) -> None:
        if not config.oidc_issuer:
            raise ValueError("an OIDC issuer is required")
        self.config = config
        self.issuer = config.oidc_issuer
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    # -- keys ----------------------------------------------------------------------------------
    def _jwks_url(self) -> str:
        if self.config.oidc_jwks_url:
            return self.config.oidc_jwks_url
        discovery = self._fetch(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if not isinstance(discovery, dict) or discovery.get("issuer") != self.issuer:
            raise TokenError("discovery document of another issuer")
        url = discovery.get("jwks_uri")
        if not isinstance(url, str):
            raise TokenError("discovery document without jwks_uri")
        return url

    def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        document = self._fetch(self._jwks_url())
        keys: dict[str, Any] = {}
        for jwk in (document or {}).get("keys", []) if isinstance(document, dict) else []:
            if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str) \
                    and jwk.get("use", "sig") == "sig":
                try:
                    key = public_key(jwk)
                except (TokenError, ValueError, TypeError):
                    continue  # one bad key must not keep the others (or a rotation) out
                if key is not None:
                    keys[jwk["kid"]] = key
        self._keys = keys

    def key(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            key = self._keys.get(kid)
            if key is None and time.monotonic() - self._fetched_at >= REFETCH_INTERVAL:
                try:
                    self._refresh()
                except (httpx.HTTPError, ValueError) as exc:
                    raise TokenError(f"cannot fetch the issuer's keys: {exc}") from None
                key = self._keys.get(kid)
        if key is None:
            raise TokenError("unknown kid")
        return key

    # -- tokens --------------------------------------------------------------------------------
    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, once every rule of the module docstring holds."""
        if len(token) > MAX_TOKEN:
            raise TokenError("token too large")
        parts = token.split(".")
        if len(parts) != 3 or not all(parts):
            raise TokenError("not a signed JWT")
        header = _json(parts[0])
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.config.oidc_algorithms:
            raise TokenError(f"algorithm {alg!r} not allowed")
        if "crit" in header:
            raise TokenError("critical header extensions are not supported")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenError("no kid")
        _verify_signature(alg, self.key(kid), f"{parts[0]}.{parts[1]}".encode("ascii"),
                          _b64(parts[2]))
        claims = _json(parts[1])
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        config, now = self.config, self._clock()
        leeway = config.oidc_leeway
        if claims.get("iss") != self.issuer:
            raise TokenError("foreign issuer")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool) or now > exp + leeway:
            raise TokenError("expired")
        for name in ("nbf", "iat"):
            value = claims.get(name)
            if value is not None and (not isinstance(value, int | float)
                                      or now + leeway < value):
                raise TokenError(f"{name} in the future")
        if config.oidc_audience:
            aud = claims.get("aud")
            audiences = aud if isinstance(aud, list) else [aud]
            if config.oidc_audience not in audiences:
                raise TokenError("wrong audience")
        if config.oidc_allowed_azp and claims.get("azp") not in config.oidc_allowed_azp:
            raise TokenError("client not allowed")
        if claims.get("typ") != "Bearer":
            raise TokenError(f"not an access token (typ {claims.get('typ')!r})")


def user_id(config: SecurityConfig, claims: dict[str, Any]) -> str:
    """The configured claim (default ``preferred_username``), else ``sub``."""
    for name in (config.oidc_user_id_claim, "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    raise TokenError("token names no user")


def permission_sets(config: SecurityConfig, claims: dict[str, Any]) -> frozenset[str]:
    """Realm roles, the engine client's roles and/or groups, as configured, each a set
    (only those starting with the configured prefix, and the administrator set)."""
    names: list[Any] = []
    if "realm_roles" in config.permission_set_claims:
        names += _list((claims.get("realm_access") or {}), "roles")
    if "client_roles" in config.permission_set_claims:
        client = config.oidc_client_id or config.oidc_audience
        access = claims.get("resource_access") or {}
        if client and isinstance(access, dict):
            names += _list(access.get(client) or {}, "roles")
    if "groups" in config.permission_set_claims:
        names += _list(claims, "groups")
    prefix = config.permission_set_prefix
    sets = {_set_id(n) for n in names if isinstance(n, str) and n.strip("/")}
    return frozenset(s for s in sets if s.startswith(prefix) or s == config.admin_group)


def _set_id(name: str) -> str:
    """Keycloak group paths (``/finance/controllers``) become ``finance.controllers``: unique,
    and a valid group id (a slash could not appear in ``/group/{id}``)."""
    return name.strip("/").replace("/", ".")


def _list(container: Any, name: str) -> list[Any]:
    value = container.get(name) if isinstance(container, dict) else None
    return value if isinstance(value, list) else []
