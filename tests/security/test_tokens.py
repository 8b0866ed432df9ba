"""Bearer tokens as an attacker would send them: every forgery is 401 and nothing runs.

The verifier is tested in process (fast, every rule), then the attack list goes through HTTP
against the server that trusts the real OpenID provider.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import orjson
import pytest

from bpmnflow.config import SecurityConfig
from bpmnflow.security import tokens
from bpmnflow.security.tokens import TokenError, TokenVerifier
from tests.security.conftest import World
from tests.security.oidc_provider import AUDIENCE, RsaKey, b64, keycloak_claims, mint

ISSUER = "https://keycloak.example/realms/erp"
REALM = RsaKey("realm-1")
FOREIGN = RsaKey("realm-1")  # same kid, another key: a forged signature
ROTATED = RsaKey("realm-2")


class FakeIssuer:
    """Discovery and JWKS of a realm, counting fetches."""

    def __init__(self, *keys: RsaKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

    def __call__(self, url: str) -> Any:
        if url.endswith("/.well-known/openid-configuration"):
            return {"issuer": ISSUER, "jwks_uri": ISSUER + "/protocol/openid-connect/certs"}
        self.fetches += 1
        return {"keys": [k.public_jwk() for k in self.keys]}


def verifier(issuer: FakeIssuer, **config: Any) -> TokenVerifier:
    base = {"oidc_issuer": ISSUER, "oidc_audience": AUDIENCE, "oidc_leeway": 5}
    return TokenVerifier(SecurityConfig(**{**base, **config}), fetch=issuer)


def good(**extra: Any) -> dict[str, Any]:
    return keycloak_claims(ISSUER, "dora.direct", roles=["payroll-clerk"], **extra)


def test_a_genuine_access_token_is_accepted() -> None:
    claims = verifier(FakeIssuer(REALM)).verify(mint(good(), REALM))
    assert claims["preferred_username"] == "dora.direct"


def _tampered() -> str:
    header, payload, signature = mint(good(), REALM).split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["realm_access"]["roles"].append("camunda-admin")
    return f"{header}.{b64(orjson.dumps(claims))}.{signature}"


def _public_key_as_hmac_secret() -> str:
    from cryptography.hazmat.primitives import serialization

    pem = REALM.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return mint(good(), None, alg="HS256", kid=REALM.kid, hmac_secret=pem)


ATTACKS = {
    "alg none": lambda: mint(good(), None, alg="none", kid=REALM.kid),
    "HS256 with the public key": _public_key_as_hmac_secret,
    "wrong issuer": lambda: mint(good(iss="https://evil.example/realms/erp"), REALM),
    "wrong audience": lambda: mint(good(aud="another-api"), REALM),
    "no audience": lambda: mint({k: v for k, v in good().items() if k != "aud"}, REALM),
    "expired": lambda: mint(good(exp=int(time.time()) - 60), REALM),
    "not yet valid": lambda: mint(good(nbf=int(time.time()) + 120), REALM),
    "issued in the future": lambda: mint(good(iat=int(time.time()) + 120), REALM),
    "ID token": lambda: mint(good(typ="ID", aud="erp-portal"), REALM),
    "refresh token": lambda: mint(good(typ="Refresh"), REALM),
    "no typ": lambda: mint({k: v for k, v in good().items() if k != "typ"}, REALM),
    "unknown kid": lambda: mint(good(), ROTATED),
    "forged signature": lambda: mint(good(), FOREIGN),
    "tampered payload": _tampered,
    "garbage": lambda: "garbage",
    "two parts": lambda: "eyJhbGciOiJSUzI1NiJ9.eyJ9",
    "empty signature": lambda: mint(good(), REALM).rsplit(".", 1)[0] + ".",
    "header not JSON": lambda: "bm90IGpzb24." + mint(good(), REALM).split(".", 1)[1],
    "header a list": lambda: b64(b"[1]") + "." + mint(good(), REALM).split(".", 1)[1],
    "no kid": lambda: mint(good(), REALM, header={"kid": None}),
    "critical header": lambda: mint(good(), REALM, header={"crit": ["exp"]}),
    "oversized": lambda: mint(good(padding="x" * 13_000), REALM),
    "exp not a number": lambda: mint(good(exp="tomorrow"), REALM),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_forged_tokens_are_refused(attack: str) -> None:
    with pytest.raises(TokenError):
        verifier(FakeIssuer(REALM)).verify(ATTACKS[attack]())


def test_clock_leeway_is_honoured() -> None:
    v = verifier(FakeIssuer(REALM))
    v.verify(mint(good(exp=int(time.time()) - 2), REALM))
    v.verify(mint(good(nbf=int(time.time()) + 2), REALM))


def test_azp_allow_list() -> None:
    v = verifier(FakeIssuer(REALM), oidc_allowed_azp=("erp-portal",))
    v.verify(mint(good(), REALM))
    with pytest.raises(TokenError):
        v.verify(mint(good(azp="rogue-client"), REALM))


def test_an_allowed_algorithm_is_still_bound_to_the_key_type() -> None:
    v = verifier(FakeIssuer(REALM), oidc_algorithms=("RS256", "ES256"))
    forged = mint(good(), REALM, alg="ES256")  # an RSA signature labelled ES256
    with pytest.raises(TokenError):
        v.verify(forged)


def test_key_rotation_refetches_once_and_is_rate_limited(monkeypatch: Any) -> None:
    issuer = FakeIssuer(REALM)
    v = verifier(issuer)
    v.verify(mint(good(), REALM))
    assert issuer.fetches == 1
    issuer.keys.append(ROTATED)
    with pytest.raises(TokenError):  # within the interval: no refetch for a new kid
        v.verify(mint(good(), ROTATED))
    assert issuer.fetches == 1
    monkeypatch.setattr(tokens, "REFETCH_INTERVAL", 0.0)
    v.verify(mint(good(), ROTATED))
    assert issuer.fetches == 2
    monkeypatch.setattr(tokens, "REFETCH_INTERVAL", 3600.0)
    for _ in range(20):  # a stream of unknown kids does not reach the issuer
        with pytest.raises(TokenError):
            v.verify(mint(good(), RsaKey("forged-kid")))
    assert issuer.fetches == 2


def test_discovery_of_another_issuer_is_refused() -> None:
    def lying(url: str) -> Any:
        return {"issuer": "https://evil.example", "jwks_uri": "https://evil.example/keys"}
    with pytest.raises(TokenError):
        TokenVerifier(SecurityConfig(oidc_issuer=ISSUER), fetch=lying).verify(
            mint(good(aud=None), REALM))


def test_permission_sets_and_user_from_keycloak_claims() -> None:
    config = SecurityConfig(oidc_issuer=ISSUER, oidc_audience=AUDIENCE,
                            permission_set_claims=("realm_roles", "client_roles", "groups"))
    claims = good(groups=["/finance/controllers", "/camunda-admin"],
                  resource_access={AUDIENCE: {"roles": ["api-reader"]},
                                   "account": {"roles": ["view-profile"]}})
    sets = tokens.permission_sets(config, claims)
    assert {"payroll-clerk", "finance.controllers", "camunda-admin", "api-reader"} <= sets
    assert "view-profile" not in sets
    prefixed = SecurityConfig(oidc_issuer=ISSUER, permission_set_prefix="payroll-")
    assert tokens.permission_sets(prefixed, claims) == {"payroll-clerk", "camunda-admin"}
    assert tokens.user_id(config, claims) == "dora.direct"
    no_name = {k: v for k, v in claims.items() if k != "preferred_username"}
    assert tokens.user_id(config, no_name) == claims["sub"]  # Keycloak 25+ may omit sub…
    with pytest.raises(TokenError):  # …and without both, nobody is named
        tokens.user_id(config, {k: v for k, v in no_name.items() if k != "sub"})


# -- the same attacks over HTTP, against the server trusting the real provider ------------------
def test_attacks_over_http_are_401_and_change_nothing(world: World) -> None:
    issuer = world.provider.issuer
    realm = world.realm_key

    def claims(**extra: Any) -> dict[str, Any]:
        return keycloak_claims(issuer, "anna.admin", roles=["camunda-admin"], **extra)

    genuine = mint(claims(), realm)
    forged = {
        "alg none": mint(claims(), None, alg="none", kid=realm.kid),
        "wrong issuer": mint(claims(iss=issuer + "x"), realm),
        "wrong audience": mint(claims(aud="other"), realm),
        "expired": mint(claims(exp=int(time.time()) - 60), realm),
        "not yet valid": mint(claims(nbf=int(time.time()) + 300), realm),
        "ID token": mint(claims(typ="ID"), realm),
        "refresh token": mint(claims(typ="Refresh"), realm),
        "unknown kid": mint(claims(), RsaKey("unknown-kid")),
        "foreign key": mint(claims(), RsaKey(realm.kid)),
        "tampered": ".".join([genuine.split(".")[0], b64(orjson.dumps(claims(sub="x"))),
                              genuine.split(".")[2]]),
        "garbage": "not-a-token",
        "oversized": mint(claims(padding="x" * 13_000), realm),
    }
    with world.client("admin") as admin:
        before = admin.get("/process-instance/count").json()
    for name, token in forged.items():
        with world.client(None) as anon:
            r = anon.post("/process-definition/key/payroll/start", json={},
                          headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401, (name, r.text)
            assert r.json()["type"] == "AuthenticationException"
            assert any(v.startswith("Bearer") for v in r.headers.get_list("www-authenticate"))
    for header in ("Basic " + base64.b64encode(b"admin:wrong").decode(), "Basic !!!",
                   "Basic " + base64.b64encode(b"nobody-here:x").decode(), "Digest abc",
                   "Bearer", "Basic " + "A" * 20_000):
        with world.client(None) as anon:
            r = anon.post("/process-definition/key/payroll/start", json={},
                          headers={"Authorization": header})
            assert r.status_code == 401, (header[:30], r.text)
    with world.client("admin") as admin:
        assert admin.get("/process-instance/count").json() == before
    # and the genuine token minted with the realm's key works
    with world.client(None) as anon:
        r = anon.get("/process-instance/count", headers={"Authorization": f"Bearer {genuine}"})
        assert r.status_code == 200, r.text
