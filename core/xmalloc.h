/* core/'s name for the allocation family, which lives in lib/xmalloc.h
 * (below db/, so that db/ can use it too). */
#ifndef DR_CORE_XMALLOC_H
#define DR_CORE_XMALLOC_H

#include "lib/xmalloc.h"

#endif
