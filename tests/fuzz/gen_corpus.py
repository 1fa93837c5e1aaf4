#!/usr/bin/env python3
"""Generate the seed corpus of the JPKI fuzz target.

Usage: gen_corpus.py REPLAY_BINARY OUTDIR [jpki|face]

A seed is the list of answers a card gives, in order (format in
fuzz_transport.h).  Rather than restating here which commands the module
sends, the seed is grown one answer at a time: the replay binary runs with
the answers so far (FUZZ_TRACE shows its commands), the small card model
below answers the first unanswered command, and so on until the harness
sends nothing more.  Each profile is a card, or a card with one fault.
"""
import os
import subprocess
import sys

AID = bytes.fromhex("D392F000260100000001")
FACE_AID = bytes.fromhex("D3921000310001010408")
OK = b"\x90\x00"


def cert(n, seed):
    body = bytes((i * seed + 7) & 0xFF for i in range(n - 4))
    return b"\x30\x82" + (n - 4).to_bytes(2, "big") + body


def tlv(tag, value):
    n = len(value)
    ln = bytes([n]) if n < 0x80 else (b"\x81" + bytes([n]) if n < 0x100 else b"\x82" + n.to_bytes(2, "big"))
    return tag.to_bytes(2, "big") + ln + value


def basic(name="試験　花子", address="東京都千代田区架空町一丁目2番3号", birth="19900101", sex="2"):
    return tlv(0xFF20, tlv(0xDF22, name.encode()) + tlv(0xDF23, address.encode()) +
               tlv(0xDF24, birth.encode()) + tlv(0xDF25, sex.encode()))


def token_info(serial, label=b"JPKIAPICCTOKEN2"):
    return (label.ljust(32, b" ") + b"JPKI".ljust(32, b" ") +
            b"JPKIAPICCTOKEN2"[:16].ljust(16, b" ") + serial + bytes(160 - 96))


