/* What the line-mode commands share: finding and loading the config,
 * finding and opening the catalog, and how errors and usage are printed. */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/config.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/safe_text.h"
#include "core/xmalloc.h"
#include "tui/cmd.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("drconsole: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* 1 when s is valid UTF-8; else 0 with *bad (if given) the offset of the
 * first byte that is not. */
static int utf8_check(const char *s, size_t *bad)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		size_t n = (unsigned char)s[i] < 0x80
		               ? 1
		               : safe_utf8_len(s + i, len - i);
		if (n == 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += n;
	}
	return 1;
}

/* The printable ASCII of s, the rest as '?', in a static buffer. */
static const char *safe_ascii(const char *s)
{
	static char buf[48];
	size_t i;

	for (i = 0; s[i] != '\0' && i < 40; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	fputs("drconsole: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Flags whose values are prose, where a line break or a tab is text. */
static int multiline_flag(const char *arg)
{
	static const char *const flags[] = {"--notes", "--lessons", "--reason",
	                                    "--metadata", NULL};
	for (size_t i = 0; flags[i] != NULL; i++) {
		size_t n = strlen(flags[i]);
		if (strncmp(arg, flags[i], n) == 0 &&
		    (arg[n] == '\0' || arg[n] == '='))
			return 1;
	}
	return 0;
}

int cli_args_check(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int prose = multiline_flag(a) ||
		            (i > 1 && multiline_flag(argv[i - 1]) &&
		             strchr(argv[i - 1], '=') == NULL);
		if (!utf8_check(a, NULL)) {
			size_t at = 0;
			utf8_check(a, &at);
			cli_error("argument %d (\"%.40s%s\"): invalid UTF-8 at "
			          "byte %zu (0x%02x); nothing was done",
			          i, safe_ascii(a), strlen(a) > 40 ? "..." : "",
			          at + 1, (unsigned char)a[at]);
			return -1;
		}
		for (const char *p = a; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;
			/* U+0080..U+009F: C1 controls (0xC2 0x80-0x9F). */
			if (c == 0xc2 && (unsigned char)p[1] >= 0x80 &&
			    (unsigned char)p[1] <= 0x9f) {
				cli_error(
				    "argument %d: control character "
				    "U+%04X at byte %zu; nothing was done",
				    i, (unsigned char)p[1],
				    (size_t)(p - a) + 1);
				return -1;
			}
			if ((c < 0x20 || c == 0x7f) &&
			    !(prose && (c == '\n' || c == '\t'))) {
				cli_error(
				    "argument %d: control character 0x%02x "
				    "at byte %zu%s; nothing was done",
				    i, c, (size_t)(p - a) + 1,
				    c == '\n' ? " (a line break belongs only "
				                "in --notes, --lessons or "
				                "--reason)"
				              : "");
				return -1;
			}
		}
	}
	return 0;
}

void cli_usage(const struct cmd_entry *cmd, FILE *out)
{
	fprintf(out, "usage: drconsole %s %s\n\n%s\n", cmd->name, cmd->usage,
	        cmd->summary);
	if (cmd->help != NULL && cmd->help[0] != '\0')
		fprintf(out, "\n%s", cmd->help);
	fprintf(out, "\nSee drconsole(1).\n");
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

struct config *cli_config(const struct cmd_globals *g)
{
	struct config *cfg = NULL;
	char *err = NULL;
	if (config_load(g->config, &cfg, &err) != DR_OK) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return NULL;
	}
	return cfg;
}

static char *default_catalog_path(void)
{
	char *dir = config_data_dir();
	char *path = xasprintf("%s/catalog.db", dir);

	free(dir);
	return path;
}

char *cli_catalog_path(const struct cmd_globals *g, const struct config *cfg)
{
	if (g->catalog != NULL)
		return xstrdup(g->catalog);
	const char *env = getenv("DRCONSOLE_CATALOG");
	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	if (cfg != NULL && cfg->catalog != NULL)
		return xstrdup(cfg->catalog);
	return default_catalog_path();
}

/* A catalog others can read holds the whole estate's recovery plan and
 * its audit trail; one others can write can be made to lie.  Group read
 * (0640, for a read-only group) is the documented way to share it. */
static void warn_loose_catalog(const char *where)
{
	struct stat st;
	char *copy, *dir;

	if (stat(where, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 0027) != 0)
		cli_warn("catalog %s has mode %04o: %s; chmod 600 %s (or "
		         "640 for a read-only group, see drconsole(1) "
		         "FILES)",
		         where, (unsigned)(st.st_mode & 07777),
		         (st.st_mode & 0022) ? "others can change it"
		                             : "everyone can read it",
		         where);
	copy = xstrdup(where);
	dir = dirname(copy);
	if (stat(dir, &st) == 0 && (st.st_mode & 0022) != 0 &&
	    !(st.st_mode & S_ISVTX))
		cli_warn("the catalog's directory %s has mode %04o: others "
		         "can replace the catalog; chmod go-w %s",
		         dir, (unsigned)(st.st_mode & 07777), dir);
	free(copy);
}

/* SQLite says "unable to open database file" when it cannot make the
 * -wal or -shm file; the operator needs to hear why. */
static void explain_unwritable(const char *where, char **err)
{
	char *copy = xstrdup(where), *dir = dirname(copy);
	char *why = NULL;

	if (access(where, W_OK) != 0)
		why = xasprintf("catalog %s cannot be written: %s", where,
		                strerror(errno));
	else if (access(dir, W_OK) != 0)
		why = xasprintf("catalog %s cannot be written: its directory "
		                "%s: %s",
		                where, dir, strerror(errno));
	free(copy);
	if (why != NULL) {
		free(*err);
		*err = why;
	}
}

struct catalog *cli_open_catalog(const struct cmd_globals *g,
                                 const struct config *cfg, int flags, int *rc)
{
	char *where = cli_catalog_path(g, cfg);
	char *dflt = default_catalog_path();
	struct catalog *cat = NULL;
	char *err = NULL;
	struct stat st;

	/* The default catalog springs into being on first use, so that the
	 * console opens on a fresh machine; a catalog named by hand must
	 * exist unless the command creates one. */
	if ((flags & CLI_WRITE) && g->read_only) {
		cli_error("refused: the console is read-only (--read-only or "
		          "--wall); nothing was changed");
		*rc = DR_EXIT_FAIL;
		goto out;
	}
	int writes = (flags & CLI_WRITE) != 0;
	int check = (flags & CLI_CHECK) != 0;
	flags &= ~(CLI_WRITE | CLI_CHECK);
	if (strcmp(where, dflt) == 0 && !(flags & CATALOG_READONLY))
		flags |= CATALOG_CREATE;
	if (g->read_only) {
		flags |= CATALOG_READONLY;
		flags &= ~CATALOG_CREATE;
	}
	if (!(flags & CATALOG_CREATE) && strstr(where, "://") == NULL &&
	    stat(where, &st) != 0) {
		cli_error("no catalog at %s (%s); create one with 'drconsole "
		          "init' or 'drconsole demo'",
		          where, strerror(errno));
		*rc = DR_EXIT_FAIL;
		goto out;
	}
	int status = catalog_open(where, flags, &cat, &err);
	if (status == CATALOG_EIO && !(flags & CATALOG_READONLY) &&
	    strstr(where, "://") == NULL)
		explain_unwritable(where, &err);
	if (status == CATALOG_EIO && !writes && !(flags & CATALOG_READONLY) &&
	    strstr(where, "://") == NULL) {
		/* A command that only reads still shows the last data when
		 * the disk is full or the file system read-only. */
		char *why = err;
		err = NULL;
		status = catalog_open(where, CATALOG_READONLY, &cat, &err);
		const char *w = why ? why : "the catalog cannot be written";
		if (status == CATALOG_OK && strstr(w, "Permission denied"))
			cli_warn("%s; showing it read-only", w);
		else if (status == CATALOG_OK &&
		         strstr(w, "Read-only file system"))
			cli_warn("%s; showing it read-only.  Nothing can be "
			         "recorded until it is mounted read-write",
			         w);
		else if (status == CATALOG_OK)
			cli_warn("%s; showing it read-only.  Free space on "
			         "its disk (df -h %s) before anything can be "
			         "recorded",
			         w, where);
		free(why);
	}
	if (status != CATALOG_OK) {
		cli_error("%s", err ? err : "cannot open the catalog");
		if (err != NULL && (strstr(err, "No space left") != NULL ||
		                    strstr(err, "disk is full") != NULL))
			cli_error("the disk holding %s is full: free space "
			          "there (df -h %s); nothing was recorded",
			          where, where);
		/* Not a catalog, an empty or a damaged one: the input is
		 * wrong, nothing was done. */
		*rc = status == CATALOG_EINVAL || status == CATALOG_ECORRUPT
		          ? DR_EXIT_USAGE
		          : DR_EXIT_FAIL;
		cat = NULL;
		goto out;
	}
	if (check && catalog_check_integrity(cat, &err) != CATALOG_OK) {
		if (err != NULL && strncmp(err, "catalog ", 8) == 0)
			cli_error("%s", err);
		else
			cli_error("catalog %s is damaged: %s", where,
			          err ? err : "its pages do not read back");
		cli_error(
		    "nothing was written.  Recover what is left into a new "
		    "file with: sqlite3 %s '.recover' | sqlite3 NEW.db, "
		    "then check it with 'drconsole --catalog NEW.db audit "
		    "verify'",
		    where);
		catalog_close(cat);
		cat = NULL;
		*rc = DR_EXIT_USAGE;
		goto out;
	}
	if (catalog_notice(cat) != NULL)
		cli_warn("catalog %s %s", where, catalog_notice(cat));
	if (writes && strstr(where, "://") == NULL)
		warn_loose_catalog(where);
	audit_attach(cat);
	if (cfg != NULL && cfg->audit_key_file != NULL && !audit_keyed() &&
	    audit_use_key_file(cfg->audit_key_file, &err) != DR_OK) {
		cli_error("%s", err);
		free(err);
		err = NULL;
		catalog_close(cat);
		cat = NULL;
		*rc = DR_EXIT_USAGE;
		goto out;
	}
	*rc = DR_EXIT_OK;
out:
	free(err);
	free(dflt);
	free(where);
	return cat;
}

/* ---- the one option parser ------------------------------------------ */

enum {
	GLOBAL_CATALOG = 1,
	GLOBAL_CONFIG,
	GLOBAL_THEME,
	GLOBAL_READ_ONLY,
	GLOBAL_WALL,
	GLOBAL_CYCLE,
	GLOBAL_STALE_AFTER,
	GLOBAL_ASCII,
};

const struct cmd_option cli_global_options[] = {
    {"catalog", GLOBAL_CATALOG, 0, CMD_OPT_FILE},
    {"config", GLOBAL_CONFIG, 0, CMD_OPT_FILE},
    {"theme", GLOBAL_THEME, 0, CMD_OPT_FILE},
    {"read-only", GLOBAL_READ_ONLY, 0, 0},
    {"wall", GLOBAL_WALL, 0, 0},
    {"cycle", GLOBAL_CYCLE, 0, CMD_OPT_VALUE},
    {"stale-after", GLOBAL_STALE_AFTER, 0, CMD_OPT_VALUE},
    {"ascii", GLOBAL_ASCII, 0, 0},
    {NULL, 0, 0, 0},
};

static const struct cmd_option no_options[] = {{NULL, 0, 0, 0}};

static int takes_value(const struct cmd_option *o)
{
	return (o->flags & (CMD_OPT_VALUE | CMD_OPT_FILE)) != 0;
}

static const struct cmd_option *find_long(const struct cmd_option *table,
                                          const char *name, size_t len)
{
	for (; table != NULL && table->name != NULL; table++)
		if (strlen(table->name) == len &&
		    strncmp(table->name, name, len) == 0)
			return table;
	return NULL;
}

static const struct cmd_option *find_short(const struct cmd_option *table,
                                           char letter)
{
	for (; table != NULL && table->name != NULL; table++)
		if (table->letter != 0 && table->letter == letter)
			return table;
	return NULL;
}

/* The options that follow sub (or the command itself). */
static const struct cmd_option *options_of(const struct cmd_entry *cmd,
                                           const char *sub)
{
	if (sub != NULL && cmd->subs != NULL)
		for (const struct cmd_sub *s = cmd->subs; s->name != NULL; s++)
			if (strcmp(s->name, sub) == 0)
				return s->options ? s->options : no_options;
	return cmd->options ? cmd->options : no_options;
}

/* One way to say every mistake in options: what and where, then the
 * command's usage. */
static void option_error(const struct cmd_entry *cmd, const char *sub,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void option_error(const struct cmd_entry *cmd, const char *sub,
                         const char *fmt, ...)
{
	va_list ap;
	fputs("drconsole: ", stderr);
	if (cmd != NULL)
		fprintf(stderr, "%s%s%s: ", cmd->name, sub ? " " : "",
		        sub ? sub : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd != NULL)
		fprintf(stderr,
		        "usage: drconsole %s %s\nTry 'drconsole %s --help'.\n",
		        cmd->name, cmd->usage, cmd->name);
	else
		fputs("Try 'drconsole --help'.\n", stderr);
}

/* The option at argv[*i] (it starts with '-' and is neither "-" nor
 * "--"), looked up in opts and then the global options; *i moves past it
 * and its value.  0, or -1 after option_error. */
static int read_option(const struct cmd_entry *cmd, const char *sub,
                       const struct cmd_option *opts, int argc, char **argv,
                       int *i, const struct cmd_option **found,
                       const char **value, int *global)
{
	const char *a = argv[*i];
	const struct cmd_option *o;
	char shown[8];

	*value = NULL;
	*global = 0;
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		o = find_long(opts, name, len);
		if (o == NULL &&
		    (o = find_long(cli_global_options, name, len)) != NULL)
			*global = 1;
		if (o == NULL) {
			option_error(cmd, sub, "unrecognized option '%.*s'",
			             (int)(len > 40 ? 42 : len + 2), a);
			return -1;
		}
		if (eq != NULL && !takes_value(o)) {
			option_error(cmd, sub,
			             "option '--%s' doesn't allow an argument",
			             o->name);
			return -1;
		}
		if (eq != NULL)
			*value = eq + 1;
		snprintf(shown, sizeof shown, "--");
	} else {
		o = find_short(opts, a[1]);
		if (o == NULL || (a[2] != '\0' && !takes_value(o))) {
			option_error(cmd, sub, "unrecognized option '%.40s'",
			             a);
			return -1;
		}
		if (a[2] != '\0')
			*value = a + 2;
		snprintf(shown, sizeof shown, "-%c", a[1]);
	}
	(*i)++;
	if (takes_value(o) && *value == NULL) {
		if (*i >= argc) {
			if (shown[1] == '-')
				option_error(
				    cmd, sub,
				    "option '--%s' requires an argument",
				    o->name);
			else
				option_error(
				    cmd, sub,
				    "option '%s' (--%s) requires an argument",
				    shown, o->name);
			return -1;
		}
		*value = argv[(*i)++];
	}
	*found = o;
	return 0;
}

static int global_set(struct cmd_globals *g, const struct cmd_option *o,
                      const char *value)
{
	char *err = NULL;
	int64_t secs;

	switch (o->id) {
	case GLOBAL_CATALOG:
		g->catalog = value;
		break;
	case GLOBAL_CONFIG:
		g->config = value;
		break;
	case GLOBAL_THEME:
		g->theme = value;
		break;
	case GLOBAL_READ_ONLY:
		g->read_only = 1;
		break;
	case GLOBAL_WALL:
		g->wall = 1;
		g->read_only = 1;
		break;
	case GLOBAL_CYCLE:
		if (duration_parse(value, &secs, &err) != DR_OK || secs < 1 ||
		    secs > 3600) {
			cli_error("--cycle: %s",
			          err ? err : "expected 1s to 1h, e.g. 15s");
			free(err);
			return -1;
		}
		g->cycle_s = (int)secs;
		break;
	case GLOBAL_STALE_AFTER:
		if (duration_parse(value, &secs, &err) != DR_OK || secs < 1) {
			cli_error("--stale-after: %s",
			          err ? err
			              : "expected a duration such as 10m");
			free(err);
			return -1;
		}
		g->stale_after_s = secs;
		break;
	case GLOBAL_ASCII:
		g->ascii = 1;
		break;
	}
	return 0;
}

/* cli_global, its messages naming cmd (NULL: before any command). */
static int global_at(const struct cmd_entry *cmd, int argc, char **argv, int *i,
                     struct cmd_globals *g)
{
	const char *a = argv[*i];
	const struct cmd_option *o;
	const char *value;
	int global;

	if (strncmp(a, "--", 2) != 0 ||
	    find_long(cli_global_options, a + 2, strcspn(a + 2, "=")) == NULL)
		return 0;
	if (read_option(cmd, NULL, no_options, argc, argv, i, &o, &value,
	                &global) != 0 ||
	    global_set(g, o, value) != 0)
		return -1;
	return 1;
}

int cli_global(int argc, char **argv, int *i, struct cmd_globals *g)
{
	return global_at(NULL, argc, argv, i, g);
}

int cli_prepare(const struct cmd_entry *cmd, int argc, char **argv,
                struct cmd_globals *g, int *nargc, char ***nargv)
{
	char **out = xcalloc((size_t)argc + 1, sizeof *out);
	const char *sub = NULL;
	int n = 0, i = 1, r, operands_only = 0;

	out[n++] = argv[0];
	while (cmd->subs != NULL && i < argc &&
	       (r = global_at(cmd, argc, argv, &i, g)) != 0)
		if (r < 0)
			goto usage;
	if (cmd->subs != NULL && i < argc)
		for (const struct cmd_sub *s = cmd->subs; s->name != NULL; s++)
			if (strcmp(s->name, argv[i]) == 0) {
				sub = s->name;
				out[n++] = argv[i++];
				break;
			}
	const struct cmd_option *opts = options_of(cmd, sub);
	while (i < argc) {
		const char *a = argv[i];
		if (operands_only || a[0] != '-' || a[1] == '\0') {
			out[n++] = argv[i++];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			operands_only = 1;
			out[n++] = argv[i++];
			continue;
		}
		const struct cmd_option *o;
		const char *value;
		int global, start = i;
		if (read_option(cmd, sub, opts, argc, argv, &i, &o, &value,
		                &global) != 0)
			goto usage;
		if (global && global_set(g, o, value) != 0)
			goto usage;
		for (int j = start; !global && j < i; j++)
			out[n++] = argv[j];
	}
	out[n] = NULL;
	*nargc = n;
	*nargv = out;
	return DR_EXIT_OK;
usage:
	free(out);
	return DR_EXIT_USAGE;
}

/* The last parse; reachable until the next. */
static struct {
	struct cli_opt *opts;
	char **operands;
	struct cli_args args;
} parsed;

const struct cli_args *cli_parse(const struct cmd_entry *cmd, const char *sub,
                                 int argc, char **argv)
{
	const struct cmd_option *opts = options_of(cmd, sub);
	size_t n_opts = 0;
	int n_operands = 0, operands_only = 0;

	free(parsed.opts);
	free(parsed.operands);
	parsed.opts = xcalloc((size_t)argc + 1, sizeof *parsed.opts);
	parsed.operands = xcalloc((size_t)argc + 2, sizeof *parsed.operands);
	parsed.operands[0] = argv[0];
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (operands_only || a[0] != '-' || a[1] == '\0') {
			parsed.operands[1 + n_operands++] = argv[i++];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			operands_only = 1;
			i++;
			continue;
		}
		const struct cmd_option *o;
		const char *value;
		int global;
		if (read_option(cmd, sub, opts, argc, argv, &i, &o, &value,
		                &global) != 0)
			return NULL;
		if (!global)
			parsed.opts[n_opts++] =
			    (struct cli_opt){.id = o->id, .value = value};
	}
	parsed.args = (struct cli_args){.opts = parsed.opts,
	                                .n_opts = n_opts,
	                                .operands = parsed.operands + 1,
	                                .n_operands = n_operands,
	                                .argv = parsed.operands,
	                                .argc = n_operands + 1};
	return &parsed.args;
}

/* ---- bash completion, from the same tables ---------------------------- */

enum { WORDS_ALL, WORDS_VALUE, WORDS_FILE };

/* The options of table that are of kind `which`, as shell words. */
static void print_option_words(FILE *out, const struct cmd_option *table,
                               int which)
{
	for (; table != NULL && table->name != NULL; table++) {
		if ((which == WORDS_VALUE && !takes_value(table)) ||
		    (which == WORDS_FILE && !(table->flags & CMD_OPT_FILE)))
			continue;
		fprintf(out, " --%s", table->name);
		if (table->letter != 0 && which != WORDS_ALL)
			fprintf(out, " -%c", table->letter);
	}
}

/* The number of options of table that are of kind `which`. */
static int count_option_words(const struct cmd_option *table, int which)
{
	int n = 0;
	for (; table != NULL && table->name != NULL; table++)
		n += which == WORDS_ALL ||
		     (which == WORDS_VALUE && takes_value(table)) ||
		     (which == WORDS_FILE && (table->flags & CMD_OPT_FILE));
	return n;
}

static void print_spec_arm(FILE *out, const char *pattern,
                           const struct cmd_option *options,
                           const struct cmd_sub *subs)
{
	static const char *const vars[] = {"_dr_opts", "_dr_vals", "_dr_files"};
	fprintf(out, "\t%s)", pattern);
	if (subs != NULL && subs->name != NULL) {
		fputs(" _dr_subs='", out);
		for (const struct cmd_sub *s = subs; s->name != NULL; s++)
			fprintf(out, "%s%s", s == subs ? "" : " ", s->name);
		fputc('\'', out);
	}
	for (int which = WORDS_ALL; which <= WORDS_FILE; which++) {
		if (count_option_words(options, which) == 0)
			continue;
		fprintf(out, " %s='", vars[which]);
		print_option_words(out, options, which);
		fputc('\'', out);
	}
	fputs(" ;;\n", out);
}

void cli_completion_bash(FILE *out, const struct cmd_entry *const *table)
{
	fputs("# bash completion for drconsole, written by `drconsole "
	      "completion bash`\n"
	      "# from the tables its option parser reads.\n"
	      "\n"
	      "# Command $1, sub-command $2: its sub-commands, options, "
	      "those that take\n"
	      "# a value and those whose value is a file.\n"
	      "_drconsole_spec()\n{\n"
	      "\t_dr_subs= _dr_opts= _dr_vals= _dr_files=\n"
	      "\tcase \"$1/$2\" in\n",
	      out);
	for (size_t i = 0; table[i] != NULL; i++) {
		const struct cmd_entry *c = table[i];
		char pattern[96];
		for (const struct cmd_sub *s = c->subs;
		     s != NULL && s->name != NULL; s++) {
			snprintf(pattern, sizeof pattern, "%s/%s", c->name,
			         s->name);
			print_spec_arm(out, pattern, s->options, NULL);
		}
		snprintf(pattern, sizeof pattern, "%s/*", c->name);
		print_spec_arm(out, pattern, c->options, c->subs);
	}
	fputs("\tesac\n\t_dr_opts=\"$_dr_opts --help", out);
	print_option_words(out, cli_global_options, WORDS_ALL);
	fputs("\"\n\t_dr_vals=\"$_dr_vals", out);
	print_option_words(out, cli_global_options, WORDS_VALUE);
	fputs("\"\n\t_dr_files=\"$_dr_files", out);
	print_option_words(out, cli_global_options, WORDS_FILE);
	fputs("\"\n}\n\n", out);
	fputs("_drconsole()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= w cmd= sub= "
	      "i=1 n=0 ended=0\n"
	      "\t[ \"$COMP_CWORD\" -gt 0 ] && "
	      "prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\t# --opt=VALUE: bash makes '=' a word of its own.\n"
	      "\tif [ \"$cur\" = = ]; then\n"
	      "\t\tcur=\n"
	      "\telif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -gt 1 ]; then\n"
	      "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
	      "\tfi\n"
	      "\t# The command, its sub-command (the first word after it), "
	      "and how many\n"
	      "\t# operands; option values are skipped.\n"
	      "\twhile [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
	      "\t\tw=${COMP_WORDS[i]}\n"
	      "\t\t_drconsole_spec \"$cmd\" \"$sub\"\n"
	      "\t\tif [ \"$ended\" = 0 ] && [ \"$w\" = -- ]; then\n"
	      "\t\t\tended=1\n"
	      "\t\telif [ \"$ended\" = 0 ] && [[ $w == -?* ]]; then\n"
	      "\t\t\tif [ \"${COMP_WORDS[i+1]}\" = = ]; then\n"
	      "\t\t\t\ti=$((i + 2))\n"
	      "\t\t\telif [[ \" $_dr_vals \" == *\" $w \"* ]]; then\n"
	      "\t\t\t\ti=$((i + 1))\n"
	      "\t\t\tfi\n"
	      "\t\telif [ -z \"$cmd\" ]; then\n"
	      "\t\t\tcmd=$w\n"
	      "\t\telif [ \"$n\" = 0 ] && [ -z \"$sub\" ] &&\n"
	      "\t\t\t[[ \" $_dr_subs \" == *\" $w \"* ]]; then\n"
	      "\t\t\tsub=$w\n"
	      "\t\telse\n"
	      "\t\t\tn=$((n + 1))\n"
	      "\t\tfi\n"
	      "\t\ti=$((i + 1))\n"
	      "\tdone\n"
	      "\t_drconsole_spec \"$cmd\" \"$sub\"\n"
	      "\tif [ \"$ended\" = 0 ] && [ -n \"$prev\" ] &&\n"
	      "\t\t[[ \" $_dr_vals \" == *\" $prev \"* ]]; then\n"
	      "\t\tif [[ \" $_dr_files \" == *\" $prev \"* ]]; then\n"
	      "\t\t\tcompopt -o filenames 2>/dev/null\n"
	      "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\t\telse\n"
	      "\t\t\tCOMPREPLY=()\n"
	      "\t\tfi\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tif [ \"$ended\" = 0 ] && [[ $cur == -* ]]; then\n"
	      "\t\t[ -z \"$cmd\" ] && _dr_opts=\"$_dr_opts --version\"\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$_dr_opts\" -- \"$cur\"))\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tif [ -z \"$cmd\" ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W '",
	      out);
	for (size_t i = 0; table[i] != NULL; i++)
		fprintf(out, "%s%s", i ? " " : "", table[i]->name);
	fputs("' -- \"$cur\"))\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tif [ -z \"$sub\" ] && [ \"$n\" = 0 ] && [ -n \"$_dr_subs\" ]; "
	      "then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$_dr_subs\" -- \"$cur\"))\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tcompopt -o filenames 2>/dev/null\n"
	      "\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "}\n"
	      "complete -F _drconsole drconsole\n",
	      out);
}
