"""Signed chain heads: a passport's history anchored outside the database.

Why: the head recorded in ``ChainHead`` reveals a deleted last event only as long as nobody
rewinds it too — and whoever can delete a row can update another. So at each capture the new
head (passport, number of events, last link) is *signed*, and the signed head leaves the
database three ways: it is appended to a log file in the data folder, served at
``/.well-known/boucle-chain-head/<handle>`` (announced in ``/.well-known/gs1resolver``), and
written into the passport's downloadable record. Anyone who kept a head can later check that
the history still starts with the events it certified (``boucle passport verify ID --head
FILE``): a truncated or rewritten chain no longer contains its link at its length.

Why Ed25519 and not an HMAC: an HMAC is checked only by whoever holds the secret, that is the
platform itself; an Ed25519 signature is checked by anyone with the public key published in the
resolver's description, and cannot be produced by someone who can only write the database. The
private key is created on first use in the data folder (``passport-signing-key.pem``, mode
0600); a deployer who wants it out of reach of the application's data (a mounted secret, a
hardware-backed file) names it with ``BOUCLE_PASSPORT_KEY`` — a configured key that is missing
is an error, never silently replaced.

A passport has two chains (``models``): the private one over the events as stored, and the
public one over the events as anyone reads them. Both heads are signed the same way; the public
head says so (``"chain": "public"``), so a kept head is checked against the chain it certifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

TYPE = "BoucleChainHead"
ALG = "Ed25519"
#: The member that marks the head of the public chain (a private head, as before, has none).
PUBLIC = {"chain": "public"}


def is_public(doc) -> bool:
    return isinstance(doc, dict) and doc.get("chain") == PUBLIC["chain"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(doc: dict) -> bytes:
    """The signed bytes: every member but ``signature``, keys sorted, no spaces, UTF-8."""
    body = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def sign(doc: dict, private: Ed25519PrivateKey) -> dict:
    doc = {**doc, "alg": ALG, "keyId": key_id(private.public_key())}
    return {**doc, "signature": _b64(private.sign(canonical(doc)))}


def check(doc, public: Ed25519PublicKey) -> str | None:
    """None when ``doc`` is a head signed by ``public``, else why not."""
    from django.utils.translation import gettext as _

    if not isinstance(doc, dict) or doc.get("type") != TYPE:
        return _("ce n'est pas une tête de chaîne signée")
    if doc.get("keyId") != key_id(public):
        return _("signée par une autre clé (%(other)s), pas par celle de cette plateforme (%(ours)s)") % {
            "other": doc.get("keyId"), "ours": key_id(public)}
    try:
        public.verify(_unb64(str(doc.get("signature", ""))), canonical(doc))
    except (InvalidSignature, ValueError):
        return _("sa signature ne correspond pas à son contenu")
    return None


def head_document(handle: str, length: int, link: str, public: bool = False) -> dict:
    return {"type": TYPE, "passport": handle, "length": length, "head": link, **(PUBLIC if public else {}),
            "signedAt": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")}


# --- the platform's key and log (settings) ---------------------------------------------------

def _paths() -> tuple[Path, bool, Path]:
    from django.conf import settings

    return (Path(settings.BOUCLE_PASSPORT_KEY), settings.BOUCLE_PASSPORT_KEY_CONFIGURED,
            Path(settings.BOUCLE_PASSPORT_HEADS_LOG))


@lru_cache(maxsize=4)
def _load_key(path: Path, configured: bool) -> Ed25519PrivateKey:
    if not path.exists():
        if configured:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(f"BOUCLE_PASSPORT_KEY={path}: no such file (an Ed25519 private key, PEM)")
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        try:  # O_EXCL: two workers starting together keep the first key written
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{path}: not an Ed25519 private key")
    return key


def private_key() -> Ed25519PrivateKey:
    path, configured, _log = _paths()
    return _load_key(path, configured)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_info() -> dict:
    public = public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"alg": ALG, "keyId": key_id(public), "publicKey": _b64(raw)}


def sign_head(handle: str, length: int, link: str, public: bool = False) -> dict:
    return sign(head_document(handle, length, link, public), private_key())


def log_head(doc: dict) -> None:
    """Append a signed head to the log file (one JSON document per line, never rewritten)."""
    _key, _configured, log = _paths()
    log.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(doc, sort_keys=True, ensure_ascii=False) + "\n"
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(line)


def logged_heads(public: bool = False) -> dict[str, dict]:
    """The longest signed head of the private chain (``public``: of the public chain) logged for each
    passport handle (an unreadable line is skipped)."""
    _key, _configured, log = _paths()
    latest: dict[str, dict] = {}
    if not log.exists():
        return latest
    with open(log, encoding="utf-8") as fh:
        for line in fh:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if isinstance(doc, dict) and isinstance(doc.get("length"), int) and is_public(doc) == public:
                handle = doc.get("passport")
                if handle not in latest or doc["length"] >= latest[handle]["length"]:
                    latest[handle] = doc
    return latest


def read_held_head(path: str) -> dict:
    """A head someone kept: a signed head, or a downloaded passport record carrying one."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(doc, dict) and isinstance(doc.get("chain"), dict) and "signedHead" in doc["chain"]:
        doc = doc["chain"]["signedHead"]
    return doc