class Card:
    def __init__(self, **kw):
        self.jpki = kw.get("jpki", True)
        self.files = {
            0x000A: cert(1410, 3) + b"\xff" * 600,
            0x000B: cert(1290, 5) + b"\xff" * 700,
            0x0001: cert(1795, 11) + b"\xff" * 200,
            0x0002: cert(1300, 13) + b"\xff" * 700,
            0x0006: token_info(b"MN0123456789ABCD"),
            0x0008: b"\x8f\x8f\x00",
        }
        self.files.update(kw.get("files", {}))
        self.face = kw.get("face", True)
        self.face_files = {
            0x0001: tlv(0xFF10, b"123456789018") + b"\xff" * 4,
            0x0002: basic(),
        }
        self.face_files.update(kw.get("face_files", {}))
        self.face_pin = [b"1234", kw.get("face_tries", 3)]
        self.keys = {0x0017: 0x0018, 0x001A: 0x001B}
        self.pins = {0x0018: [b"1234", kw.get("auth_tries", 3)],
                     0x001B: [b"ABC123", kw.get("sign_tries", 5)]}
        self.sig_len = kw.get("sig_len", 256)
        self.t0 = kw.get("t0", False)
        self.wrong_le = kw.get("wrong_le", False)
        self.errors = kw.get("errors", {})      # command index -> error code
        self.app = False        # False, "jpki" or "face"
        self.ef = None
        self.verified = set()
        self.pending = b""
        self.n = 0

    def answer(self, cmd):
        """One record: bytes of the answer, or an int error code."""
        self.n += 1
        if self.n in self.errors:
            code = self.errors[self.n]
            if code == 1:               # reset: all state is lost
                self.app, self.ef, self.verified = False, None, set()
            return code
        ans = self.process(cmd)
        if self.t0 and cmd[1] != 0xC0 and len(ans) > 2 and ans[-2:] == OK:
            # T=0 style: announce the data, give it on GET RESPONSE
            self.pending = ans
            return bytes([0x61, (len(ans) - 2) & 0xFF])
        return ans

    def process(self, c):
        cla, ins, p1, p2 = c[0], c[1], c[2], c[3]
        data = c[5:5 + c[4]] if len(c) > 5 else b""
        if ins == 0xC0:
            a, self.pending = self.pending, b""
            return a if a else b"\x69\x85"
        if ins == 0xA4 and p1 == 0x04:
            self.app, self.ef, self.verified = False, None, set()
            if data == AID and self.jpki:
                self.app = "jpki"
                return OK
            if data == FACE_AID and self.face:
                self.app = "face"
                return OK
            return b"\x6a\x82"
        if not self.app:
            return b"\x6d\x00" if not self.jpki else b"\x69\x85"
        if self.app == "face":
            return self.process_face(c, ins, p1, p2, data)
        if ins == 0xA4 and p1 == 0x02:
            ef = int.from_bytes(data, "big")
            if ef in self.files and self.files[ef] is None:
                self.ef = None
                return b"\x6a\x82"
            if ef in self.files or ef in self.pins or ef in self.keys:
                self.ef = ef
                return OK
            self.ef = None
            return b"\x6a\x82"
        if ins == 0xB0:
            if self.ef not in self.files:
                return b"\x69\x81" if self.ef else b"\x69\x86"
            if self.ef == 0x0001 and 0x001B not in self.verified:
                return b"\x69\x82"
            f = self.files[self.ef]
            off = p1 << 8 | p2
            le = c[4] if len(c) == 5 else 0
            le = le or 256
            if off >= len(f):
                return b"\x6b\x00"
            if self.wrong_le and le > 0xE0:
                # a card that wants smaller chunks and says so with 6Cxx
                return b"\x6c\xe0"
            return f[off:off + le] + OK
        if ins == 0x20:
            pin = self.pins.get(self.ef)
            if pin is None:
                return b"\x69\x81"
            if not data:
                if self.ef in self.verified:
                    return OK
                return bytes([0x63, 0xC0 | pin[1]])
            if pin[1] == 0:
                return b"\x69\x84"
            if data == pin[0]:
                pin[1] = 5 if self.ef == 0x001B else 3
                self.verified.add(self.ef)
                return OK
            pin[1] -= 1
            self.verified.discard(self.ef)
            return bytes([0x63, 0xC0 | pin[1]])
        if ins == 0x24:
            if self.ef not in self.verified:
                return b"\x69\x82"
            self.pins[self.ef][0] = data
            return OK
        if ins == 0x2A:
            if cla != 0x80:
                return b"\x6e\x00"
            if self.ef not in self.keys:
                return b"\x69\x81"
            if self.keys[self.ef] not in self.verified:
                return b"\x69\x82"
            if len(data) > 245:
                return b"\x67\x00"
            return bytes((i * 31) & 0xFF for i in range(self.sig_len)) + OK
        return b"\x6d\x00"


    def process_face(self, c, ins, p1, p2, data):
        if ins == 0xA4 and p1 == 0x02:
            ef = int.from_bytes(data, "big")
            self.ef = ef if ef in self.face_files or ef == 0x0011 else None
            return OK if self.ef else b"\x6a\x82"
        if ins == 0xB0:
            if self.ef not in self.face_files:
                return b"\x69\x81" if self.ef else b"\x69\x86"
            if "face" not in self.verified:
                return b"\x69\x82"
            f = self.face_files[self.ef]
            off = p1 << 8 | p2
            le = (c[4] if len(c) == 5 else 0) or 256
            if off >= len(f):
                return b"\x6b\x00"
            return f[off:off + le] + OK
        if ins == 0x20 and self.ef == 0x0011:
            pin = self.face_pin
            if not data:
                return OK if "face" in self.verified else bytes([0x63, 0xC0 | pin[1]])
            if pin[1] == 0:
                return b"\x69\x84"
            if data == pin[0]:
                pin[1] = 3
                self.verified.add("face")
                return OK
            pin[1] -= 1
            self.verified.discard("face")
            return bytes([0x63, 0xC0 | pin[1]])
        if ins == 0x24 and self.ef == 0x0011:
            if "face" not in self.verified:
                return b"\x69\x82"
            self.face_pin[0] = data
            return OK
        return b"\x6d\x00"


