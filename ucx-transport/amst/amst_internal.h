/*
 * amst_internal.h — private state of the AMST transport (not part of the transport API).
 *
 * Model: lanes are one-directional for data. The process that opens a lane (the initiator)
 * sends MSG/ANNOUNCE/DATA on it; the acceptor only answers (CHALLENGE, ACK). So each side
 * opens its own lane set for its own sends: no connection races, no duplicate lane sets.
 */
#ifndef AMST_INTERNAL_H
#define AMST_INTERNAL_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/uio.h>

#include "amst_wire.h"
#include "dwct.h"
#include "../pba/pba.h"

#define AMST_MAX_LANES 64    /* hard cap on bulk lanes per peer */
#define AMST_TXQ_BATCH 64    /* frames gathered into one writev on a lane */
#define AMST_RX_BUDGET (512u << 10) /* bytes read per lane per progress pass */
#define AMST_TX_BUDGET (1u << 20)   /* bytes written per bulk lane per call */

/** Parameters (filled from dwct_amst_param_table). */
typedef struct amst_config {
    int init_lanes;
    int max_lanes;
    size_t chunk;
    size_t small_limit;
    double rate_limit;    /* Mbit/s for all bulk lanes of a peer together; 0 = unlimited */
    size_t sockbuf;       /* SO_SNDBUF/SO_RCVBUF for bulk lanes; 0 = see sockbuf_auto */
    int sockbuf_auto;     /* sockbuf 0: size to the path (1) or kernel autotuning (0) */
    char *cc_bulk;
    char *cc_lat;
    size_t rx_limit;      /* bytes of early chunks staged before backpressure */
    double connect_timeout;
    int adapt;            /* adapt the bulk lane count */
    double adapt_interval;
    size_t test_kill_after; /* test hook: kill one bulk lane after this many bulk bytes */
    size_t copy_limit;    /* large sends up to this size are copied and complete at once */
    size_t copy_max;      /* bound on the bytes of such copies not yet acknowledged */
    int pba;              /* pace bulk lanes at the PBA forecast (when rate_limit is 0) */
    double pba_cruise_gain;
    double pba_probe_gain;
    int pba_report;       /* print one PBA line per peer at finalize */
} amst_config_t;

typedef struct amst_iface amst_iface_t;
typedef struct amst_peer amst_peer_t;
typedef struct amst_lane amst_lane_t;
typedef struct amst_txmsg amst_txmsg_t;
typedef struct amst_rxmsg amst_rxmsg_t;

/** A queued control/small frame (header + payload contiguous). */
typedef struct amst_txbuf {
    struct amst_txbuf *next;
    dwct_comp_t *comp; /* completed when fully written (small sends), may be NULL */
    size_t len;
    size_t off;
    uint8_t data[];
} amst_txbuf_t;

typedef enum amst_lane_state {
    AMST_LS_CONNECTING,  /* initiator: non-blocking connect in progress */
    AMST_LS_WAIT_CHAL,   /* initiator: HELLO sent, waiting for CHALLENGE */
    AMST_LS_WAIT_HELLO,  /* acceptor: waiting for HELLO */
    AMST_LS_WAIT_AUTH,   /* acceptor: CHALLENGE sent, waiting for AUTH */
    AMST_LS_READY,
    AMST_LS_DRAINING,    /* initiator: no new chunks; BYE then close */
    AMST_LS_CLOSED,
} amst_lane_state_t;

/** Where the payload of the frame being received goes. */
typedef enum amst_rx_dst {
    AMST_RXD_OWN,     /* lane->rbuf (control frames, small messages) */
    AMST_RXD_DIRECT,  /* the user's buffer */
    AMST_RXD_STAGE,   /* a staging buffer owned by the rx message */
    AMST_RXD_DISCARD, /* duplicate or unwanted: read and drop */
    AMST_RXD_PENDING, /* DATA header read, destination not decided (parked) */
} amst_rx_dst_t;

/** cc_bulk "auto": start bulk lanes on cubic, move them to BBR once the path loses packets. */
void amst_lane_cc_check(amst_lane_t *l);

