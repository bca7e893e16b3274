/* Line mode's side of the operations layer (core/ops.h): a session over
 * the command's catalog and config, whose events print to standard error
 * (notes as "drconsole: warning: ...", progress as one line rewritten in
 * place on a terminal) and whose questions are unanswered. */
#ifndef DR_TUI_CLI_OPS_H
#define DR_TUI_CLI_OPS_H

#include "core/ops.h"
#include "tui/cmd.h"

struct ops_session cli_session(const struct cmd_globals *g, struct catalog *cat,
                               const struct config *cfg);

#endif
