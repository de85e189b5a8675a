# apps/nbody/Makefile.am.frag - included by apps/Makefile.am (paths relative to apps/).
# Expects apps/Makefile.am to have initialised with '=' before the include:
#   bin_PROGRAMS, noinst_DATA, EXTRA_DIST, CLEANFILES
# and to include it with:  include $(srcdir)/nbody/Makefile.am.frag

NBODY_SRCS = nbody/nbody.c nbody/nbody_setup.c nbody/nbody_opts.c \
	nbody/comm_allgather.c nbody/comm_ring.c nbody/snapshot.c nbody/nbody_phys.c \
	nbody/nbody_tree.c
NBODY_HDRS = nbody/nbody.h nbody/nbody_phys.h nbody/snapshot.h nbody/nbody_tree.h

# Kernel flags: -ffp-contract=off keeps the pairwise forces bit-identical in
# every build (no FMA contraction); -fno-math-errno and the vectoriser let
# the force loop use SIMD without changing results.  Explicit -f options win
# over the -O level in CFLAGS whatever their order.
NBODY_KFLAGS = -ffp-contract=off -fno-math-errno -ftree-vectorize -fvect-cost-model=dynamic

# Built against our own library.
bin_PROGRAMS += nbody/nbody
nbody_nbody_SOURCES = $(NBODY_SRCS) $(NBODY_HDRS)
nbody_nbody_CFLAGS = $(DWCP_CFLAGS) $(NBODY_KFLAGS) -I$(top_srcdir)/libdwcpmpi/api
nbody_nbody_LDADD = $(top_builddir)/libdwcpmpi/libdwcpmpi.la -lm

EXTRA_DIST += nbody/Makefile.am.frag nbody/build-ref.sh nbody/find-n.sh nbody/README.md \
	nbody/SNAPSHOT.md

# The same source built with Open MPI's wrapper, for side-by-side runs.
if HAVE_OMPI
noinst_DATA += nbody/nbody.ompi
CLEANFILES += nbody/nbody.ompi
nbody/nbody.ompi: $(NBODY_SRCS:%=$(srcdir)/%) $(NBODY_HDRS:%=$(srcdir)/%)
	@$(MKDIR_P) nbody
	$(AM_V_CCLD)$(OMPI_CC) $(DWCP_CFLAGS) $(NBODY_KFLAGS) $(CFLAGS) -o $@ \
	    $(NBODY_SRCS:%=$(srcdir)/%) -lm
endif
