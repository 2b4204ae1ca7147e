#!/usr/bin/env python3
"""Mints distinct JWTs for the gateway benchmark, one compact token per line.

HS256 needs only the standard library (hmac, hashlib, base64); the secret is read from the
environment variable named by --secret-env, never from the command line. ES256 needs the
`cryptography` package: the script makes a fresh P-256 key and writes its public half as a JWKS
file for the provider's `jwks_file`. Exit status 3 means "ES256 unavailable here" so that run.sh
can skip those rows and say so.

Every token differs in `sub` and `jti`; all carry the scope the benchmark route requires and
live for --ttl seconds.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time

EXIT_UNAVAILABLE = 3


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE wants it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: dict) -> str:
    """A JSON object in compact form, base64url-encoded."""
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def claims_for(index: int, args: argparse.Namespace, now: int) -> dict:
    """The claims of token number `index`."""
    return {
        "iss": args.issuer,
        "aud": args.audience,
        "sub": f"bench-user-{index:05d}",
        "jti": f"bench-{index:05d}-{now}",
        "scope": args.scope,
        "iat": now,
        "nbf": now,
        "exp": now + args.ttl,
    }


def hs256_signer(args: argparse.Namespace):
    """A function signing bytes with the HMAC secret from the environment."""
    secret = os.environ.get(args.secret_env)
    if not secret:
        sys.exit(f"mint_tokens: environment variable `{args.secret_env}` is not set")
    key = secret.encode("utf-8")
    return lambda data: hmac.new(key, data, hashlib.sha256).digest()


def es256_signer(args: argparse.Namespace):
    """A function signing bytes with a fresh P-256 key whose JWKS is written to --jwks-out."""
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    except ImportError:
        print("mint_tokens: the `cryptography` package is missing; ES256 skipped", file=sys.stderr)
        sys.exit(EXIT_UNAVAILABLE)
    if not args.jwks_out:
        sys.exit("mint_tokens: es256 needs --jwks-out")

    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "kid": args.kid,
        "alg": "ES256",
        "use": "sig",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }
    with open(args.jwks_out, "w", encoding="utf-8") as out:
        json.dump({"keys": [jwk]}, out)

    def sign(data: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return sign


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("algorithm", choices=["hs256", "es256"])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", required=True, help="file receiving one token per line")
    parser.add_argument("--secret-env", default="RAMPART_BENCH_SECRET")
    parser.add_argument("--jwks-out", help="es256: where to write the public JWKS")
    parser.add_argument("--kid", default="bench-es256-1")
    parser.add_argument("--issuer", default="https://issuer.bench.rampart")
    parser.add_argument("--audience", default="bench-api")
    parser.add_argument("--scope", default="bench:read")
    parser.add_argument("--ttl", type=int, default=7200, help="token lifetime in seconds")
    return parser.parse_args()


def main() -> None:
    """Writes --count tokens to --out."""
    args = parse_args()
    if args.algorithm == "hs256":
        alg, sign, header = "HS256", hs256_signer(args), {"typ": "JWT"}
    else:
        alg, sign, header = "ES256", es256_signer(args), {"typ": "JWT", "kid": args.kid}
    header["alg"] = alg

    now = int(time.time())
    encoded_header = b64json(header)
    with open(args.out, "w", encoding="ascii") as out:
        for index in range(args.count):
            signing_input = f"{encoded_header}.{b64json(claims_for(index, args, now))}"
            signature = b64url(sign(signing_input.encode("ascii")))
            out.write(f"{signing_input}.{signature}\n")


if __name__ == "__main__":
    main()
