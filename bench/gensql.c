/* Writes BYTES bytes of text shaped like a pg_dump plain-format dump (a
 * CREATE TABLE, then COPY rows of ids, names, e-mail addresses, amounts and
 * timestamps) to stdout, from a fixed seed so every run compresses alike:
 *     gensql BYTES */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (unsigned)(state % n);
}

static const char *const first[] = {
    "alice", "bruno", "carla", "diego", "elena", "farid", "greta", "hugo",
    "ines",  "joao",  "karin", "luis",  "marta", "nuno",  "olga",  "pedro"};
static const char *const last[] = {"silva",   "santos",  "oliveira", "souza",
                                   "lima",    "pereira", "costa",    "ferreira",
                                   "almeida", "nunes",   "gomes",    "martins"};
static const char *const status[] = {"paid", "pending", "shipped", "refunded",
                                     "cancelled"};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gensql BYTES\n");
		return 2;
	}
	unsigned long long want = strtoull(argv[1], NULL, 10), done = 0;
	static char buf[1 << 16];
	size_t len = 0;
	unsigned long long id = 1;
	len += (size_t)snprintf(
	    buf, sizeof buf,
	    "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.orders "
	    "(\n    id bigint NOT NULL,\n    customer text,\n    email text,\n"
	    "    amount numeric(12,2),\n    status text,\n    created_at "
	    "timestamp with time zone\n);\n\nCOPY public.orders (id, customer, "
	    "email, amount, status, created_at) FROM stdin;\n");
	while (done < want) {
		while (len < sizeof buf - 256) {
			const char *f = first[rnd(16)], *l = last[rnd(12)];
			len += (size_t)snprintf(
			    buf + len, sizeof buf - len,
			    "%llu\t%s %s\t%s.%s%u@example.com\t%u.%02u\t%s\t"
			    "2026-%02u-%02u %02u:%02u:%02u.%06u+00\n",
			    id++, f, l, f, l, rnd(1000), rnd(5000), rnd(100),
			    status[rnd(5)], 1 + rnd(12), 1 + rnd(28), rnd(24),
			    rnd(60), rnd(60), rnd(1000000));
		}
		size_t n = len;
		if (done + n > want)
			n = (size_t)(want - done);
		if (fwrite(buf, 1, n, stdout) != n)
			return 1;
		done += n;
		len = 0;
	}
	return 0;
}
