/* jpki-pkcs11 tests: a JPKI card in a scripted reader, as the token layer
 * knows it (token.h), for the tests of the token layer. */
#ifndef SCRIPTED_CARD_H
#define SCRIPTED_CARD_H

#include "script_transport.h"
#include "token.h"

/* A card with both certificates and full PIN counters, as detection
 * leaves it, no keypad; every connection reaches scr (made the backend in
 * use).  The module's locks and global state are set up as C_Initialize
 * leaves them, configured with CKA_ALWAYS_AUTHENTICATE on the signature
 * key, the two certificate tokens shown and PIN-pad use allowed. */
jp_card_tokens *scripted_card_new(jp_transport *scr);
/* Check that scr's script was played to its end, then free the card, its
 * tokens, scr and the global state. */
void scripted_card_free(jp_card_tokens *ct, jp_transport *scr);

#endif
