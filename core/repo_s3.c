/* s3:// repositories: placeholder until the libcurl implementation. */
#include "core/error.h"
#include "core/repo.h"
#include "core/xmalloc.h"

static int s3_open(const char *url, const struct repo_options *opt, void **impl,
                   char **err)
{
	(void)opt;
	(void)impl;
	*err = xasprintf("repository %s: S3 is not available yet", url);
	return DR_EINVAL;
}

static const struct repo_ops s3_ops = {0};

const struct repo_kind repo_s3_kind = {
    .scheme = "s3",
    .open = s3_open,
    .ops = &s3_ops,
};
