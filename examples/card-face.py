#!/usr/bin/env python3
"""Read the card-face data (My Number, name, address, date of birth, sex)
from a My Number Card through jpki-pkcs11.

Usage: card-face.py [MODULE]   (the PIN is asked at the terminal, or taken
from the environment variable FACE_PIN)

Debian: apt install python3-pykcs11.  This is the most protected personal
data in Japan: print it where you need it, never store or log it.
"""
import getpass
import os
import sys

import PyKCS11

module = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/x86_64-linux-gnu/pkcs11/jpki-pkcs11.so"
lib = PyKCS11.PyKCS11Lib()
lib.load(module)

slot = next(s for s in lib.getSlotList(tokenPresent=True)
            if lib.getTokenInfo(s).label.strip() == "JPKI Card Face Data")
session = lib.openSession(slot)
pin = os.environ.get("FACE_PIN") or getpass.getpass("Card-face PIN (4 digits): ")
session.login(pin)
try:
    for obj in session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA)]):
        label, value = session.getAttributeValue(obj, [PyKCS11.CKA_LABEL, PyKCS11.CKA_VALUE])
        print(f"{label}: {bytes(value).decode('utf-8')}")
finally:
    session.logout()
    session.closeSession()
