/* crimetab's version: `crimetab --version`, and every output that records
 * what wrote it. */
#ifndef CRIMETAB_VERSION_H
#define CRIMETAB_VERSION_H

#define CRIMETAB_VERSION "0.1.0"

#endif