struct amst_lane {
    amst_iface_t *iface;
    amst_peer_t *peer;   /* initiator: the peer; acceptor: set after HELLO */
    amst_lane_t *next;   /* iface->lanes */
    int fd;
    int state;
    int kind;            /* amst_lane_kind_t */
    int initiator;
    uint16_t id;
    int remote_rank;
    uint32_t events;
    double deadline;     /* connect/handshake/drain deadline, 0 = none */
    int addr_idx;
    int parked;          /* not reading: staging limit reached */
    int killed;          /* test hook fired */
    int cc_bbr;          /* bulk lane switched to BBR after the path showed loss */
    unsigned retrans_seen; /* TCP retransmissions already looked at (amst_lane_cc_check) */
    unsigned segs_seen;  /* segments sent as of that look */
    int bye_queued;      /* draining: BYE queued */
    amst_txbuf_t *hs;    /* pending handshake frame (written before anything else) */
    uint8_t nonce_c[AMST_NONCE_LEN];
    uint8_t nonce_s[AMST_NONCE_LEN];
    /* tx: control frames, then (bulk lanes) one chunk at a time */
    amst_txbuf_t *txq_head, *txq_tail;
    amst_txmsg_t *cmsg;  /* chunk being written */
    uint32_t cidx;
    uint8_t chdr[AMST_HDR_LEN];
    size_t csent;        /* bytes of header+payload written */
    size_t clen;
    uint64_t bytes_tx;
    uint64_t paced;      /* SO_MAX_PACING_RATE set on the socket (bytes/s), 0 = never set */
    uint32_t delivered_seen; /* tcpi_delivered (segments) already counted into pba_delivered */
    /* rx */
    uint8_t rhdr[AMST_HDR_LEN];
    size_t rhdr_got;
    int in_payload;      /* header decoded, payload in progress */
    amst_frame_t rf;
    int rdst;            /* amst_rx_dst_t */
    uint8_t *rptr;       /* payload destination (not for DISCARD) */
    uint8_t *rbuf;       /* owned buffer (OWN, STAGE) */
    size_t rgot;
    uint32_t rcrc;
    amst_rxmsg_t *rmsg;
};

/** A large message being sent. */
struct amst_txmsg {
    amst_txmsg_t *next;
    amst_peer_t *peer;
    amst_iface_t *ifc;
    uint8_t *copy;        /* private copy of the payload (buffered send), or NULL */
    uint64_t msg_id;
    uint64_t total;
    uint32_t chunk;
    uint32_t nchunks;
    uint32_t next_chunk;  /* first never-sent chunk */
    int32_t *chunk_lane;  /* lane id each chunk was last written on (-1: none) */
    uint32_t *resend;     /* chunk indices to send again */
    uint32_t nresend;
    int writers;          /* lanes currently writing one of its chunks */
    int acked;
    dwct_comp_t *comp;
    struct iovec *iov;
    size_t iovcnt;
};

/** A large message being received. */
struct amst_rxmsg {
    int kind;             /* AMST_DESC_LARGE (first field of every rx desc) */
    amst_rxmsg_t *hnext;  /* hash chain */
    int src;
    uint64_t msg_id;
    uint64_t total;
    uint32_t chunk;
    uint32_t nchunks;
    uint8_t *have;        /* bitmap of received chunks */
    uint64_t got;
    int announced;
    int in_table;
    int discard;          /* upper layer does not want it */
    int failed;           /* sender's lanes died before completion */
    int complete;
    uint8_t *dest;        /* user buffer from rx_fetch */
    dwct_comp_t *fetch_comp;
    uint8_t **staged;     /* per chunk staging buffers (NULL: none) */
    int readers;          /* lanes currently reading a chunk of it */
    int fetched;          /* rx_fetch gave a destination */
    int user_done;        /* the upper layer is finished with it */
    int in_cb;            /* inside the rx callback */
    dwct_hdr_t hdr;
};

/** A kept small message. */
typedef struct amst_rxsmall {
    int kind;             /* AMST_DESC_SMALL */
    uint8_t *buf;         /* frame payload: envelope + data */
    size_t len;
    int in_cb;
    int fetched;
} amst_rxsmall_t;

#define AMST_DESC_SMALL 1
#define AMST_DESC_LARGE 2

typedef enum amst_peer_state {
    AMST_PS_IDLE,
    AMST_PS_UP,
    AMST_PS_FAILED,
} amst_peer_state_t;

