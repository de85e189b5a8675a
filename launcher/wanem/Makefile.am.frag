# wanem: user-space WAN link emulator, and the sites-file parser that
# dwcprun shares. Automake lines for launcher/Makefile.am, which must
# define noinst_LTLIBRARIES, bin_PROGRAMS and EXTRA_DIST before this
#   include $(srcdir)/wanem/Makefile.am.frag
# Paths are relative to launcher/.

# Sites-file parser (prefix dwcl_sites_), reused by dwcprun --sites.
noinst_LTLIBRARIES += wanem/libdwclsites.la
wanem_libdwclsites_la_SOURCES = wanem/sites.c wanem/sites.h
wanem_libdwclsites_la_CFLAGS = $(DWCP_CFLAGS)
wanem_libdwclsites_la_LIBADD = -lm

# Link model (injected clock), used by wanem and its unit tests.
noinst_LTLIBRARIES += wanem/libdwclwanem.la
wanem_libdwclwanem_la_SOURCES = wanem/link.c wanem/link.h
wanem_libdwclwanem_la_CFLAGS = $(DWCP_CFLAGS)

bin_PROGRAMS += wanem/wanem
wanem_wanem_SOURCES = wanem/main.c wanem/fwd.c wanem/fwd.h wanem/netns.c wanem/netns.h
wanem_wanem_CFLAGS = $(DWCP_CFLAGS)
wanem_wanem_LDADD = wanem/libdwclwanem.la wanem/libdwclsites.la -lm

EXTRA_DIST += wanem/Makefile.am.frag
