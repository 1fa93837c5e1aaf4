#!/usr/bin/env python3
"""Generate the seed corpus of the whole-module fuzz target.

Usage: gen_module_corpus.py REPLAY_BINARY OUTDIR

A seed is a sequence of C_* operations (fuzz_module.c) followed by the
answers a card gives (fuzz_backend.h).  As for the card-layer corpus
(gen_corpus.py, whose card model this reuses), the answers are grown one at
a time: the replay binary runs with the answers so far (FUZZ_TRACE shows
its commands), the card model answers the first unanswered one, until the
module sends nothing more.  The certificates are real X.509 ones made with
openssl, and the card signs with their keys, so parsing and verification
run to the end.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import Card, encode, token_info  # noqa: E402

# fuzz_module.c's operations, in its order
OPS = ["slot-list", "slot-info", "token-info", "open", "close", "close-all", "find", "attrs",
       "login", "login-context", "logout", "sign-init", "sign", "sign-parts", "verify",
       "set-pin", "reinit", "wait", "event", "mechs", "session-info"]
# pins[] of fuzz_module.c
PIN = {"1234": 0, "0000": 1, "ABC123": 2, "abc123": 3, "XYZ999": 4, "12a4": 5}
FIND_PRIV, FIND_PUB, FIND_CERT = 0x20, 0x28, 0x30     # class, one attribute
RSA_PKCS, SHA256 = 0x00, 0x08


def login(pin, session=0):
    return ("login", PIN[pin] << 3 | session)


def make_keys(tmp):
    """Two key pairs with self-signed certificates: (key path, DER)."""
    out = []
    for name in ("auth", "sign"):
        key, crt = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".der")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-outform", "DER", "-out", crt, "-days", "3650", "-subj", "/CN=fuzz " + name],
                       check=True, capture_output=True)
        with open(crt, "rb") as f:
            out.append((key, f.read()))
    return out


class SigningCard(Card):
    """The card model of gen_corpus.py with real certificates and
    signatures, and faults keyed by instruction: fail[(ins, nth)] is an
    error code (int) or an answer (bytes) given instead of the real one to
    the nth command with that INS byte."""

    def __init__(self, keys, fail=None, **kw):
        (self.auth_key, auth_der), (self.sign_key, sign_der) = keys
        files = {0x000A: auth_der + b"\xff" * 64, 0x000B: auth_der + b"\xff" * 64,
                 0x0001: sign_der + b"\xff" * 64, 0x0002: sign_der + b"\xff" * 64}
        files.update(kw.pop("files", {}))
        super().__init__(files=files, **kw)
        self.fail = fail or {}
        self.count = {}

    def answer(self, cmd):
        key = (cmd[1], self.count.get(cmd[1], 0))
        self.count[cmd[1]] = key[1] + 1
        if key in self.fail:
            self.n += 1
            return self.fail[key]
        return super().answer(cmd)

    def process(self, c):
        if c[1] == 0x2A and self.app and self.ef in self.keys and self.keys[self.ef] in self.verified:
            key = self.auth_key if self.ef == 0x0017 else self.sign_key
            p = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-pkeyopt",
                                "rsa_padding_mode:pkcs1"], input=c[5:5 + c[4]],
                               capture_output=True, check=True)
            return p.stdout + b"\x90\x00"
        return super().process(c)


def encode_ops(ops):
    out = bytes([len(ops)])
    for name, arg in ops:
        out += bytes([OPS.index(name), arg])
    return out


def commands(binary, data):
    env = dict(os.environ, FUZZ_TRACE="1")
    env.pop("JPKI_PKCS11_DEBUG", None)
    fd, path = tempfile.mkstemp()
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        p = subprocess.run([binary, path], env=env, capture_output=True, text=True, check=True)
    finally:
        os.unlink(path)
    lines = p.stderr.splitlines()
    # a command that met a card already gone consumed no answer
    return [bytes.fromhex(l[len("fuzz ->"):].replace(" ", ""))
            for i, l in enumerate(lines)
            if l.startswith("fuzz ->") and not (i + 1 < len(lines) and lines[i + 1] == "fuzz <- gone")]


def grow(binary, ops, card):
    head = encode_ops(ops)
    records = []
    while True:
        cmds = commands(binary, head + encode(records))
        if len(cmds) <= len(records):
            return head + encode(records)
        records.append(card.answer(cmds[len(records)]))


START_AUTH = [("slot-list", 1), ("open", 0), login("1234")]
START_SIGN = [("slot-list", 1), ("open", 1), login("ABC123")]
SIGN_AUTH = [("find", FIND_PRIV), ("sign-init", RSA_PKCS), ("sign", 0x40)]
SIGN_CONTEXT = [("find", FIND_PRIV), ("sign-init", SHA256), ("login-context", PIN["ABC123"] << 3),
                ("sign", 0)]
VERIFY = [("find", FIND_PUB), ("verify", 1 << 3)]

PROFILES = {
    "auth-sign-verify": (START_AUTH + [("token-info", 0), ("find", FIND_CERT), ("attrs", 0)] + SIGN_AUTH
                         + VERIFY + [("session-info", 0), ("logout", 0)], {}),
    "auth-wrong-then-right": ([("slot-list", 1), ("open", 0), login("0000"), login("1234")] + SIGN_AUTH
                              + [("sign-init", RSA_PKCS), ("sign-parts", 0x80)], {}),
    "auth-bad-format": ([("slot-list", 1), ("open", 0), login("12a4"), login("abc123")] + SIGN_AUTH, {}),
    "sign-context": (START_SIGN + [("find", FIND_CERT), ("attrs", 0)] + SIGN_CONTEXT + VERIFY, {}),
    "sign-context-wrong-pin": (START_SIGN + [("find", FIND_PRIV), ("sign-init", SHA256),
                                             ("login-context", PIN["XYZ999"] << 3), ("sign", 0)], {}),
    "sign-without-always-auth": ([("reinit", 1)] + START_SIGN + SIGN_AUTH + [("sign-init", SHA256),
                                                                              ("sign", 0)], {}),
    "sign-hold-released": (START_SIGN + [("find", FIND_PRIV), ("sign-init", SHA256),
                                         ("login-context", PIN["ABC123"] << 3), ("token-info", 0),
                                         ("open", 0), ("sign", 0)], {}),
    "set-pin-auth": ([("slot-list", 1), ("open", 0x80), login("1234"), ("set-pin", 0x60)] + SIGN_AUTH, {}),
    "set-pin-sign": ([("slot-list", 1), ("open", 0x81), login("ABC123"), ("set-pin", 0xC9)] + SIGN_CONTEXT, {}),
    "resign-rejected": (START_AUTH + SIGN_AUTH + [("sign-init", RSA_PKCS), ("sign", 0)],
                        dict(fail={(0x20, 3): b"\x63\xc2"})),
    "clear-select-fails": (START_AUTH + SIGN_AUTH, dict(fail={(0xA4, 7): b"\x6f\x00"})),
    "verify-lost": (START_AUTH + SIGN_AUTH, dict(fail={(0x20, 2): 0})),
    "removed-at-sign": (START_AUTH + SIGN_AUTH, dict(fail={(0x2A, 0): 2})),
    "reset-at-sign": (START_AUTH + SIGN_AUTH, dict(fail={(0x2A, 0): 1})),
    "card-pulled-in-hold": (START_SIGN + [("find", FIND_PRIV), ("sign-init", SHA256),
                                          ("login-context", PIN["ABC123"] << 3), ("event", 1),
                                          ("sign", 0), ("wait", 0), ("event", 0), ("wait", 0),
                                          ("slot-list", 1)], {}),
    "card-swapped": (START_AUTH + [("event", 2), ("wait", 0), ("session-info", 0), ("slot-list", 0),
                                   ("open", 0), login("1234")], {}),
    "listing-errors": (START_AUTH + [("event", 3), ("sign-init", 0), ("event", 4), ("slot-list", 0),
                                     ("slot-list", 1), ("open", 0), ("close-all", 0)], {}),
    "second-reader": ([("event", 14), ("wait", 0), ("slot-list", 1), ("slot-info", 2), ("open", 2),
                       ("open", 3), ("mechs", 2), ("event", 13), ("slot-list", 0)], {}),
    "not-jpki": ([("slot-list", 0), ("token-info", 0), ("open", 0)], dict(jpki=False)),
    "face-auth": (START_AUTH + [("token-info", 0), ("token-info", 1)],
                  dict(files={0x0008: b"\x00\x8f\x00", 0x0001: None}, auth_tries=0, sign_tries=0)),
    "blank-serial": ([("slot-list", 1), ("token-info", 0)], dict(files={0x0006: token_info(b" " * 16)})),
    "t0-card": (START_AUTH + SIGN_AUTH, dict(t0=True)),
    "reinit-tokens": ([("reinit", 6), ("slot-list", 0), ("reinit", 2), ("slot-list", 1), ("open", 0),
                       ("close", 0), ("reinit", 8)], {}),
}


def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        keys = make_keys(tmp)
        for name, (ops, kw) in PROFILES.items():
            data = grow(binary, ops, SigningCard(keys, **kw))
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(data)
            print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
