/* pcsc-apdu's PIN-pad verbs (PC/SC part 10), see pcsc-pinpad.c. */
#ifndef PCSC_PINPAD_H
#define PCSC_PINPAD_H

#include <winscard.h>

int pinpad_features(SCARDCONTEXT ctx, const char *reader);
int pinpad_verify(SCARDCONTEXT ctx, const char *reader, const char *ef);
int pinpad_change(SCARDCONTEXT ctx, const char *reader, const char *ef);

#endif
