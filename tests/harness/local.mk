# rules for tests/harness
