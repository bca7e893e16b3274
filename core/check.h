/* `drconsole check` in the form the monitoring-plugins guidelines ask for
 * (Nagios, Icinga, Naemon, Sensu):
 *
 *   DRCONSOLE BREACH - 1 breach, 1 at risk, 10 ok of 12 services; worst:
 *   ledger-db: RPO breached ... | 'ledger-db rpo_age'=12867s;240;300;0 ...
 *   BREACH ledger-db: RPO breached ...
 *   AT RISK search-index: RPO at risk ...
 *
 * First line: "DRCONSOLE", the verdict (OK, AT RISK, BREACH, or UNKNOWN),
 * " - " and what it stands on; after "|" the performance data, one
 * 'NAME rpo_age'=AGEs;WARN;CRIT;0 per service, WARN and CRIT the at-risk
 * fraction (80 %) and the whole of its RPO target (empty without a target;
 * the value U when there is no recovery point).  Then one line per service
 * that is not OK, worst first.  The state is the exit code: 0 OK, 1
 * WARNING (AT RISK), 2 CRITICAL (BREACH), 3 UNKNOWN. */
#ifndef DR_CHECK_H
#define DR_CHECK_H

#include "core/compliance.h"

enum check_state {
	CHECK_OK = 0,
	CHECK_WARNING = 1,  /* AT RISK */
	CHECK_CRITICAL = 2, /* BREACH */
	CHECK_UNKNOWN = 3,
};

/* The plugin output of report (services in its order: sort it worst first)
 * for every service, or only the service named `only` (NULL: all).
 * Returns the state and sets *text (malloc'd, ends with a newline); a
 * report without services, or without `only`, is UNKNOWN. */
enum check_state check_format(const struct compliance_report *report,
                              const struct compliance_policy *policy,
                              const char *only, const char *catalog,
                              char **text);

/* "DRCONSOLE UNKNOWN - why\n" (malloc'd). */
char *check_unknown(const char *why);

#endif
