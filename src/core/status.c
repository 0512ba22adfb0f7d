/* Message table for ct_status, generated from CT_STATUS_LIST. */
#include "core/status.h"

const char *ct_strerror(ct_status status)
{
	switch (status) {
#define CT_STATUS_CASE(name, code, msg) case name: return msg;
	CT_STATUS_LIST(CT_STATUS_CASE)
#undef CT_STATUS_CASE
	}
	return "unknown status";
}
