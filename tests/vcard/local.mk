# rules for tests/vcard
