#include "core/error.h"

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
