/* One status enum and one message table for every module, from one list. */
#ifndef CRIMETAB_STATUS_H
#define CRIMETAB_STATUS_H

#define CT_STATUS_LIST(X) \
	X(CT_OK,        0, "success") \
	X(CT_EUSAGE,    2, "bad usage") \
	X(CT_EDATA,     3, "bad input data") \
	X(CT_EMISSING,  4, "months missing from the data") \
	X(CT_EIO,       5, "input/output error") \
	X(CT_EDB,       6, "database error") \
	X(CT_EBUSY,     7, "database busy (another crimetab is writing)") \
	X(CT_EPLUGIN,   8, "plugin error")

typedef enum {
#define CT_STATUS_ENUM(name, code, msg) name = code,
	CT_STATUS_LIST(CT_STATUS_ENUM)
#undef CT_STATUS_ENUM
} ct_status;

/* A short lowercase description of STATUS; never NULL. */
const char *ct_strerror(ct_status status);

#endif
