/* `completion bash`: a completion script made from the command table, so
 * it knows every command, sub-command and option the parser does. */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "tui/cmd.h"

static int completion_exec(const struct cmd_globals *g, int argc, char **argv)
{
	const struct cli_args *args;

	(void)g;
	if (argc < 2 || strcmp(argv[1], "bash") != 0) {
		cli_error("completion: expected 'bash'");
		return DR_EXIT_USAGE;
	}
	args = cli_parse(&cmd_completion_entry, "bash", argc - 1, argv + 1);
	if (args == NULL)
		return DR_EXIT_USAGE;
	if (args->n_operands > 0) {
		cli_error("completion bash: unexpected argument '%s'",
		          args->operands[0]);
		return DR_EXIT_USAGE;
	}
	cli_completion_bash(stdout, cmd_table);
	return DR_EXIT_OK;
}

static const struct cmd_sub completion_subs[] = {
    {"bash", NULL},
    {NULL, NULL},
};

const struct cmd_entry cmd_completion_entry = {
    .name = "completion",
    .usage = "bash",
    .summary = "print a bash completion script",
    .help = "Prints a script that completes drconsole's commands, their "
            "sub-commands and\noptions, and file names for the options that "
            "take a file.  Installed by\n'make install' as "
            "share/bash-completion/completions/drconsole; or load it\nwith: "
            "source <(drconsole completion bash)\n",
    .exec = completion_exec,
    .subs = completion_subs,
};
