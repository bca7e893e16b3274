#include "core/error.h"

#include "db/catalog.h"

/* db/ sits below core/ and cannot include this header, so it has its own
 * enum catalog_rc; core passes those codes through as dr_status.  Tie
 * every pair here, so that codes that drift apart fail the build. */
_Static_assert((int)DR_OK == (int)CATALOG_OK, "DR_OK and CATALOG_OK differ");
_Static_assert((int)DR_EINVAL == (int)CATALOG_EINVAL,
               "DR_EINVAL and CATALOG_EINVAL differ");
_Static_assert((int)DR_ENOTFOUND == (int)CATALOG_ENOTFOUND,
               "DR_ENOTFOUND and CATALOG_ENOTFOUND differ");
_Static_assert((int)DR_EEXIST == (int)CATALOG_EEXIST,
               "DR_EEXIST and CATALOG_EEXIST differ");
_Static_assert((int)DR_EIO == (int)CATALOG_EIO,
               "DR_EIO and CATALOG_EIO differ");
_Static_assert((int)DR_EDB == (int)CATALOG_EDB,
               "DR_EDB and CATALOG_EDB differ");
_Static_assert((int)DR_ESCHEMA == (int)CATALOG_ESCHEMA,
               "DR_ESCHEMA and CATALOG_ESCHEMA differ");
_Static_assert((int)DR_EBUSY == (int)CATALOG_EBUSY,
               "DR_EBUSY and CATALOG_EBUSY differ");
_Static_assert((int)DR_ECORRUPT == (int)CATALOG_ECORRUPT,
               "DR_ECORRUPT and CATALOG_ECORRUPT differ");

const char *dr_status_name(int status)
{
	switch (status) {
	case DR_OK:
		return "ok";
	case DR_EINVAL:
		return "invalid input";
	case DR_ENOTFOUND:
		return "not found";
	case DR_EEXIST:
		return "already exists";
	case DR_EIO:
		return "i/o error";
	case DR_EDB:
		return "catalog error";
	case DR_ESCHEMA:
		return "catalog schema mismatch";
	case DR_EBUSY:
		return "busy";
	case DR_ECORRUPT:
		return "corrupt";
	case DR_ENET:
		return "network error";
	case DR_ETIMEOUT:
		return "timed out";
	case DR_EPERM:
		return "not permitted";
	case DR_EKEY:
		return "wrong key";
	case DR_EUNSAFE:
		return "unsafe permissions";
	}
	return "unknown error";
}

int dr_status_exit(int status)
{
	switch (status) {
	case DR_OK:
		return DR_EXIT_OK;
	case DR_EINVAL:
	case DR_ENOTFOUND:
	case DR_EEXIST:
	case DR_EUNSAFE:
		return DR_EXIT_USAGE;
	default:
		return DR_EXIT_FAIL;
	}
}
