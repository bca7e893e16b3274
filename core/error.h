/* The one list of status codes.  A function that can fail returns one of
 * these and, on failure, sets *err to a message the caller frees (tmux's
 * `char **cause`).  Messages name the file, line and column where the bad
 * input came from one. */
#ifndef DR_ERROR_H
#define DR_ERROR_H

enum dr_status {
	DR_OK = 0,
	DR_EINVAL,    /* bad input from a person or a file */
	DR_ENOTFOUND, /* no such service, backup, runbook, ... */
	DR_EEXIST,    /* already exists */
	DR_EIO,       /* file system or process trouble */
	DR_EDB,       /* the catalog failed */
	DR_ESCHEMA,   /* catalog newer than this binary */
	DR_EBUSY,     /* held by someone else (lock, running execution) */
	DR_ECORRUPT,  /* checksum, tag or chain mismatch */
	DR_ENET,      /* network peer failed */
	DR_ETIMEOUT,  /* gave up waiting */
	DR_EPERM,     /* refused: read-only, loose key file permissions */
	DR_EKEY,      /* the key does not open an intact encrypted object */
	DR_EUNSAFE,   /* refused: a file others could change (core/trust.h) */
};

/* Exit codes of the command-line tools (documented in drconsole(1)). */
enum dr_exit {
	DR_EXIT_OK = 0,
	DR_EXIT_FAIL = 1, /* the operation failed */
	DR_EXIT_USAGE =
	    2, /* bad flag, bad value, invalid input: nothing done */
};

const char *dr_status_name(int status);
/* Maps a status to the exit code a command returns for it. */
int dr_status_exit(int status);

#endif
