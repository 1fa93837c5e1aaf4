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
run to the end.  A seed's fault is put where a command of its kind comes
(the nth VERIFY, clear, signature...), not at a command count, so the
seeds follow the module when its commands change; a fault no command met
stops the generator.  module-corpus.sh checks that each seed still
reaches what it is named for.
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


KINDS = {0x2A: "sign", 0x24: "change", 0xA4: "select-ef", 0xB0: "read", 0xC0: "get-response"}


class SigningCard(Card):
    """The card model of gen_corpus.py with real certificates and
    signatures, and faults keyed by what a command means to the card, so
    that they stay where they belong when the module's commands change:
    fault[(kind, nth)] replaces the answer to the nth (from 0) command of
    that kind: "verify" (a VERIFY with a PIN), "tries" (one without),
    "clear" (an applet SELECT while a PIN is verified), "select" (one
    without), "select-ef", "read", "sign", "change", "get-response".  The
    replacement is one record, or a list of records given one after the
    other (record(): an answer, an error, a failure, an event)."""

    def __init__(self, keys, fault=None, **kw):
        (self.auth_key, auth_der), (self.sign_key, sign_der) = keys
        files = {0x000A: auth_der + b"\xff" * 64, 0x000B: auth_der + b"\xff" * 64,
                 0x0001: sign_der + b"\xff" * 64, 0x0002: sign_der + b"\xff" * 64}
        files.update(kw.pop("files", {}))
        super().__init__(files=files, **kw)
        self.fault = fault or {}
        self.used = set()
        self.count = {}

    def kind(self, c):
        if c[1] == 0x20:
            return "verify" if len(c) > 5 else "tries"
        if c[1] == 0xA4 and c[2] == 0x04:
            return "clear" if self.verified else "select"
        return KINDS.get(c[1], "other")

    def answer(self, cmd):
        """The records for cmd: its answer, or the fault put there."""
        kind = self.kind(cmd)
        key = (kind, self.count.get(kind, 0))
        self.count[kind] = key[1] + 1
        if key not in self.fault:
            return [super().answer(cmd)]
        self.n += 1
        self.used.add(key)
        recs = self.fault[key]
        recs = recs if isinstance(recs, list) else [recs]
        if RESET in recs or GONE in recs or kind == "clear":
            self.app, self.ef, self.verified = False, None, set()
        return recs

    def process(self, c):
        if c[1] == 0x2A and self.app and self.ef in self.keys and self.keys[self.ef] in self.verified:
            key = self.auth_key if self.ef == 0x0017 else self.sign_key
            p = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-pkeyopt",
                                "rsa_padding_mode:pkcs1"], input=c[5:5 + c[4]],
                               capture_output=True, check=True)
            return p.stdout + b"\x90\x00"
        return super().process(c)


# Records besides answers (fuzz_backend.h): a transmit error, a failure of
# the next connect, begin or end, a reader event.
LOST, RESET, GONE, NO_READER = 0, 1, 2, 3


def failure(code):
    return ("fail", code)


def event(ev):
    return ("event", ev)


def encode_stream(records):
    out = b""
    for r in records:
        if isinstance(r, tuple):
            out += bytes([0xFD if r[0] == "fail" else 0xFE, r[1]])
        else:
            out += encode([r])
    return out


def encode_ops(ops):
    out = bytes([len(ops)])
    for name, arg in ops:
        out += bytes([OPS.index(name), arg])
    return out


