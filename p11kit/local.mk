# The p11-kit registration of the module.
p11config_DATA = p11kit/jpki.module
EXTRA_DIST += p11kit/jpki.module
