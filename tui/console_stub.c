/* Stand-in until the full-screen console lands: prints the status table. */
#include "tui/cmd.h"

extern const struct cmd_entry cmd_status_entry;
int console_main(const struct cmd_globals *g);

int console_main(const struct cmd_globals *g)
{
	char *argv[] = {"status", NULL};
	return cmd_status_entry.exec(g, 1, argv);
}