struct amst_peer {
    int rank;
    int state;
    dwcs_status_t fail_status;
    struct sockaddr_in *addrs;
    int naddrs;
    int good_addr;       /* index of the address that worked, -1 unknown */
    amst_lane_t *lat;    /* outgoing latency lane (tcp1: the single lane) */
    amst_lane_t *bulk[AMST_MAX_LANES];
    int target;          /* wanted number of bulk lanes */
    uint16_t next_lane_id;
    int bulk_failures;   /* consecutive bulk lane failures without progress */
    uint64_t next_msg_id;
    amst_txmsg_t *tx_head, *tx_tail;
    /* adaptation */
    double win_start;
    uint64_t win_bytes;
    double prev_goodput;
    int last_grow;
    int last_grow_by;
    int hold;
    int settle;          /* windows to skip after a lane-count change (slow start) */
    int cc_bbr;          /* "auto" congestion control: the path showed random loss, use BBR */
    unsigned rand_loss;  /* retransmissions seen while the path had no standing queue */
    double q_peak;       /* largest queueing delay of a bulk lane in the last few RTTs */
    double q_peak_at;    /* when it was seen */
    double win_qdelay;   /* smallest queueing delay (bulk srtt - min RTT) seen in the window */
    /* bandwidth forecast and pacing (amst_pba.c) */
    dwct_pba_t pba;
    uint64_t pba_delivered; /* payload bytes acknowledged on all bulk lanes so far */
    int pba_limited;     /* the sender ran out of chunks during the current interval */
    int pba_busy_ivs;    /* whole intervals in a row the sender was busy */
    int pba_sustained;   /* PBA_SUSTAINED_IVS such intervals: the lanes may be paced */
    unsigned pba_small;  /* small messages sent or received in the current interval */
    double pba_inter_until; /* small messages share the path until then: pace the bulk lanes */
    int pba_inter;       /* now < pba_inter_until (as of the last interval) */
    /* receive side */
    amst_lane_t *in_lat; /* accepted latency lane from this peer: acks go back on it */
    uint64_t done_floor; /* all large message ids <= this are complete */
    int rx_lost;         /* the sender's lanes died: its next ANNOUNCE starts a new id range */
    uint64_t *done_set;
    size_t ndone, capdone;
};

#define AMST_RX_BUCKETS 1024

struct amst_iface {
    amst_config_t cfg;
    int tcp1;
    int rank;
    int size;
    dwct_bootstrap_t boot;
    dwct_rx_cb_t rx_cb;
    void *rx_arg;
    amst_key_t key;
    int epfd;
    int lfd;
    uint16_t port;
    amst_peer_t **peers;
    amst_lane_t *lanes;
    amst_rxmsg_t *rx_table[AMST_RX_BUCKETS];
    size_t staged_bytes;
    int nparked;
    uint64_t bulk_bytes;  /* for the test hook */
    int kill_done;
    uint64_t resent_chunks; /* chunks queued again after a lane loss (statistics) */
    size_t copy_bytes;      /* payload bytes held in buffered-send copies now */
    uint64_t copied_sends;  /* large sends completed at once from a copy (statistics) */
    unsigned adapt_grows;   /* lane-count increases (statistics) */
    unsigned adapt_shrinks; /* lane-count decreases (statistics) */
    unsigned adapt_queue_holds; /* windows a standing queue kept the lane count (statistics) */
    /* deferred completions */
    struct {
        dwct_comp_t *comp;
        dwcs_status_t st;
    } *compq;
    size_t ncomp, capcomp;
    double last_timer;
    uint8_t *scratch;
    dwct_comp_t written_marker; /* see amst_sendv */
    int written_now;
};

/* amst_iface.c */
double amst_now(void);
void amst_comp_defer(amst_iface_t *ifc, dwct_comp_t *comp, dwcs_status_t st);
void amst_lane_events(amst_lane_t *l, uint32_t events);

/* amst_conn.c */
/** A non-blocking connect finished (EPOLLOUT): check it, try the next address, or send HELLO. */
void amst_lane_connected(amst_lane_t *l);
/** A handshake frame arrived (payload @p pl). Returns 0 to continue, -1 if the lane closed. */
int amst_lane_handshake(amst_lane_t *l, const uint8_t *pl);

/** Outgoing bulk lane just authenticated: size its SO_SNDBUF to the path (amst_sockbuf_auto). */
void amst_lane_size_buffers(amst_lane_t *l);

/* amst_lane.c */
amst_lane_t *amst_lane_open(amst_iface_t *ifc, amst_peer_t *p, int kind);
amst_lane_t *amst_lane_accept(amst_iface_t *ifc, int fd);
void amst_lane_fail(amst_lane_t *l, dwcs_status_t st, const char *why);
void amst_lane_close(amst_lane_t *l);
void amst_lane_handle(amst_lane_t *l, uint32_t ev);
void amst_lane_timer(amst_lane_t *l, double now);
void amst_lane_push(amst_lane_t *l, amst_txbuf_t *b);
void amst_lane_write(amst_lane_t *l);
void amst_lane_read(amst_lane_t *l);
amst_txbuf_t *amst_txbuf_frame(const amst_frame_t *f, const void *pre, size_t prelen,
                               const struct iovec *iov, size_t iovcnt);

