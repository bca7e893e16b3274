/* A service's page: everything the console knows about one service on one
 * screen, each figure beside the evidence it stands on (docs/EVIDENCE.md):
 * the verdict and its whole reason, the newest good backup, the restore
 * test or drill behind the RTO estimate, the replica pair behind the lag
 * and its last hour, the probes, the last failures with their error text,
 * and the runbooks for the service with the suggested one first.
 *
 * Any view opens it (Enter on a row that names a service, via
 * view_open_service); the console draws it over the body and hands it the
 * keys until it closes.  It reads the catalog when it opens and again when
 * the data changes; it never writes. */
#ifndef DR_SERVICE_PAGE_H
#define DR_SERVICE_PAGE_H

#include "tui/view.h"

struct service_page;

/* NULL when the report has no such service (a message is set). */
struct service_page *service_page_open(struct view_ctx *ctx,
                                       const char *service);
void service_page_free(struct service_page *p);
void service_page_reload(struct service_page *p, struct view_ctx *ctx);
void service_page_draw(struct service_page *p, struct view_ctx *ctx,
                       WINDOW *win, struct view_rect r);
/* VIEW_* bits; SERVICE_PAGE_CLOSE when the page is done (the key may have
 * set ctx->switch_to to go on to another view). */
#define SERVICE_PAGE_CLOSE (1u << 8)
unsigned service_page_key(struct service_page *p, struct view_ctx *ctx,
                          int key);
/* The runbook suggested for the service: the failover runbook its probes
 * name in the config, else the first runbook that lists the service; ""
 * when none. */
void service_page_suggested(const struct view_ctx *ctx, const char *service,
                            char *out, size_t size);

#endif
