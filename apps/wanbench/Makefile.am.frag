# wanbench: DWCP-MPI micro-benchmark.  Included from apps/Makefile.am with
#   include $(srcdir)/wanbench/Makefile.am.frag
# Paths are relative to apps/.  The including file must first set, with '=',
# bin_PROGRAMS, noinst_DATA, CLEANFILES and EXTRA_DIST (automake refuses '+='
# on a variable that was never set).
#
# Builds wanbench/wanbench against libdwcpmpi and, when configure found
# them, wanbench/wanbench.ompi (Open MPI) and wanbench/wanbench.mpich (MPICH)
# from the same sources for side-by-side runs (see wanbench/compare.sh).

WANBENCH_SRCS = \
	wanbench/main.c \
	wanbench/options.c \
	wanbench/util.c \
	wanbench/mode_pt2pt.c \
	wanbench/mode_loaded.c \
	wanbench/mode_coll.c \
	wanbench/mode_rma.c

bin_PROGRAMS += wanbench/wanbench
wanbench_wanbench_SOURCES = $(WANBENCH_SRCS) wanbench/wanbench.h
wanbench_wanbench_CFLAGS = $(DWCP_CFLAGS) -I$(top_srcdir)/libdwcpmpi/api
wanbench_wanbench_LDADD = $(top_builddir)/libdwcpmpi/libdwcpmpi.la -lm

EXTRA_DIST += \
	wanbench/README.md \
	wanbench/build-ref.sh \
	wanbench/compare.sh \
	wanbench/wan-compare.sh \
	wanbench/selftest.sh

# Reference builds: the reference MPI's own compiler wrapper, same sources.
WANBENCH_REF_SRCS = \
	$(srcdir)/wanbench/main.c \
	$(srcdir)/wanbench/options.c \
	$(srcdir)/wanbench/util.c \
	$(srcdir)/wanbench/mode_pt2pt.c \
	$(srcdir)/wanbench/mode_loaded.c \
	$(srcdir)/wanbench/mode_coll.c \
	$(srcdir)/wanbench/mode_rma.c
WANBENCH_REF_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-Wno-missing-field-initializers

if HAVE_OMPI
noinst_DATA += wanbench/wanbench.ompi
CLEANFILES += wanbench/wanbench.ompi
wanbench/wanbench.ompi: $(WANBENCH_REF_SRCS) $(srcdir)/wanbench/wanbench.h
	@$(MKDIR_P) wanbench
	$(AM_V_CC)$(OMPI_CC) $(WANBENCH_REF_CFLAGS) -o $@ $(WANBENCH_REF_SRCS) -lm
endif

if HAVE_MPICH
noinst_DATA += wanbench/wanbench.mpich
CLEANFILES += wanbench/wanbench.mpich
wanbench/wanbench.mpich: $(WANBENCH_REF_SRCS) $(srcdir)/wanbench/wanbench.h
	@$(MKDIR_P) wanbench
	$(AM_V_CC)$(MPICH_CC) $(WANBENCH_REF_CFLAGS) -o $@ $(WANBENCH_REF_SRCS) -lm
endif
