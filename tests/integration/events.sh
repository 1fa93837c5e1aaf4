#!/bin/bash
# Cards pulled and re-inserted (between operations and during a
# signature), slot events, two readers at once, threads signing together.
. "$top_srcdir/tests/integration/lib.sh"
harness_init

start_card a standard 0
expect_check "card pulled between operations" a remove
expect_check "slot events, and C_Finalize waking a waiter" a events
expect_check "8 threads signing at once, 2 reading the card-face data" a threads 8 3
stop_card a

# The card acts on a pull only between two APDUs, so every APDU is made
# slow: the pull, 0.4 s into the signature's six APDUs, always lands with
# APDUs still to come.
start_card slow standard 0 --latency-ms 300 --sign-latency-ms 1500
expect_check "card pulled in the middle of a signature" slow remove-during
stop_card slow

start_card one standard 0
start_card two standard 1
expect_check "two readers, two cards" one two
harness_done