/* amst_tx.c */
amst_peer_t *amst_peer_get(amst_iface_t *ifc, int rank);
dwcs_status_t amst_peer_connect(amst_iface_t *ifc, amst_peer_t *p);
void amst_peer_fail(amst_peer_t *p, dwcs_status_t st);
void amst_peer_kick(amst_peer_t *p);
int amst_tx_next_chunk(amst_lane_t *l);
void amst_tx_chunk_done(amst_lane_t *l);
void amst_tx_lane_lost(amst_lane_t *l);
void amst_tx_ack(amst_peer_t *p, uint64_t msg_id);
/* Queueing delay the bulk lanes of @p p see now, in seconds: their mean smoothed RTT minus the
 * smallest RTT any lane to the peer has seen (the propagation delay); -1 if no bulk lane has
 * data in flight. */
double amst_pba_qdelay(amst_peer_t *p);
/* The smallest queueing delay seen over a window, @p qdelay_min seconds, shows a queue that
 * stood the whole window on a path of round trip @p rtt (over 10% of it, at least 2 ms). */
int amst_queue_standing(double qdelay_min, double rtt);
/* @p fresh retransmissions among the @p sent segments since the lane's previous losses, with
 * a queueing delay of at most @p qdelay in the last few RTTs (-1: unknown) on a path of min RTT
 * @p min_rtt, look like random loss on the path: sparse, and with no queue building up.
 * Overflow of the bottleneck queue by the lanes themselves shows as a standing queue or as a
 * burst of losses (slow start overshooting). */
int amst_loss_random(unsigned fresh, unsigned sent, double qdelay, double min_rtt);
/* What a lane's TCP_INFO says about loss and queueing. */
typedef struct amst_lane_loss {
    unsigned retrans;  /* retransmitted segments so far */
    unsigned segs_out; /* segments sent so far (retransmissions included) */
    double qdelay;     /* smoothed RTT - min RTT in seconds (-1: unknown) */
    double min_rtt;    /* seconds (0: unknown) */
} amst_lane_loss_t;
/* Fill @p li from @p l's TCP_INFO; 0 if it is not available. */
int amst_lane_loss_info(const amst_lane_t *l, amst_lane_loss_t *li);
void amst_tx_adapt(amst_peer_t *p, double now);
int amst_tx_idle(amst_iface_t *ifc);
/** Non-zero if @p p has chunks not yet handed to a lane. */
int amst_tx_backlog(const amst_peer_t *p);
dwcs_status_t amst_sendv(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr,
                         const struct iovec *iov, size_t iovcnt, dwct_comp_t *comp);
dwcs_status_t amst_send(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr, const void *buf,
                        size_t len, dwct_comp_t *comp);

/* amst_pba.c */
/** Start @p p's bandwidth estimator with the iface's parameters. */
void amst_pba_peer_init(amst_iface_t *ifc, amst_peer_t *p);
/** Timer tick: sample the bulk lanes at the end of each interval and re-pace them. */
void amst_pba_tick(amst_peer_t *p, double now);
/** Set SO_MAX_PACING_RATE on @p p's ready bulk lanes: amst_rate_limit or the PBA rate, split
 *  evenly over the lanes. */
void amst_tx_pacing(amst_peer_t *p);
/** Non-zero if PBA paces @p p (cruising) and @p goodput (bytes/s) is close to the pacing rate:
 *  more bulk lanes cannot help. */
int amst_pba_pacing_limited(const amst_peer_t *p, double goodput);
/** A bulk lane became ready: with PBA, bound its unsent bytes (TCP_NOTSENT_LOWAT). */
void amst_pba_lane_ready(amst_lane_t *l);
/** With amst_pba_report: print one "PBA ..." line per peer to stderr. */
void amst_pba_report(amst_iface_t *ifc);

/* amst_rx.c */
int amst_rx_data_begin(amst_lane_t *l);
void amst_rx_data_end(amst_lane_t *l, int ok);
void amst_rx_announce(amst_lane_t *l, const uint8_t *env);
void amst_rx_small(amst_lane_t *l);
void amst_rx_peer_lost(amst_iface_t *ifc, int src);
void amst_rx_unpark(amst_iface_t *ifc);
void amst_rx_free_all(amst_iface_t *ifc);
dwcs_status_t amst_rx_fetch(dwct_iface_t *iface, dwct_rx_t *rx, void *buf, size_t len,
                            dwct_comp_t *comp);
void amst_rx_release(dwct_iface_t *iface, dwct_rx_t *rx);

#endif /* AMST_INTERNAL_H */