def encode(records):
    out = b""
    for r in records:
        if isinstance(r, int):
            out += (0xFF00 | r).to_bytes(2, "big")
        else:
            out += len(r).to_bytes(2, "big") + r
    return out


def commands(binary, data):
    env = dict(os.environ, FUZZ_TRACE="1", FUZZ_CORPUS="/nonexistent")
    path = "/tmp/jpki-seed.bin"
    with open(path, "wb") as f:
        f.write(data)
    p = subprocess.run([binary, path], env=env, capture_output=True, text=True, check=True)
    return [bytes.fromhex(l[len("fuzz ->"):].replace(" ", ""))
            for l in p.stderr.splitlines() if l.startswith("fuzz ->")]


def grow(binary, card):
    records = []
    while True:
        cmds = commands(binary, encode(records))
        if len(cmds) <= len(records):
            return encode(records)
        records.append(card.answer(cmds[len(records)]))


PROFILES = {
    "adult": dict(),
    "adult-t0": dict(t0=True),
    "wrong-le-6cxx": dict(wrong_le=True),
    "under-15": dict(files={0x0008: b"\x00\x8f\x00", 0x0001: b"\xff" * 2000}, sign_tries=0),
    "face-auth": dict(files={0x0008: b"\x00\x8f\x00", 0x0001: None}, auth_tries=0, sign_tries=0),
    "auth-pin-final-try": dict(auth_tries=1),
    "not-jpki": dict(jpki=False),
    "blank-serial": dict(files={0x0006: token_info(b" " * 16)}),
    "phone": dict(files={0x0006: token_info(b"MN0123456789ABCD", b"JPKIAPGPSETOKEN")}, face=False),
    "no-info-files": dict(files={0x0006: None, 0x0008: None}),
    "truncated-cert": dict(files={0x000A: cert(1410, 3)[:900]}),
    "bad-cert-header": dict(files={0x000B: b"\x31\x82\x05\x00" + bytes(1300)}),
    "absurd-cert-length": dict(files={0x0002: b"\x30\x82\xff\xf0" + bytes(500)}),
    "short-signature": dict(sig_len=255),
    "reset-mid-read": dict(errors={6: 1}),
    "removed-at-verify": dict(errors={21: 2}),
}


FACE_PROFILES = {
    "card": dict(),
    "long-address": dict(face_files={0x0002: basic(address="東京都" * 120)}),
    "face-auth": dict(face_tries=0),
    "pin-final-try": dict(face_tries=1),
    "no-applet": dict(face=False),
    "not-12-digits": dict(face_files={0x0001: tlv(0xFF10, b"12345678901A")}),
    "field-missing": dict(face_files={0x0002: tlv(0xFF20, tlv(0xDF22, b"A") + tlv(0xDF23, b"B"))}),
    "field-twice": dict(face_files={0x0002: tlv(0xFF20, tlv(0xDF22, b"A") * 2 + tlv(0xDF23, b"B") +
                                                tlv(0xDF24, b"C") + tlv(0xDF25, b"1"))}),
    "truncated-basic": dict(face_files={0x0002: basic()[:40]}),
    "absurd-length": dict(face_files={0x0002: b"\xff\x20\x82\xff\xf0" + bytes(300)}),
    "erased": dict(face_files={0x0001: b"\xff" * 32, 0x0002: b"\xff" * 300}),
    "removed-mid-read": dict(errors={8: 2}),
}


def main():
    binary, outdir = sys.argv[1], sys.argv[2]
    profiles = FACE_PROFILES if len(sys.argv) > 3 and sys.argv[3] == "face" else PROFILES
    os.makedirs(outdir, exist_ok=True)
    for name, kw in profiles.items():
        data = grow(binary, Card(**kw))
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
