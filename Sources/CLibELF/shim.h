#ifndef VIREO_CLIBELF_SHIM_H
#define VIREO_CLIBELF_SHIM_H
#include <libelf.h>
#include <gelf.h>
#endif