def commands(binary, data):
    """The commands the module sends to the card with this input: those
    that met a card already gone consumed no answer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JPKI_PKCS11_")}
    env["FUZZ_TRACE"] = "1"
    fd, path = tempfile.mkstemp()
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        p = subprocess.run([binary, path], env=env, capture_output=True, text=True, check=True)
    finally:
        os.unlink(path)
    lines = p.stderr.splitlines()
    return [bytes.fromhex(l[len("fuzz ->"):].replace(" ", ""))
            for i, l in enumerate(lines)
            if l.startswith("fuzz ->") and not (i + 1 < len(lines) and lines[i + 1] == "fuzz <- gone")]


# Answers after the last one the module reads: a module that goes further
# than it should (sends a PIN again, skips a step) meets a card that still
# answers, not the end of the input, so the backend's rules see it.
SLACK = [b"\x90\x00"] * 4


def grow(binary, ops, card):
    """The card answers the first command left unanswered, until the
    module sends nothing more; then the slack."""
    head = encode_ops(ops)
    answers = []
    while True:
        data = head + encode_stream([r for recs in answers for r in recs])
        cmds = commands(binary, data)
        if len(cmds) <= len(answers):
            return data + encode_stream(SLACK)
        answers.append(card.answer(cmds[len(answers)]))


# the slots listed are the tokens' (auth, sign, face): "open" picks one by
# its argument modulo 3, and opens read-write with 0x80
OPEN_RW_AUTH, OPEN_RW_SIGN = 0x81, 0x82
START_AUTH = [("slot-list", 1), ("open", 0), login("1234")]
START_SIGN = [("slot-list", 1), ("open", 1), login("ABC123")]
SIGN_AUTH = [("find", FIND_PRIV), ("sign-init", RSA_PKCS), ("sign", 0x40)]
RESIGN_AUTH = [("sign-init", RSA_PKCS), ("sign", 0)]
RESIGN_SIGN = [("sign-init", SHA256), ("sign", 0)]     # with always-authenticate off
SET_PIN_AUTH = [("slot-list", 1), ("open", OPEN_RW_AUTH), login("1234"), ("set-pin", 0x60)]     # 1234 -> 0000


def sign_context(pin="ABC123"):
    return [("find", FIND_PRIV), ("sign-init", SHA256), ("login-context", PIN[pin] << 3), ("sign", 0)]


VERIFY = [("find", FIND_PUB), ("verify", 1 << 3)]
HOLD_SIGN = [("find", FIND_PRIV), ("sign-init", SHA256), ("login-context", PIN["ABC123"] << 3)]
# An applet SELECT answered 61xx, GET RESPONSE 9000: the card was cleared.
CLEAR_61XX = {("clear", 0): b"\x61\x02", ("get-response", 0): b"\x90\x00"}

# name: (operations, card); tests/fuzz/module-corpus.sh says what each must
# reach, in the fuzz backend's words
PROFILES = {
    # logins and signatures
    "auth-sign-verify": (START_AUTH + [("token-info", 0), ("find", FIND_CERT), ("attrs", 0)] + SIGN_AUTH
                         + VERIFY + [("session-info", 0), ("logout", 0)], {}),
    "auth-wrong-then-right": ([("slot-list", 1), ("open", 0), login("0000"), login("1234")] + SIGN_AUTH
                              + [("sign-init", RSA_PKCS), ("sign-parts", 0x80)], {}),
    "auth-bad-format": ([("slot-list", 1), ("open", 0), login("12a4"), login("abc123")] + SIGN_AUTH, {}),
    "sign-context": (START_SIGN + [("find", FIND_CERT), ("attrs", 0)] + sign_context() + VERIFY, {}),
    "sign-context-wrong-pin": (START_SIGN + sign_context("XYZ999"), {}),
    "sign-without-always-auth": ([("reinit", 1)] + START_SIGN + SIGN_AUTH + RESIGN_SIGN, {}),
    "sign-hold-released": (START_SIGN + HOLD_SIGN + [("token-info", 0), ("open", 0), ("sign", 0)], {}),
    "set-pin-auth": (SET_PIN_AUTH + SIGN_AUTH + RESIGN_AUTH, {}),
    "set-pin-sign": ([("slot-list", 1), ("open", OPEN_RW_SIGN), login("ABC123"), ("set-pin", 0xC9)]
                     + sign_context("XYZ999"), {}),
    "face-login": ([("slot-list", 1), ("open", 2), login("1234"), ("find", 0x18), ("attrs", 0)], {}),
    "t0-card": (START_AUTH + SIGN_AUTH + RESIGN_AUTH, dict(t0=True)),
    # a re-verification the card rejects: logged out, the PIN never sent again
    "resign-rejected": (START_AUTH + SIGN_AUTH + RESIGN_AUTH + RESIGN_AUTH,
                        dict(fault={("verify", 1): b"\x63\xc2"})),
    "sign-resign-rejected": ([("reinit", 1)] + START_SIGN + SIGN_AUTH + RESIGN_SIGN * 2,
                             dict(fault={("verify", 1): b"\x63\xc4"})),
    # faults in the middle of a transaction with the card verified
    "verify-lost": (START_AUTH + SIGN_AUTH, dict(fault={("verify", 0): LOST})),
    "removed-at-sign": (START_AUTH + SIGN_AUTH, dict(fault={("sign", 0): GONE})),
    "reset-at-sign": (START_AUTH + SIGN_AUTH, dict(fault={("sign", 0): RESET})),
    "card-pulled-in-hold": (START_SIGN + HOLD_SIGN + [("event", 1), ("sign", 0), ("wait", 0), ("event", 0),
                                                      ("wait", 0), ("slot-list", 1)], {}),
    "card-swapped": (START_AUTH + [("event", 2), ("wait", 0), ("session-info", 0), ("slot-list", 0),
                                   ("open", 0), login("1234")], {}),
    "set-pin-then-sign-device-error": (SET_PIN_AUTH + SIGN_AUTH, dict(fault={("sign", 0): b"\x6f\x00"})),
    # the clear after a verified PIN fails, and sometimes the power-down too
    "clear-select-fails": (START_AUTH + SIGN_AUTH, dict(fault={("clear", 0): b"\x6f\x00"})),
    "end-fails-card-gone-close-unpowered": (START_AUTH + SIGN_AUTH,
                                            dict(fault={("clear", 0): [b"\x6f\x00", failure(GONE)]})),
    "hold-card-pulled-unpower-fails": (START_SIGN + HOLD_SIGN, dict(fault={("clear", 0): event(1)})),
    "login-clear-lost": (START_AUTH + [("logout", 0)], dict(fault={("clear", 0): LOST})),
    "login-clear-no-reader": (START_AUTH + [("logout", 0)], dict(fault={("clear", 0): NO_READER})),
    "login-clear-reset-unpower-fails": (START_AUTH + [("logout", 0)],
                                        dict(fault={("clear", 0): [RESET, failure(LOST)]})),
    "login-clear-select-61xx": (START_AUTH + [("logout", 0)], dict(fault=CLEAR_61XX)),
    "sign-cert-clear-select-61xx": (START_SIGN + [("find", FIND_CERT), ("attrs", 0)], dict(fault=CLEAR_61XX)),
    "set-pin-clear-fails": (SET_PIN_AUTH, dict(fault={("clear", 1): b"\x6f\x00"})),     # 0: the login's
    # readers, tokens and cards without a PIN
    "listing-errors": (START_AUTH + [("event", 3), ("sign-init", 0), ("event", 4), ("slot-list", 0),
                                     ("slot-list", 1), ("open", 0), ("close-all", 0)], {}),
    "second-reader": ([("event", 14), ("wait", 0), ("slot-list", 1), ("slot-info", 2), ("open", 2),
                       ("open", 3), ("mechs", 2), ("event", 13), ("slot-list", 0)], {}),
    "not-jpki": ([("slot-list", 0), ("token-info", 0), ("open", 0)], dict(jpki=False)),
    "face-auth": (START_AUTH + [("token-info", 0), ("token-info", 1)],
                  dict(files={0x0008: b"\x00\x8f\x00", 0x0001: None}, auth_tries=0, sign_tries=0)),
    "blank-serial": ([("slot-list", 1), ("token-info", 0)], dict(files={0x0006: token_info(b" " * 16)})),
    "reinit-tokens": ([("reinit", 6), ("slot-list", 0), ("reinit", 2), ("slot-list", 1), ("open", 0),
                       ("close", 0), ("reinit", 8)], {}),
    # the certificate cache on: the second start checks its copy on the card
    "cache-known-cert": ([("reinit", 0x10), ("slot-list", 1), ("open", 0), ("find", FIND_CERT), ("attrs", 0),
                          ("reinit", 0x10), ("slot-list", 1), ("open", 0), ("find", FIND_CERT), ("attrs", 0)]
                         + [login("1234")] + SIGN_AUTH, {}),
}


def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        keys = make_keys(tmp)
        for name, (ops, kw) in PROFILES.items():
            card = SigningCard(keys, **kw)
            data = grow(binary, ops, card)
            if set(card.fault) - card.used:
                sys.exit(f"{name}: the module sent no command for {sorted(set(card.fault) - card.used)}")
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(data)
            print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
